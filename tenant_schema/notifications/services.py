"""Writes for notifications: one row per person and cause, emailed once by the worker."""

from django.db import transaction
from django.utils import timezone

from saas.celery import send_on_commit

from .models import Notification


def notification_send(
    *, user_ids, title: str, body: str = "", link: str = "", dedupe_key: str, already_emailed: bool = False
) -> int:
    """Notify each user once for `dedupe_key` (in-app now, email by Celery); returns how many were new.

    Safe to call twice for the same cause: the unique (user, dedupe_key) pair makes the
    second call a no-op, which is what lets reminder tasks run twice without doubling mail.
    `already_emailed`: the caller has mailed this cause itself (a mail of its own, with its
    own once-only key); the in-app row is recorded as emailed and no second mail goes out.
    """
    dedupe_key = dedupe_key[:120]
    wanted = set(user_ids)
    if not wanted:
        return 0
    with transaction.atomic():
        already = set(
            Notification.objects.filter(dedupe_key=dedupe_key, user_id__in=wanted).values_list(
                "user_id", flat=True
            )
        )
        emailed = (
            {"email_status": Notification.EmailStatus.SENT, "emailed_at": timezone.now()}
            if already_emailed
            else {}
        )
        rows = [
            Notification(
                user_id=user_id, title=title[:200], body=body, link=link, dedupe_key=dedupe_key, **emailed
            )
            for user_id in wanted - already
        ]
        # ignore_conflicts: a concurrent call for the same cause may have inserted some meanwhile.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        new_ids = list(
            Notification.objects.filter(
                dedupe_key=dedupe_key,
                user_id__in=wanted - already,
                email_status=Notification.EmailStatus.PENDING,
            ).values_list("pk", flat=True)
        )
        if new_ids:
            from .tasks import notification_email_task

            send_on_commit(notification_email_task, notification_ids=new_ids)
    return len(rows)


def notification_mark_read(*, user, notification_ids=None) -> int:
    notifications = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        notifications = notifications.filter(pk__in=notification_ids)
    now = timezone.now()
    marked = notifications.update(read_at=now, updated_at=now)  # updated_at: API clients sync by it
    # The count loaded with the user for this request is stale now: count again if asked.
    try:
        del user.unread_notification_count
    except AttributeError:
        pass
    return marked


def notification_email_deliver(*, notification_ids: list[int], last_try: bool) -> int:
    """Email each notification still pending; returns how many the mail server accepted now.

    Each row is locked while its message goes out and marked sent only after the server
    accepted it. A refused or unreachable server is recorded on the row (attempts, error)
    and, after the others were tried, raised so that Celery retries; a permanent refusal
    (5xx), a missing address or the last try marks the row failed.
    """
    from django.db import connection, models

    from public_schema.tenants.services import tenant_site_url
    from saas.mail import mail_error_describe, mail_error_is_permanent, mail_send

    sent = 0
    retry_error: BaseException | None = None
    for notification_id in notification_ids:
        try:
            with transaction.atomic():
                notification = (
                    Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("user")
                    .filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING)
                    .first()
                )
                if notification is None:
                    continue
                if not notification.user.email:
                    notification.email_status = Notification.EmailStatus.FAILED
                    notification.email_last_error = "the account has no email address"
                    notification.save(update_fields=["email_status", "email_last_error"])
                    continue
                body = notification.body
                if notification.link:
                    body = f"{body}\n\n{tenant_site_url(tenant=connection.tenant, path=notification.link)}"
                mail_send(subject=notification.title, body=body, recipients=[notification.user.email])
                notification.emailed_at = timezone.now()
                notification.email_status = Notification.EmailStatus.SENT
                notification.email_attempts += 1
                notification.email_last_error = ""
                notification.save(
                    update_fields=["emailed_at", "email_status", "email_attempts", "email_last_error"]
                )
                sent += 1
        except Exception as error:
            permanent = mail_error_is_permanent(error)
            Notification.objects.filter(
                pk=notification_id, email_status=Notification.EmailStatus.PENDING
            ).update(
                email_attempts=models.F("email_attempts") + 1,
                email_last_error=mail_error_describe(error),
                email_status=(
                    Notification.EmailStatus.FAILED
                    if permanent or last_try
                    else Notification.EmailStatus.PENDING
                ),
            )
            if not permanent:
                retry_error = error
    if retry_error is not None:
        raise retry_error
    return sent


def notifications_purge_read(*, older_than_days: int | None = None) -> int:
    """Delete the current schema's notifications read more than `older_than_days` ago (default: the setting).

    Unread ones stay however old they are: nobody has seen them yet.
    """
    from datetime import timedelta

    from django.conf import settings

    days = settings.PARKHUB_READ_NOTIFICATIONS_KEEP_DAYS if older_than_days is None else older_than_days
    deleted, _per_model = Notification.objects.filter(
        read_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted
