"""Working days in mainland China: statutory holidays and make-up workdays respected.

Time limits in ParkHub (approval stages, demand replies) are counted in working days,
as the rules that set them are. chinesecalendar knows the State Council's holiday
schedule up to the last year it has published; beyond it we fall back to Monday to
Friday and log a warning, so a deadline is never refused, only less exact until the
package is upgraded.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Offices close at 17:30; a deadline falls then on its last working day.
DEADLINE_TIME = dt.time(17, 30)


def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        logger.warning("no holiday data for %s; counting Monday to Friday", day.year)
        return day.weekday() < 5


def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """The deadline `days` working days after `start`, at 17:30 Shanghai time.

    The day `start` falls on does not count: something received on Monday with a limit
    of 1 working day is due on Tuesday at 17:30 (or the next working day after it).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.astimezone(SHANGHAI).date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    if days == 0 and not is_working_day(day):
        while not is_working_day(day):
            day += dt.timedelta(days=1)
    return dt.datetime.combine(day, DEADLINE_TIME, tzinfo=SHANGHAI)


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days from `start` to `end` (the start day not counted); negative when `end` is earlier."""
    first, last = start.astimezone(SHANGHAI).date(), end.astimezone(SHANGHAI).date()
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count
