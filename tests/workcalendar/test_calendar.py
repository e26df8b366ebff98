"""The working-day calendar across the 2026→2027 boundary: the package's data ends with 2026,
the hub enters 2027 from the State Council notice, and every deadline it touches is recounted."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation
from django_tenants.utils import schema_context

from public_schema.hub.models import WorkingDay
from public_schema.workcalendar.selectors import calendar_expiry
from public_schema.workcalendar.services import (
    calendar_expiry_notify,
    calendar_recount_here,
    calendar_year_enter,
    schedule_parse,
)
from saas import workdays
from saas.workdays import SHANGHAI
from tenant_schema.demands.services import demand_transition

from ..applications.conftest import act, draft_for, make_programme
from ..conftest import ALPHA, HostClient, host_of, make_user
from ..factories import DemandFactory

# Not the official 2027 schedule (the hub enters that): a small stand-in with the shape of one.
NOTICE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（测试用）
holiday 2027-01-01 元旦
放假 2027-02-06..2027-02-12 春节
上班 2027-02-14 春节
"""


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def enter_2027(actor=None):
    return calendar_year_enter(year=2027, notice=NOTICE_2027, actor=actor)


def recount_everywhere(previous, entry):
    calendar_recount_here(previous=previous, entry=entry)
    with schema_context(ALPHA):
        return calendar_recount_here(previous=previous, entry=entry)


def test_the_package_knows_2026_and_2027_is_counted_monday_to_friday_as_provisional(db):
    assert workdays.schedule_for(2026).source == "package"
    assert not workdays.is_working_day(dt.date(2026, 10, 1))  # 国庆
    assert workdays.known_until() == dt.date(2026, 12, 31)
    assert workdays.schedule_for(2027).is_provisional
    assert workdays.is_working_day(dt.date(2027, 1, 1))  # Friday, counted as a weekday
    # Monday 28 December + 5 working days: 29, 30, 31 December, 1 and 4 January.
    due = workdays.working_days_after(at(2026, 12, 28, 9), 5)
    assert due == at(2027, 1, 4, 17, 30)
    assert workdays.is_provisional(due) and not workdays.is_provisional(at(2026, 12, 31, 17, 30))


def test_one_warning_per_process_and_year_not_one_per_day(db, caplog):
    workdays._warned_years.discard(2027)
    with caplog.at_level(logging.WARNING, logger="saas.workdays"):
        workdays.working_days_between(at(2027, 1, 1), at(2027, 12, 31))
        workdays.working_days_after(at(2027, 3, 1), 40)
    warnings = [record for record in caplog.records if "2027" in record.getMessage()]
    assert len(warnings) == 1


def test_a_schedule_is_read_as_the_notice_lists_it():
    entries = schedule_parse(year=2027, text=NOTICE_2027)
    holidays = [day for day, kind, _ in entries if kind == "holiday"]
    workdays_ = [(day, name) for day, kind, name in entries if kind == "workday"]
    assert len(holidays) == 8 and dt.date(2027, 2, 9) in holidays
    assert workdays_ == [(dt.date(2027, 2, 14), "春节")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("holiday 2028-01-01", "must lie in 2027"),
        ("workday 2027-01-04", "already a working day"),  # a Monday
        ("holiday 2027-02-14\nworkday 2027-02-14", "both as a day off"),
        ("元旦 2027-01-01", "Line 1"),
        ("holiday 2027-02-30", "does not exist"),
        ("# nothing but a comment", "at least one holiday"),
    ],
)
def test_a_wrong_schedule_is_refused_with_the_line_to_fix(text, expected):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        schedule_parse(year=2027, text=text)
    assert expected in " ".join(refused.value.message_dict["notice"])


def test_entering_2027_makes_its_holidays_count_and_the_calendar_known_to_its_end(db, hub_operator):
    enter_2027(hub_operator)
    assert workdays.schedule_for(2027).source == "entered"
    assert not workdays.is_working_day(dt.date(2027, 1, 1))
    assert workdays.is_working_day(dt.date(2027, 2, 14))  # Sunday, a make-up workday
    assert workdays.known_until() == dt.date(2027, 12, 31)
    assert workdays.working_days_after(at(2026, 12, 28, 9), 5) == at(2027, 1, 5, 17, 30)
    assert not workdays.is_provisional(at(2027, 1, 5, 17, 30))


def test_years_are_entered_in_order(db, hub_operator):
    with pytest.raises(ValidationError) as refused:
        calendar_year_enter(year=2029, notice="holiday 2029-01-01", actor=hub_operator)
    assert "2027" in refused.value.message_dict["year"][0]


def test_only_a_hub_operator_enters_a_year(db, tenant_a):
    someone = make_user("public")
    with pytest.raises(Exception) as refused:
        enter_2027(someone)
    assert refused.type.__name__ == "PermissionDenied"


