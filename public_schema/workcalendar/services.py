"""Writes of the working-day calendar: entering a year's official schedule, the expiry notice."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from saas import workdays

from .models import CalendarDay, CalendarExpiryNotice, CalendarYear
from .selectors import calendar_expiry, entered_schedules_forget

HOLIDAY_WORDS = {"holiday", "off", "放假", "休", "假"}
WORKDAY_WORDS = {"workday", "work", "上班", "班", "补班"}
_LINE = re.compile(
    r"^(?P<kind>\S+)\s+(?P<first>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\.\.|~|至|--)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?\s*(?P<name>.*)$"
)


def _hub_operator_check(actor) -> None:
    from public_schema.hub.access import is_hub_operator

    if actor is not None and not is_hub_operator(actor):
        raise PermissionDenied


def schedule_parse(*, year: int, text: str) -> list[tuple[dt.date, str, str]]:
    """The (day, kind, name) entries of a schedule typed as the State Council notice lists it.

    One line per holiday or make-up workday, a range with `..`, `~` or `至`; `#` starts a comment:

        holiday 2027-01-01 元旦
        放假 2027-02-06..2027-02-12 春节
        上班 2027-02-14 春节
    """
    entries: dict[dt.date, tuple[str, str]] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        kind_word = match.group("kind").lower() if match else ""
        if not match or kind_word not in HOLIDAY_WORDS | WORKDAY_WORDS:
            errors.append(
                _("Line %(number)s: write “holiday” or “workday”, then a date (YYYY-MM-DD) or a range.")
                % {"number": number}
            )
            continue
        try:
            first = dt.date.fromisoformat(_padded(match.group("first")))
            last = dt.date.fromisoformat(_padded(match.group("last"))) if match.group("last") else first
        except ValueError:
            errors.append(_("Line %(number)s: that date does not exist.") % {"number": number})
            continue
        if first.year != year or last.year != year or last < first:
            errors.append(
                _("Line %(number)s: the dates must lie in %(year)s, the first before the last.")
                % {"number": number, "year": year}
            )
            continue
        kind = CalendarDay.Kind.HOLIDAY if kind_word in HOLIDAY_WORDS else CalendarDay.Kind.WORKDAY
        day = first
        while day <= last:
            if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
                errors.append(
                    _(
                        "Line %(number)s: %(day)s is a weekday, already a working day; make-up workdays fall on weekends."
                    )
                    % {"number": number, "day": day.isoformat()}
                )
            elif day in entries and entries[day][0] != kind:
                errors.append(
                    _("Line %(number)s: %(day)s is listed both as a day off and as a workday.")
                    % {"number": number, "day": day.isoformat()}
                )
            else:
                entries[day] = (kind, match.group("name").strip()[:40])
            day += dt.timedelta(days=1)
    if not entries and not errors:
        errors.append(_("Enter at least one holiday of the year."))
    if errors:
        raise ValidationError({"notice": errors})
    return [(day, kind, name) for day, (kind, name) in sorted(entries.items())]


def _padded(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def schedule_text(schedule: workdays.Schedule) -> str:
    """A year's schedule in the entry format, to start from or to compare with."""
    lines = [f"holiday {day.isoformat()}" for day in sorted(schedule.holidays)]
    lines += [f"workday {day.isoformat()}" for day in sorted(schedule.workdays)]
    return "\n".join(lines)


def _schedule_payload(schedule: workdays.Schedule) -> dict:
    return {
        "year": schedule.year,
        "holidays": sorted(day.isoformat() for day in schedule.holidays),
        "workdays": sorted(day.isoformat() for day in schedule.workdays),
        "source": schedule.source,
    }


def schedule_from_payload(payload: dict) -> workdays.Schedule:
    return workdays.Schedule(
        year=payload["year"],
        holidays=frozenset(dt.date.fromisoformat(day) for day in payload["holidays"]),
        workdays=frozenset(dt.date.fromisoformat(day) for day in payload["workdays"]),
        source=payload["source"],
    )


