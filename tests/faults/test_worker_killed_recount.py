"""Fault: the worker is killed while it hands a new year's calendar from the hub to the tenants.

The hub enters 2027's official schedule; recount_all recounts the public schema and queues one
recount per live tenant, each of which moves its open deadlines and writes its marker in one
transaction. Three parks have a demand whose deadline crosses New Year. The test holds a row
lock on the second park's demand, so that park's recount stops in the middle of its
transaction (marker written, demand update waiting), and kills the worker there with SIGKILL.
Nothing of that park's recount may stay; the redelivered message recounts it once; every
deadline moves exactly once (a second recount from the same previous schedule would move it
again) and each schema has exactly one marker.
"""

import secrets
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.hub.services import working_calendar_refresh
from public_schema.tenants.models import Tenant
from public_schema.workcalendar.models import CalendarRecount, CalendarYear
from public_schema.workcalendar.selectors import entered_schedules_forget
from public_schema.workcalendar.services import calendar_year_enter
from public_schema.workcalendar.tasks import recount_all_task, recount_task
from saas import workdays
from tenant_schema.demands.models import Demand
from tenant_schema.demands.services import demand_file, demand_transition

from ..conftest import make_user, wait_until
from ..enterprises.conftest import register
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from ..workcalendar.test_calendar import NOTICE_2027, at
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def test_a_calendar_recount_whose_worker_is_killed_moves_each_deadline_once(
    killable_workers, dropped_after, monkeypatch
):
    from public_schema.tenants.services import tenant_provision

    started = time.monotonic()
    suffix = secrets.token_hex(2)
    slugs = [f"cal{label}{suffix}" for label in ("east", "mid", "west")]
    demands = {}
    for slug in slugs:
        dropped_after.append(slug)
        tenant_provision(name=f"日历断电 {slug}", slug=slug, kind="park", admin_email=f"admin@{slug}.cn")
        with schema_context(slug):
            admin = make_user(slug, role=roles.PARK_ADMIN)
            registration = register(slug)
            monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 12, 28, 9))
            demand = demand_file(
                enterprise=registration.enterprise,
                filer=registration.user,
                category="utilities",
                title="日历断电：元旦后到期",
                description="年末受理的诉求，办理时限跨入2027年。",
            )
            demands[slug] = demand_transition(demand_id=demand.pk, action="accept", actor=admin)
            monkeypatch.undo()
    first = demands[slugs[0]]
    length = workdays.working_days_between(first.clock_started_at, first.resolution_due_at)
    provisional_due = first.resolution_due_at
    assert workdays.is_provisional(provisional_due)

    def due_dates() -> dict[str, object]:
        dates = {}
        for slug in slugs:
            with schema_context(slug):
                dates[slug] = Demand.objects.get(pk=demands[slug].pk).resolution_due_at
        return dates

    def markers() -> list[str]:
        return sorted(CalendarRecount.objects.filter(year=2027).values_list("schema_name", flat=True))

    mid = slugs[1]
    try:
        with tasks_on_queue(killable_workers.queue, recount_all_task, recount_task):
            with row_held(
                f"SELECT 1 FROM {Demand._meta.db_table} WHERE id = %s FOR UPDATE",
                [demands[mid].pk],
                schema=mid,
            ):
                calendar_year_enter(year=2027, notice=NOTICE_2027, actor=None)
                expected = workdays.working_days_after(at(2026, 12, 28, 9), length)
                assert expected > provisional_due  # 1 January 2027 is a day off now
                killable_workers.start()
                waiter = wait_for_lock_waiter(containing=Demand._meta.db_table)
                # Stopped in the middle of the second park's recount: its marker is not committed.
                assert mid not in markers() and "public" in markers()
                assert due_dates()[mid] == provisional_due
                in_flight = killable_workers.received("workcalendar.recount")[-1]
                done_before = [slug for slug in slugs if due_dates()[slug] == expected]
                killable_workers.kill()
                print(
                    f"killed the worker in {mid}'s recount ({done_before} done), {elapsed_since(started)} s in"
                )
            backend_gone(waiter["pid"])
        connection.set_schema_to_public()
        assert mid not in markers()
        assert due_dates()[mid] == provisional_due

        killable_workers.start_after_visibility_timeout()
        live = sorted(["public", *Tenant.objects.live().values_list("schema_name", flat=True)])
        wait_until(lambda: markers() == live, timeout=60, message="every schema recounted")
        assert killable_workers.received("workcalendar.recount").count(in_flight) >= 2
        time.sleep(0.5)  # a late redelivery must move nothing again
        assert due_dates() == {slug: expected for slug in slugs}
        assert markers() == live  # one marker per schema
        for slug in slugs:
            with schema_context(slug):
                assert not workdays.is_provisional(Demand.objects.get(pk=demands[slug].pk).resolution_due_at)
        print(f"{len(live)} schemas recounted once each, {elapsed_since(started)} s in all")
    finally:
        killable_workers.stop_all()
        connection.set_schema_to_public()
        CalendarRecount.objects.filter(year=2027).delete()
        CalendarYear.objects.filter(year=2027).delete()
        entered_schedules_forget()
        working_calendar_refresh()
