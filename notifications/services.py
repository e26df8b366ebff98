"""Writes for notifications: one row per person and cause, emailed once by the worker."""

from django.db import transaction
from django.utils import timezone

from saas.celery import send_on_commit

from .models import Notification


def notification_send(*, user_ids, title: str, body: str = "", link: str = "", dedupe_key: str) -> int:
    """Notify each user once for `dedupe_key` (in-app now, email by Celery); returns how many were new.

    Safe to call twice for the same cause: the unique (user, dedupe_key) pair makes the
    second call a no-op, which is what lets reminder tasks run twice without doubling mail.
    """
    dedupe_key = dedupe_key[:120]
    wanted = set(user_ids)
    if not wanted:
        return 0
    with transaction.atomic():
        already = set(
            Notification.objects.filter(dedupe_key=dedupe_key, user_id__in=wanted).values_list("user_id", flat=True)
        )
        rows = [
            Notification(user_id=user_id, title=title[:200], body=body, link=link, dedupe_key=dedupe_key)
            for user_id in wanted - already
        ]
        # ignore_conflicts: a concurrent call for the same cause may have inserted some meanwhile.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        new_ids = list(
            Notification.objects.filter(dedupe_key=dedupe_key, user_id__in=wanted - already, emailed_at__isnull=True)
            .values_list("pk", flat=True)
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