@transaction.atomic
def calendar_year_enter(*, year: int, notice: str, actor=None) -> CalendarYear:
    """Enter (or correct) one year's official schedule; every deadline it touches is recounted.

    Years are entered in order: the year after the last known one, or a known year being
    corrected. The recount runs on commit in every tenant (workcalendar.recount_all),
    with the schedule that was in force, so each deadline keeps its length in working days.
    """
    _hub_operator_check(actor)
    first_year = min(workdays.known_years())
    next_year = workdays.known_until().year + 1
    if not first_year <= year <= next_year:
        raise ValidationError(
            {"year": _("Enter the years in order: the next one to enter is %(year)s.") % {"year": next_year}}
        )
    entries = schedule_parse(year=year, text=notice)
    previous = workdays.schedule_for(year, warn=False)
    # The row lock serialises two operators entering the same year.
    calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"notice": notice, "entered_by": actor}
    )
    calendar_year.notice, calendar_year.entered_by = notice, actor
    calendar_year.save()
    calendar_year.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(year=calendar_year, day=day, kind=kind, name=name) for day, kind, name in entries]
    )
    entered_schedules_forget()
    transaction.on_commit(entered_schedules_forget)

    from saas.celery import send_on_commit

    from .tasks import recount_all_task

    send_on_commit(
        recount_all_task, previous=_schedule_payload(previous), entry=calendar_year.entered_at.isoformat()
    )
    return calendar_year


@transaction.atomic
def calendar_recount_here(*, previous: workdays.Schedule, entry: str) -> bool:
    """Tell this schema's apps that `previous.year` changed, so they recount their deadlines.

    Once per schema and entry: recounting twice from the same previous schedule would move
    a deadline twice. The marker commits with the recount or not at all.
    """
    from django.db import connection

    from .models import CalendarRecount

    _marker, created = CalendarRecount.objects.get_or_create(
        schema_name=connection.schema_name, year=previous.year, entry=entry
    )
    if not created:
        return False
    entered_schedules_forget()
    workdays.calendar_changed.send(sender=CalendarYear, year=previous.year, previous=previous)
    return True


def calendar_expiry_notify(*, today: dt.date | None = None) -> int:
    """E-mail the hub operators once per year when the known calendar ends within the window.

    Returns how many were told (0 when outside the window or already told).
    """
    expiry = calendar_expiry(today=today)
    if expiry is None:
        return 0
    with transaction.atomic():
        notice, created = CalendarExpiryNotice.objects.get_or_create(last_year=expiry["last_day"].year)
        if not created:
            return 0
        users = get_user_model().objects.filter(is_active=True).exclude(email="")
        operators = users.filter(groups__name=roles.HUB_OPERATOR) | users.filter(is_superuser=True)
        emails = sorted(set(operators.values_list("email", flat=True)))
        subject = _("The working-day calendar ends on %(day)s") % {"day": expiry["last_day"].isoformat()}
        body = _(
            "The official holiday schedule is known until %(day)s (%(days)s days from now). "
            "Deadlines after it are counted Monday to Friday and marked provisional.\n\n"
            "Enter the %(year)s schedule from the State Council notice on the hub's calendar page: %(url)s"
        ) % {
            "day": expiry["last_day"].isoformat(),
            "days": expiry["days_left"],
            "year": expiry["next_year"],
            "url": _hub_url("/calendar/"),
        }
        for email in emails:
            send_mail(subject, body, None, [email])
        notice.recipients = len(emails)
        notice.save(update_fields=["recipients"])
    return len(emails)


def _hub_url(path: str) -> str:
    port = settings.PARKHUB_URL_PORT
    host = f"{settings.PARKHUB_HUB_SUBDOMAIN}.{settings.PARKHUB_BASE_DOMAIN}"
    return f"{settings.PARKHUB_URL_SCHEME}://{host}{':' + str(port) if port else ''}{path}"
