"""The city-wide award register: approvals of every sub-platform, to catch double funding.

The one place where tenant apps write to and read from the hub, on purpose (the
import-linter contracts in pyproject.toml name it): an approval records its award here
in the approving transaction (tenant_schema.applications.services), and a reviewer about to approve
sees the same enterprise's awards of the same category by other sub-platforms
(tenant_schema.applications.staff_views). The register lives in the public schema, which is on every
tenant's search path. The hub's own page lists the
duplicates city-wide (public_schema.hub.selectors.duplicate_award_list).
"""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from .models import AwardRecord

DUPLICATE_WINDOW = dt.timedelta(days=365)


def award_record_add(*, application, approved_at) -> AwardRecord:
    """Record an approved award in the city-wide registry, inside the approving transaction.

    Called by tenant_schema.applications.services at the approve step, in the tenant's schema; the
    registry lives in the public schema, which is on every tenant's search path. Being
    in the same transaction, a refused or rolled-back approval leaves no record, and a
    retried one updates its own row instead of adding a second.
    """
    from public_schema.tenants.models import Tenant

    tenant_id = Tenant.objects.filter(schema_name=connection.schema_name).values_list("pk", flat=True).get()
    enterprise, programme = application.enterprise, application.programme
    record, _ = AwardRecord.objects.update_or_create(
        tenant_id=tenant_id,
        application_id=application.pk,
        defaults={
            "credit_code": enterprise.credit_code,
            "enterprise_name": enterprise.name,
            "category": programme.category,
            "programme_title": programme.title,
            "amount": application.approved_amount or Decimal("0"),
            "approved_at": approved_at,
        },
    )
    return record


def award_record_recovery_set(*, application_id: int, recovery_open: bool, recovered) -> int:
    """Mark the award's record with its recovery (追回): open or not, and the amount recovered.

    Called by tenant_schema.awards.services inside the recovery's transaction, in the tenant's
    schema, so the city-wide duplicate check flags an enterprise with an open recovery from
    the moment it is opened. Returns the rows updated (0 for an award made before the register).
    """
    from public_schema.tenants.models import Tenant

    tenant_id = Tenant.objects.filter(schema_name=connection.schema_name).values_list("pk", flat=True).get()
    return AwardRecord.objects.filter(tenant_id=tenant_id, application_id=application_id).update(
        recovery_open=recovery_open, recovered_amount=recovered
    )


def open_recoveries_for(*, credit_code: str) -> list[AwardRecord]:
    """Awards to this enterprise, in any sub-platform, with a recovery still open: a reviewer
    about to approve a new award sees them beside the duplicates."""
    return list(
        AwardRecord.objects.select_related("tenant")
        .filter(credit_code=credit_code, recovery_open=True)
        .order_by("-approved_at")
    )


def duplicate_awards_for(
    *, credit_code: str, category: str, exclude_schema: str | None = None, at: dt.datetime | None = None
) -> list[AwardRecord]:
    """Awards of the same category to this enterprise by other sub-platforms within 12 months of `at`.

    For a reviewer about to approve: pass the tenant's own schema as `exclude_schema`
    (connection.schema_name) so that its own awards do not count. Works from any
    schema: the registry is in the public schema, on every tenant's search path.
    """
    at = at or timezone.now()
    records = AwardRecord.objects.select_related("tenant").filter(
        credit_code=credit_code,
        category=category,
        approved_at__gt=at - DUPLICATE_WINDOW,
        approved_at__lt=at + DUPLICATE_WINDOW,
    )
    if exclude_schema:
        records = records.exclude(tenant__schema_name=exclude_schema)
    return list(records.order_by("-approved_at"))
