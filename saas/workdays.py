"""Working days in mainland China: statutory holidays and make-up workdays respected.

Time limits in ParkHub (approval stages, demand replies) are counted in working days,
as the rules that set them are. A year's schedule comes from, in order:

1. the schedule the hub operator entered for that year (the State Council publishes the
   next year's holidays and make-up workdays each November; the `workcalendar` app keeps
   them and registers itself here as the provider);
2. the data of the pinned `chinesecalendar` package;
3. Monday to Friday. A date counted this way is *provisional*: pages mark deadlines
   that depend on it, and they are recounted when the year is entered.

The kernel imports no feature app: the provider is a function handed in at start-up,
and `calendar_changed` tells the apps that keep deadlines that a year changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import chinese_calendar
from django.dispatch import Signal

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Offices close at 17:30; a deadline falls then on its last working day.
DEADLINE_TIME = dt.time(17, 30)

# Sent (with `year` and `previous`, the Schedule that was in force) after a year's
# schedule has been entered or replaced; receivers recount the deadlines they keep.
calendar_changed = Signal()


@dataclasses.dataclass(frozen=True)
class Schedule:
    """One year's official schedule: days off on weekdays and make-up workdays on weekends."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str  # "entered", "package" or "weekdays"

    @property
    def is_provisional(self) -> bool:
        return self.source == "weekdays"

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def weekdays_schedule(year: int) -> Schedule:
    return Schedule(year=year, holidays=frozenset(), workdays=frozenset(), source="weekdays")


def _package_years() -> range:
    years = {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}
    return range(min(years), max(years) + 1)


PACKAGE_YEARS = _package_years()


@functools.cache
def package_schedule(year: int) -> Schedule | None:
    """The package's schedule for `year`, or None when the package has no data for it."""
    if year not in PACKAGE_YEARS:
        return None
    holidays = frozenset(d for d in chinese_calendar.holidays if d.year == year)
    workdays = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    return Schedule(year=year, holidays=holidays, workdays=workdays, source="package")


# The provider returns {year: Schedule} for the years entered by the hub; it is cheap to
# call (the workcalendar app caches it) and returns {} when its tables do not exist yet.
_provider: Callable[[], dict[int, Schedule]] = dict
_warned_years: set[int] = set()
_warned_lock = threading.Lock()


def calendar_provider_set(provider: Callable[[], dict[int, Schedule]]) -> None:
    global _provider
    _provider = provider


def schedule_for(year: int, *, warn: bool = True) -> Schedule:
    """The schedule in force for `year`: entered, else the package's, else weekdays (provisional).

    The fallback is logged once per process and year, not once per day counted: a
    year-long count would otherwise write hundreds of identical lines.
    """
    entered = _provider().get(year)
    if entered is not None:
        return entered
    packaged = package_schedule(year)
    if packaged is not None:
        return packaged
    if warn:
        with _warned_lock:
            first_time = year not in _warned_years
            _warned_years.add(year)
        if first_time:
            logger.warning(
                "no official holiday schedule for %s; counting Monday to Friday until the hub enters it", year
            )
    return weekdays_schedule(year)


def known_years() -> list[int]:
    """The years with an official schedule, entered or packaged."""
    return sorted(set(PACKAGE_YEARS) | set(_provider()))


def known_until() -> dt.date:
    """The last day of the last year whose official schedule is known."""
    return dt.date(max(known_years()), 12, 31)


def _date_of(moment: dt.date | dt.datetime) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(SHANGHAI).date()
    return moment


def is_provisional(moment: dt.date | dt.datetime | None) -> bool:
    """True when a deadline falls in a year without an official schedule (counted Monday to Friday)."""
    if moment is None:
        return False
    return _date_of(moment) > known_until()


def is_working_day(day: dt.date, *, warn: bool = True) -> bool:
    return schedule_for(day.year, warn=warn).is_working_day(day)


class _Rules:
    """Year schedules looked up once per count, with one year optionally replaced."""

    def __init__(self, override: Schedule | None = None):
        self.cache: dict[int, Schedule] = {}
        if override is not None:
            self.cache[override.year] = override

    def is_working_day(self, day: dt.date) -> bool:
        schedule = self.cache.get(day.year)
        if schedule is None:
            schedule = self.cache[day.year] = schedule_for(day.year)
        return schedule.is_working_day(day)


def working_days_after(start: dt.datetime, days: int, *, rules: _Rules | None = None) -> dt.datetime:
    """The deadline `days` working days after `start`, at 17:30 Shanghai time.

    The day `start` falls on does not count: something received on Monday with a limit
    of 1 working day is due on Tuesday at 17:30 (or the next working day after it).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    rules = rules or _Rules()
    day = start.astimezone(SHANGHAI).date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if rules.is_working_day(day):
            remaining -= 1
    if days == 0 and not rules.is_working_day(day):
        while not rules.is_working_day(day):
            day += dt.timedelta(days=1)
    return dt.datetime.combine(day, DEADLINE_TIME, tzinfo=SHANGHAI)


def working_days_between(start: dt.datetime, end: dt.datetime, *, rules: _Rules | None = None) -> int:
    """Working days from `start` to `end` (the start day not counted); negative when `end` is earlier."""
    rules = rules or _Rules()
    first, last = start.astimezone(SHANGHAI).date(), end.astimezone(SHANGHAI).date()
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if rules.is_working_day(day):
            count += 1
    return sign * count


def deadline_recount(
    *, start: dt.datetime | None, due: dt.datetime | None, previous: Schedule
) -> dt.datetime | None:
    """`due` recounted after `previous.year`'s schedule changed, keeping its length in working days.

    A deadline is `n` working days after its clock started; `n` is read back under the
    rules that made it (the previous schedule for that year) and counted forward again
    under the rules now in force. Extensions are kept, since they are part of `n`.
    Returns None when nothing changes.
    """
    if start is None or due is None:
        return None
    if not (_date_of(start).year <= previous.year <= _date_of(due).year):
        return None
    length = working_days_between(start, due, rules=_Rules(override=previous))
    if length < 0:
        return None
    recounted = working_days_after(start, length)
    recounted = recounted.replace(hour=due.astimezone(SHANGHAI).hour, minute=due.astimezone(SHANGHAI).minute)
    return recounted if recounted != due else None
