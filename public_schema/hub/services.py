"""Writes of the city hub: the award registry and the working-day calendar."""

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction

from saas.workdays import is_working_day

from .models import AwardRecord, WorkingDay

CALENDAR_FIRST_YEAR = 2000
CALENDAR_LAST_YEAR = 2050


def _is_working_day(day: dt.date) -> bool:
    # Years up to 2050 are written ahead; the ones without an official schedule yet are
    # counted Monday to Friday without a warning (rewritten when the hub enters them).
    return is_working_day(day, warn=False)


@transaction.atomic
def working_calendar_refresh(*, model=WorkingDay, first_year: int = CALENDAR_FIRST_YEAR,
                             last_year: int = CALENDAR_LAST_YEAR) -> int:
    """Rewrite the calendar: every day of the years with its working-day ordinal.

    `ordinal(d)` counts working days up to and including d, so the working days from
    `start` to `end` (the start day not counted, as saas.workdays.working_days_between)
    are ordinal(end) - ordinal(start).
    """
    rows, ordinal = [], 0
    day, last = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    while day <= last:
        working = _is_working_day(day)
        ordinal += int(working)
        rows.append(model(day=day, is_working=working, ordinal=ordinal))
        day += dt.timedelta(days=1)
    model.objects.all().delete()
    model.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


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
