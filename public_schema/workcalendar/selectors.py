"""Reads of the working-day calendar."""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from saas import workdays

# Every process keeps the entered years for a minute: deadlines are counted day by day,
# and a query per day would cost more than the count. A year entered elsewhere is seen
# within the minute; the recount task forgets the copy before it starts.
_CACHE_SECONDS = 60
_cache: dict = {"at": None, "schedules": {}}
_lock = threading.Lock()


def entered_schedules_forget() -> None:
    with _lock:
        _cache["at"] = None


def _load() -> dict[int, workdays.Schedule]:
    from .models import CalendarDay

    holidays: dict[int, set] = {}
    extra_workdays: dict[int, set] = {}
    years: set[int] = set()
    try:
        # A savepoint: before the tables exist (a fresh database being migrated) the query
        # fails without spoiling the caller's transaction.
        with transaction.atomic():
            from .models import CalendarYear

            years = set(CalendarYear.objects.values_list("year", flat=True))
            for day, kind in CalendarDay.objects.values_list("day", "kind"):
                target = holidays if kind == CalendarDay.Kind.HOLIDAY else extra_workdays
                target.setdefault(day.year, set()).add(day)
    except DatabaseError:
        return {}
    return {
        year: workdays.Schedule(
            year=year,
            holidays=frozenset(holidays.get(year, ())),
            workdays=frozenset(extra_workdays.get(year, ())),
            source="entered",
        )
        for year in years
    }


def entered_schedules() -> dict[int, workdays.Schedule]:
    """{year: Schedule} of the years the hub entered (cached per process for a minute)."""
    now = time.monotonic()
    with _lock:
        if _cache["at"] is not None and now - _cache["at"] < _CACHE_SECONDS:
            return _cache["schedules"]
    schedules = _load()
    with _lock:
        _cache.update(at=now, schedules=schedules)
    return schedules


def calendar_years() -> list[dict]:
    """Every year the calendar knows, newest first, with where its schedule comes from."""
    from .models import CalendarYear

    entered = {row.year: row for row in CalendarYear.objects.select_related("entered_by")}
    rows = []
    for year in sorted(set(workdays.known_years()), reverse=True):
        schedule = workdays.schedule_for(year, warn=False)
        rows.append(
            {
                "year": year,
                "source": schedule.source,
                "holidays": len(schedule.holidays),
                "workdays": len(schedule.workdays),
                "entered": entered.get(year),
            }
        )
    return rows


def calendar_expiry(*, today: dt.date | None = None) -> dict | None:
    """When the known calendar ends within the warning window: its last day and the days left."""
    today = today or timezone.localdate()
    last_day = workdays.known_until()
    days_left = (last_day - today).days
    if days_left > settings.PARKHUB_CALENDAR_WARN_DAYS:
        return None
    return {"last_day": last_day, "days_left": max(days_left, 0), "next_year": last_day.year + 1}
