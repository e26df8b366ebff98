"""Email for in-app notifications, sent once each."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from saas.celery import app

from .models import Notification


@app.task(name="notifications.email")
def notification_email_task(*, notification_ids: list[int]) -> int:
    """Email each notification not emailed yet; the row lock and stamp make a second run send nothing."""
    from django.db import connection

    from tenants.services import tenant_site_url

    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None or not notification.user.email:
                continue
            body = notification.body
            if notification.link:
                body = f"{body}\n\n{tenant_site_url(tenant=connection.tenant, path=notification.link)}"
            send_mail(notification.title, body, None, [notification.user.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent
