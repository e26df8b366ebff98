"""The rollup tables give the same figures as the live computation, and are kept current."""

import datetime as dt
from unittest import mock

from django.db import connection
from django_tenants.utils import schema_context

from public_schema.hub import rollups
from public_schema.hub.selectors import HubFilters, hub_stats, hub_stats_live, hub_stats_rollup
from public_schema.hub.tasks import rollup_reconcile_all_task, rollup_refresh_task
from public_schema.tenants.models import Tenant

from .conftest import at

DISTRICTS = HubFilters(kind="district")
RANGES = [
    DISTRICTS,
    HubFilters(kind="district", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 6)),
    HubFilters(kind="district", date_from=dt.date(2026, 3, 5)),
    HubFilters(kind="district", date_to=dt.date(2026, 3, 4)),
    HubFilters(kind="district", date_from=dt.date(2027, 1, 1)),
]


def assert_same(filters):
    live, rolled = hub_stats_live(filters=filters), hub_stats_rollup(filters=filters)
    assert [row.tenant.pk for row in rolled.rows] == [row.tenant.pk for row in live.rows]
    for live_row, rolled_row in zip(live.rows, rolled.rows, strict=True):
        assert rolled_row.values == live_row.values, (filters, live_row.tenant.schema_name)
    assert rolled.city.values == live.city.values, filters
    assert rolled.by_status == live.by_status, filters
    assert rolled.timeliness == live.timeliness, filters


def test_rollups_equal_the_live_figures_after_transitions_in_three_tenants(seeded):
    for filters in RANGES:
        assert_same(filters)
    # More transitions, then the refresh: still equal.
    east = seeded.east
    e5 = east.enterprise(verified=True, above=True)
    application = east.apply(e5, submitted="2026-03-16")
    east.act(application, "approve", "2026-03-18", amount="30000.00")
    for filters in RANGES:
        assert_same(filters)
    assert hub_stats(filters=DISTRICTS).city.values["approvals"] == 3


def test_overdue_now_follows_the_clock_without_a_refresh(seeded):
    # E3 is due 2026-03-10 (5 working days from 03-03); W1's notice is due 03-19.
    with at("2026-03-09"):
        assert hub_stats_rollup(filters=DISTRICTS).city.values["overdue_now"] == 0
    with at("2026-03-11"):
        stats = hub_stats_rollup(filters=DISTRICTS)
        assert (
            stats.city.values["overdue_now"]
            == 1
            == hub_stats_live(filters=DISTRICTS).city.values["overdue_now"]
        )
    assert hub_stats_rollup(filters=DISTRICTS).city.values["overdue_now"] == 2


def test_the_refresh_is_safe_to_run_twice(seeded):
    before = hub_stats(filters=DISTRICTS)
    counts = []
    for _ in range(2):
        assert rollups.rollup_refresh(schema_name="east")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM hub_rollupday), (SELECT count(*) FROM hub_rollupstatus),"
                " (SELECT count(*) FROM hub_rolluptenant)"
            )
            counts.append(cursor.fetchone())
    assert counts[0] == counts[1]
    after = hub_stats(filters=DISTRICTS)
    assert after.city.values == before.city.values and after.by_status == before.by_status
    assert rollups.rollup_refresh(schema_name="no_such_tenant") is False


def test_a_tenant_created_a_second_ago_appears_with_zeros_before_and_after_its_refresh(db):
    from .conftest import district

    district("fresh")
    for _ in range(2):
        figures = {row.tenant.schema_name: row.values for row in hub_stats_rollup(filters=DISTRICTS).rows}[
            "fresh"
        ]
        assert figures["enterprises"] == 0 and figures["applications"] == 0 and figures["overdue_now"] == 0
        assert figures["funds_budgeted"] == 0 and figures["subscriptions_active"] == 0
        assert figures["median_days"] is None and figures["approval_rate"] is None
        rollups.rollup_refresh(schema_name="fresh")


def test_a_burst_of_transitions_queues_one_debounced_refresh(seeded, django_capture_on_commit_callbacks):
    rollups.dirty_flag_clear("east")
    east = seeded.east
    with mock.patch.object(rollup_refresh_task, "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True):
            e5 = east.enterprise(verified=True)
            east.apply(e5, submitted="2026-03-16")
        assert send.call_count == 1
        assert send.call_args.kwargs["headers"] == {"_schema_name": "east"}
        assert send.call_args.kwargs["countdown"] == rollups.debounce_seconds()
        # The task clears the flag when it starts: the next change queues a new refresh.
        with schema_context("east"):
            assert rollup_refresh_task.run() is True
        with django_capture_on_commit_callbacks(execute=True):
            east.enterprise()
        assert send.call_count == 2
    rollups.dirty_flag_clear("east")


def test_nothing_is_queued_for_a_transaction_that_rolls_back(seeded, django_capture_on_commit_callbacks):
    from django.db import transaction

    with mock.patch.object(rollup_refresh_task, "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True) as callbacks, schema_context("west"):
            try:
                with transaction.atomic():
                    rollups.rollup_touch()
                    raise RuntimeError
            except RuntimeError:
                pass
        assert callbacks == [] and send.call_count == 0


def test_the_nightly_reconciliation_queues_one_refresh_per_live_tenant(seeded):
    with mock.patch.object(rollup_refresh_task, "apply_async") as send:
        queued = rollup_reconcile_all_task.run()
    live = set(Tenant.objects.live().values_list("schema_name", flat=True))
    assert (
        queued == len(live)
        and {call.kwargs["headers"]["_schema_name"] for call in send.call_args_list} == live
    )
    assert {"east", "west", "north"} <= live


def test_the_beat_schedule_runs_the_reconciliation_nightly():
    from saas.celery import app

    assert any(entry["task"] == "hub.rollup_reconcile_all" for entry in app.conf.beat_schedule.values())


def test_the_live_path_stays_available(seeded, settings):
    settings.PARKHUB_HUB_ROLLUPS = False
    live = hub_stats(filters=DISTRICTS)
    settings.PARKHUB_HUB_ROLLUPS = True
    assert live.city.values == hub_stats(filters=DISTRICTS).city.values
