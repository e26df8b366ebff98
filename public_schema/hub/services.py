"""Writes of the city hub: the working-day calendar (the award register: public_schema.hub.awards)."""

import datetime as dt

from django.db import transaction

from saas.workdays import is_working_day

from .models import WorkingDay

CALENDAR_FIRST_YEAR = 2000
CALENDAR_LAST_YEAR = 2050


def _is_working_day(day: dt.date) -> bool:
    # Years up to 2050 are written ahead; the ones without an official schedule yet are
    # counted Monday to Friday without a warning (rewritten when the hub enters them).
    return is_working_day(day, warn=False)


@transaction.atomic
def working_calendar_refresh(
    *, model=WorkingDay, first_year: int = CALENDAR_FIRST_YEAR, last_year: int = CALENDAR_LAST_YEAR
) -> int:
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
