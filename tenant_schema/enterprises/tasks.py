"""Mail about enterprise registrations, sent by Celery in the tenant's schema."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from every_schema.accounts import roles
from saas.celery import app
from saas.mail import mail_send_once

from .models import Enterprise, Membership


def _send_once(
    key: str, subject_template: str, body_template: str, context: dict, recipients: list[str]
) -> bool:
    """Send a mail unless this exact notice was already sent (the cache key carries the schema)."""
    if not recipients:
        return False

    def send():
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(subject_template, context).strip()
            body = render_to_string(body_template, context)
        send_mail(subject, body, None, recipients)

    return mail_send_once(key, send, keep_seconds=7 * 24 * 3600)


@app.task(name="enterprises.registration_notify_park")
def registration_notify_park_task(*, enterprise_id: int) -> bool:
    """Tell the park's administrators that an enterprise registered and waits for verification."""
    from public_schema.tenants.services import tenant_site_url

    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        return False
    group = Group.objects.filter(name=roles.PARK_ADMIN).first()
    recipients = list(group.user_set.filter(is_active=True).values_list("email", flat=True)) if group else []
    context = {
        "enterprise": enterprise,
        "site_name": connection.tenant.name,
        "link": tenant_site_url(tenant=connection.tenant, path=f"/park/enterprises/{enterprise.pk}/"),
    }
    # One notice per submission: a resubmission after rejection is a new one.
    return _send_once(
        f"registration-notice:{enterprise.pk}:{enterprise.updated_at.isoformat()}",
        "enterprises/email/registered_subject.txt",
        "enterprises/email/registered.txt",
        context,
        recipients,
    )


@app.task(name="enterprises.verification_notify_enterprise")
def verification_notify_enterprise_task(*, enterprise_id: int) -> bool:
    """Tell the enterprise's people the park's decision (verified, or rejected with the reason)."""
    from public_schema.tenants.services import tenant_site_url

    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None or enterprise.status == Enterprise.Status.PENDING:
        return False
    recipients = list(
        Membership.objects.filter(enterprise=enterprise, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    context = {
        "enterprise": enterprise,
        "site_name": connection.tenant.name,
        "link": tenant_site_url(tenant=connection.tenant, path="/enterprise/"),
    }
    decided_at = enterprise.updated_at.isoformat()
    return _send_once(
        f"verification-notice:{enterprise.pk}:{enterprise.status}:{decided_at}",
        "enterprises/email/decision_subject.txt",
        "enterprises/email/decision.txt",
        context,
        recipients,
    )


# Keeps its result: the outcome is what a re-delivery reports. acks_late and
# reject_on_worker_lost (settings) mean a killed worker's message is delivered again.
# An import of many thousand rows runs for minutes: its own limits, well above the default.
@app.task(
    name="enterprises.import_batch_run",
    ignore_result=False,
    bind=True,
    max_retries=30,
    soft_time_limit=1800,
    time_limit=1860,
)
def import_batch_run_task(self, *, batch_id: str) -> dict | None:
    """Import a confirmed Excel batch of this tenant; a finished batch is left alone.

    A batch another run holds with a fresh heartbeat is looked at again once that claim
    could have gone stale, rather than acknowledged and forgotten: if that run dies, this
    delivery is the one that finishes the import.
    """
    from .importing import import_batch_run, import_stale_after

    batch = import_batch_run(batch_id=batch_id)
    if batch is None:
        return None
    if batch.status == batch.Status.RUNNING:
        raise self.retry(countdown=import_stale_after().total_seconds() + 1)
    return {
        "status": batch.status,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
    }
