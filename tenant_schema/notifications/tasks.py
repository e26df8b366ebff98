"""Email for in-app notifications, sent once each, retried while the mail server refuses."""

from saas.celery import app
from saas.mail import MAIL_TASK_OPTIONS, mail_task_is_last_try

from .services import notification_email_deliver, notifications_purge_read


@app.task(name="notifications.email", **MAIL_TASK_OPTIONS)
def notification_email_task(self, *, notification_ids: list[int]) -> int:
    """Email each notification not emailed yet; a refused one makes the task retry the rest later.

    The row lock and the sent stamp make a second run (or a retry) send nothing twice.
    """
    return notification_email_deliver(notification_ids=notification_ids, last_try=mail_task_is_last_try(self))


@app.task(name="notifications.purge_read")
def notifications_purge_read_task() -> int:
    """Housekeeping in the current tenant: read notifications older than the kept period."""
    return notifications_purge_read()


@app.task(name="notifications.purge_read_all")
def notifications_purge_read_all_task() -> int:
    """Beat, in the public schema: one purge per live tenant, so a failing schema stops only itself."""
    from saas.celery import send_to_every_schema

    return send_to_every_schema(notifications_purge_read_task, include_public=False)
