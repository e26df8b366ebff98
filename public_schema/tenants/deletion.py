"""Deleting one tenant after a grace period: suspended first, dropped later, its record kept.

1. An operator schedules the deletion (`tenant_deletion_schedule`, a reason required):
   the tenant is suspended at once (its pages and API answer 503, its data untouched) and
   `delete_after` is set PARKHUB_TENANT_DELETION_GRACE_DAYS ahead.
2. During the grace period the operator may cancel it (`tenant_deletion_cancel`); the
   tenant stays suspended until someone reactivates it.
3. Every night `tenant_deletions_due` takes the tenants whose grace period is over: a
   final export (public_schema.tenants.exports, kept in the public storage prefix), then in
   one transaction the schema is dropped, the domains removed and the registry row turned
   into a tombstone; the uploads are removed from whichever storage holds them once that
   has committed.

The tombstone keeps the row's id, name and kind with `slot=tombstone`, `status=deleted` and
a schema_name no slug can take (`_deleted_<id>`), so the slug is free again (a restore of
the final export may take it back) while everything that names the tenant stays whole:
the append-only TenantStatusHistory, the network's AdmissionHistory (PROTECT through the
institution profile), envelopes and rollups. Every step is a transition of
`workflow.TENANT_STATUS`, with its history row.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.workflow import transition_apply

from .exports import tenant_export_request, tenant_export_run
from .models import TOMBSTONE_SCHEMA_PREFIX, Domain, Tenant, TenantStatusHistory
from .storage import schema_uploads_delete
from .workflow import TENANT_STATUS

logger = logging.getLogger(__name__)


def _history(actor):
    def write(locked: Tenant, transition, from_status: str, extra: dict):
        return TenantStatusHistory.objects.create(
            tenant=locked,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=locked.status,
            comment=extra.get("comment", ""),
            is_public=False,
        )

    return write


def tenant_deletion_schedule(
    *,
    tenant: Tenant,
    reason: str = "",
    actor=None,
    grace_days: int | None = None,
    expected_status: str | None = None,
) -> Tenant:
    """Suspend the tenant now and have it deleted once `grace_days` (default from settings) have passed."""
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the platform is to be deleted: it is kept in its history.")}
        )
    grace_days = settings.PARKHUB_TENANT_DELETION_GRACE_DAYS if grace_days is None else grace_days
    if grace_days < settings.PARKHUB_TENANT_DELETION_MIN_GRACE_DAYS:
        raise ValidationError(
            {
                "grace_days": _("The grace period is at least %(days)s days.")
                % {"days": settings.PARKHUB_TENANT_DELETION_MIN_GRACE_DAYS}
            }
        )

    def change(locked: Tenant, transition) -> dict:
        now = timezone.now()
        locked.delete_after = now + dt.timedelta(days=grace_days)
        locked.status_changed_at = now
        locked.status_reason = reason
        return {"update_fields": ["delete_after", "status_changed_at", "status_reason"]}

    return transition_apply(
        model=Tenant,
        pk=tenant.pk,
        workflow=TENANT_STATUS,
        action="schedule_deletion",
        actor=actor,
        change=change,
        history=_history(actor),
        comment=reason,
        expected={"status": expected_status} if expected_status else None,
    )


def tenant_deletion_cancel(*, tenant: Tenant, reason: str = "", actor=None) -> Tenant:
    """Call off a scheduled deletion during the grace period; the tenant stays suspended."""
    reason = (reason or "").strip()[:300]

    def change(locked: Tenant, transition) -> dict:
        locked.delete_after = None
        locked.status_changed_at = timezone.now()
        return {"update_fields": ["delete_after", "status_changed_at"]}

    return transition_apply(
        model=Tenant,
        pk=tenant.pk,
        workflow=TENANT_STATUS,
        action="cancel_deletion",
        actor=actor,
        change=change,
        history=_history(actor),
        comment=reason,
    )


def tombstone_schema_name(tenant: Tenant) -> str:
    """A schema_name no slug can take (slugs are [a-z][a-z0-9]+), unique by the row's id."""
    return f"{TOMBSTONE_SCHEMA_PREFIX}{tenant.pk}"


def tenant_delete_now(*, tenant: Tenant, actor=None) -> Tenant:
    """The final step for a tenant whose grace period is over: export, drop, tombstone, files.

    Refused (TransitionRefused) before anything is touched when the deletion is not due.
    `actor` is there for the workflow's check: anyone but the platform is refused.
    The final export must succeed: if it fails the tenant is left as it was, suspended and
    due, and the next night tries again.
    """
    connection.set_schema_to_public()
    # Only the platform (actor None, the nightly sweep) deletes; an operator schedules.
    TENANT_STATUS.check(actor, Tenant.objects.get(pk=tenant.pk), "delete")
    with transaction.atomic():
        job = tenant_export_request(tenant=tenant, final=True)
    # Run here, not queued: the drop below must not happen without the archive.
    job = tenant_export_run(job_pk=job.pk)
    slug = tenant.schema_name

    def change(locked: Tenant, transition) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{locked.schema_name}" CASCADE')
        Domain.objects.filter(tenant=locked).delete()
        locked.deleted_slug = locked.schema_name
        locked.schema_name = tombstone_schema_name(locked)
        locked.slot = Tenant.Slot.TOMBSTONE
        locked.deleted_at = timezone.now()
        locked.status_changed_at = locked.deleted_at
        return {"update_fields": ["deleted_slug", "schema_name", "slot", "deleted_at", "status_changed_at"]}

    with transaction.atomic():
        deleted = transition_apply(
            model=Tenant,
            pk=tenant.pk,
            workflow=TENANT_STATUS,
            action="delete",
            actor=None,
            change=change,
            history=_history(None),
            comment=_("Deleted after the grace period; final export %(name)s") % {"name": job.archive_name},
        )
    schema_uploads_delete(slug)
    logger.info("deleted tenant %s after its grace period (final export %s)", slug, job.archive_name)
    return deleted


def tenant_deletions_due(*, now: dt.datetime | None = None) -> list[str]:
    """Delete every tenant whose grace period is over; returns their former slugs. One failure does not stop the rest."""
    now = now or timezone.now()
    connection.set_schema_to_public()
    due = list(
        Tenant.objects.filter(
            slot=Tenant.Slot.LIVE, status=Tenant.Status.SUSPENDED, delete_after__lte=now
        ).order_by("delete_after", "pk")
    )
    deleted = []
    for tenant in due:
        try:
            tenant_delete_now(tenant=tenant)
        except Exception:
            logger.exception(
                "deleting tenant %s failed; it stays suspended and is tried again", tenant.schema_name
            )
            continue
        deleted.append(tenant.schema_name)
    return deleted
