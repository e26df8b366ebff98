"""Entering a year through the real path: committed, queued on commit, recounted by a real Celery worker."""

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.hub.services import working_calendar_refresh
from public_schema.workcalendar.models import CalendarRecount, CalendarYear
from public_schema.workcalendar.selectors import entered_schedules_forget
from public_schema.workcalendar.services import calendar_year_enter
from saas import workdays
from tenant_schema.demands.models import Demand
from tenant_schema.demands.services import demand_transition

from ..conftest import make_user, wait_until
from ..enterprises.conftest import register
from ..factories import DemandFactory
from .test_calendar import NOTICE_2027, at


@pytest.mark.worker
def test_a_worker_recounts_a_tenants_deadline_after_the_hub_enters_the_year(
    committed_db, dropped_after, celery_worker_process, monkeypatch
):
    from public_schema.tenants.services import tenant_provision

    dropped_after.append("calrecount")
    tenant_provision(name="日历重算测试", slug="calrecount", kind="park", admin_email="admin@calrecount.cn")
    with schema_context("calrecount"):
        admin = make_user("calrecount", role=roles.PARK_ADMIN, email="cal-admin@calrecount.cn")
        registration = register("calrecount")
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 12, 28, 9))
        demand = DemandFactory(
            registration=registration,
            title="日历重算：元旦后到期",
            description="年末受理的诉求，办理时限跨入2027年。",
        )
        demand = demand_transition(demand_id=demand.pk, action="accept", actor=admin)
        monkeypatch.undo()
        length = workdays.working_days_between(demand.clock_started_at, demand.resolution_due_at)
        provisional_due = demand.resolution_due_at
    assert workdays.is_provisional(provisional_due)
    try:
        calendar_year_enter(year=2027, notice=NOTICE_2027, actor=None)
        expected = workdays.working_days_after(at(2026, 12, 28, 9), length)
        assert expected > provisional_due  # 1 January is a day off now

        def recounted():
            with schema_context("calrecount"):
                return Demand.objects.get(pk=demand.pk).resolution_due_at == expected

        # Every schema of the run is recounted, one task each, by the one session worker: late in a
        # full run there are dozens of them.
        wait_until(recounted, timeout=240, message="the worker to recount the demand's deadline")
        assert CalendarRecount.objects.filter(schema_name="calrecount", year=2027).count() == 1
    finally:
        CalendarRecount.objects.filter(year=2027).delete()
        CalendarYear.objects.filter(year=2027).delete()
        entered_schedules_forget()
        working_calendar_refresh()
