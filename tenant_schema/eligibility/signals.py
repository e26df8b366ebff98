"""免申即享 starts when a programme opens.

tenant_schema.funding.services.programme_open saves only the status; rather than make funding depend on
matching, matching listens for that save and queues its task on commit. The hourly beat
sweep (matching.auto_applications_all) catches a programme opened before its opening time.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from tenant_schema.funding.models import Programme


@receiver(post_save, sender=Programme, dispatch_uid="matching-auto-applications-on-open")
def programme_opened(sender, instance: Programme, created, update_fields=None, **kwargs):
    if instance.no_application_needed and instance.status == Programme.Status.OPEN:
        if created or update_fields is None or "status" in update_fields:
            from saas.celery import send_on_commit

            from .tasks import auto_applications_task

            send_on_commit(auto_applications_task, programme_id=instance.pk)