def test_a_demand_deadline_in_january_is_provisional_then_recounted_once(
    db, clock, in_alpha, enterprise_x, park_admin
):
    clock.set(at(2026, 12, 28, 9))
    demand = DemandFactory(
        registration=enterprise_x, title="厂区道路积水", description="雨后厂区门口道路积水严重，请协调处理。"
    )
    demand = demand_transition(demand_id=demand.pk, action="accept", actor=park_admin)
    resolution_days = workdays.working_days_between(demand.clock_started_at, demand.resolution_due_at)
    assert workdays.is_provisional(demand.resolution_due_at)
    before = demand.resolution_due_at

    with schema_context("public"):
        calendar_year = enter_2027()
        previous = workdays.weekdays_schedule(2027)
        entry = calendar_year.entered_at.isoformat()
        assert recount_everywhere(previous, entry) is True
    demand.refresh_from_db()
    # Same length in working days under the official rules: 1 January is off, so one day later.
    assert demand.resolution_due_at == workdays.working_days_after(demand.clock_started_at, resolution_days)
    assert demand.resolution_due_at > before and not workdays.is_provisional(demand.resolution_due_at)

    after = demand.resolution_due_at
    with schema_context("public"):
        assert recount_everywhere(previous, entry) is False  # a redelivered task changes nothing
    demand.refresh_from_db()
    assert demand.resolution_due_at == after


def test_an_application_stage_deadline_is_recounted(db, clock, in_alpha, enterprise_x):
    clock.set(at(2026, 12, 31, 9))
    application = act(draft_for(enterprise_x, make_programme()), "submit", enterprise_x.user)
    limit = application.current_stage.time_limit_days
    assert application.stage_due_at == workdays.working_days_after(at(2026, 12, 31, 9), limit)
    assert workdays.is_provisional(application.stage_due_at)
    with schema_context("public"):
        calendar_year = enter_2027()
        recount_everywhere(workdays.weekdays_schedule(2027), calendar_year.entered_at.isoformat())
    application.refresh_from_db()
    assert application.stage_due_at == workdays.working_days_after(at(2026, 12, 31, 9), limit)
    assert not workdays.is_provisional(application.stage_due_at)


def test_the_hub_day_table_follows_the_entered_year(db):
    assert WorkingDay.objects.get(day=dt.date(2027, 1, 1)).is_working
    calendar_year = enter_2027()
    calendar_recount_here(
        previous=workdays.weekdays_schedule(2027), entry=calendar_year.entered_at.isoformat()
    )
    assert not WorkingDay.objects.get(day=dt.date(2027, 1, 1)).is_working
    assert WorkingDay.objects.get(day=dt.date(2027, 2, 14)).is_working


def test_the_warning_starts_60_days_before_the_known_calendar_ends(db):
    assert calendar_expiry(today=dt.date(2026, 10, 31)) is None
    warning = calendar_expiry(today=dt.date(2026, 11, 1))
    assert warning == {"last_day": dt.date(2026, 12, 31), "days_left": 60, "next_year": 2027}


def test_operators_are_told_once_by_mail(db, hub_operator):
    assert calendar_expiry_notify(today=dt.date(2026, 10, 1)) == 0
    assert calendar_expiry_notify(today=dt.date(2026, 12, 7)) >= 1
    assert calendar_expiry_notify(today=dt.date(2026, 12, 8)) == 0
    sent = [message for message in mail.outbox if hub_operator.email in message.to]
    assert len(sent) == 1 and "2026-12-31" in sent[0].subject and "/calendar/" in sent[0].body


def test_the_hub_page_shows_the_warning_and_enters_a_year(db, hub_client, hub_operator, settings):
    settings.PARKHUB_CALENDAR_WARN_DAYS = 100_000  # whatever today is, the 2026 calendar "ends soon"
    hub_client.force_login(hub_operator)
    page = hub_client.get("/calendar/")
    assert page.status_code == 200
    assert "2026-12-31" in page.content.decode() and "calendar-expiry" in page.content.decode()
    refused = hub_client.post("/calendar/", {"year": "2027", "notice": "workday 2027-01-04"})
    assert refused.status_code == 400
    assert "已是工作日" in refused.content.decode()  # the error in the operator's language (Chinese)
    saved = hub_client.post("/calendar/", {"year": "2027", "notice": NOTICE_2027}, follow=True)
    assert saved.status_code == 200 and workdays.schedule_for(2027).source == "entered"
    assert "2027" in saved.content.decode()
    assert "calendar-expiry" in hub_client.get("/").content.decode()  # 2027 "ends soon" too, with this window


def test_the_calendar_page_is_the_hub_operators_only(db, hub_client):
    assert hub_client.get("/calendar/").status_code == 302  # to sign in
    hub_client.force_login(make_user("public"))
    assert hub_client.get("/calendar/").status_code == 404


def test_the_command_imports_a_year(db, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    call_command("calendar_year_import", "2027", str(notice))
    assert workdays.known_until() == dt.date(2027, 12, 31)


def test_the_enterprise_sees_a_provisional_deadline_marked(db, clock, in_alpha, enterprise_x, park_admin):
    clock.set(at(2026, 12, 28, 9))
    demand = DemandFactory(
        registration=enterprise_x, title="厂区道路积水", description="雨后厂区门口道路积水严重，请协调处理。"
    )
    demand_transition(demand_id=demand.pk, action="accept", actor=park_admin)
    client = HostClient(host_of(ALPHA))
    client.force_login(enterprise_x.user)
    page = client.get(f"/demands/{demand.pk}/").content.decode()
    assert "暂定" in page
