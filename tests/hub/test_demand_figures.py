"""Enterprise demands on the hub: per tenant and city-wide, from the rollups and live, equal to a hand count.

Three district sub-platforms, their demands filed and handled through demands' services
(the clock set per step; the figures read on Tuesday 7 April 2026, 12:00 Shanghai):

    east   the nine demands of tests/demands/test_figures.seed_park:
           received 9, resolved 3; first replies due 7, on time 5; answers due 6, on time 3;
           rated 3, satisfied 2
    west   w1 filed 2 March, accepted, answered 3 March (the first reply with it, due 5 March),
           rated satisfied → closed; w2 filed 2 March, never accepted (no deadline):
           received 2, resolved 1; replies 1/1; answers 1/1; rated 1, satisfied 1
    north  n1 filed 2 March, accepted, answered 3 March, rated unsatisfied → reopened with a
           fresh resolution deadline (passed by 7 April), still open:
           received 1, resolved 0; replies 1/1; answers due 1, on time 0; rated 1, satisfied 0

City: received 12, resolved 4 → resolution rate 4/12 = 33.3 % (the average of the tenants'
rates would be 27.8 %); replies 7/9 = 77.8 %; answers 4/8 = 50.0 %; satisfaction 3/5 = 60.0 %.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django_tenants.utils import schema_context

from public_schema.hub.rollups import rollup_refresh_all
from public_schema.hub.selectors import HubFilters, hub_stats, hub_stats_live, hub_stats_rollup
from public_schema.hub.tables import hub_tables
from tenant_schema.demands.selectors import hub_demand_figures

from ..conftest import make_user
from ..demands.conftest import act, clock, file_for  # noqa: F401  (clock is a fixture)
from ..demands.conftest import at as moment
from ..demands.test_figures import seed_park
from ..enterprises.conftest import register
from .conftest import district

DISTRICTS = HubFilters(kind="district")
READ_AT = moment(2026, 4, 7, 12)
COUNTS = [
    "demands_received",
    "demands_resolved",
    "demands_reply_due",
    "demands_replied_on_time",
    "demands_resolution_due",
    "demands_resolved_on_time",
    "demands_rated",
    "demands_satisfied",
]
BY_HAND = {
    "east": dict(zip(COUNTS, (9, 3, 7, 5, 6, 3, 3, 2), strict=True)),
    "west": dict(zip(COUNTS, (2, 1, 1, 1, 1, 1, 1, 1), strict=True)),
    "north": dict(zip(COUNTS, (1, 0, 1, 1, 1, 0, 1, 0), strict=True)),
}
RATES = {  # resolution, on-time reply, on-time resolution, satisfaction
    "east": (33.3, 71.4, 50.0, 66.7),
    "west": (50.0, 100.0, 100.0, 100.0),
    "north": (0.0, 100.0, 0.0, 0.0),
    None: (33.3, 77.8, 50.0, 60.0),
}
RATE_KEYS = [
    "demands_resolution_rate",
    "demands_on_time_reply_rate",
    "demands_on_time_resolution_rate",
    "demands_satisfaction_rate",
]


def staffed(slug):
    staff = make_user(slug, role="reviewer")
    registration = register(slug, name=f"{slug} 诉求统计有限公司")
    return staff, registration


@pytest.fixture
def demands_seeded(db, clock):  # noqa: F811
    tenants = [district("east"), district("west"), district("north")]
    with schema_context("east"):
        staff, registration = staffed("east")
        seed_park(clock, registration, staff)
    with schema_context("west"):
        staff, registration = staffed("west")
        clock.set(moment(2026, 3, 2, 9))
        w1 = file_for(registration)
        act(w1, "accept", staff)
        clock.set(moment(2026, 3, 3, 9))
        act(w1, "answer", staff, comment="已解决")
        act(w1, "rate", registration.user, rating="satisfied")
        clock.set(moment(2026, 3, 2, 10))
        file_for(registration, category="land")
    with schema_context("north"):
        staff, registration = staffed("north")
        clock.set(moment(2026, 3, 2, 9))
        n1 = file_for(registration)
        act(n1, "accept", staff)
        clock.set(moment(2026, 3, 3, 9))
        act(n1, "answer", staff, comment="已协调")
        act(n1, "rate", registration.user, rating="unsatisfied", comment="没有解决")
    # What the debounced hub.rollup_refresh does after commit (the test's transaction never commits).
    rollup_refresh_all()
    clock.set(READ_AT)
    return SimpleNamespace(tenants=tenants)


def by_slug(stats):
    return {row.tenant.schema_name: row.values for row in stats.rows}


def assert_same(filters):
    live, rolled = hub_stats_live(filters=filters), hub_stats_rollup(filters=filters)
    for live_row, rolled_row in zip(live.rows, rolled.rows, strict=True):
        assert rolled_row.values == live_row.values, (filters, live_row.tenant.schema_name)
    assert rolled.city.values == live.city.values, filters


@pytest.mark.parametrize("path", [hub_stats_rollup, hub_stats_live])
def test_figures_per_tenant_and_city_equal_the_hand_count(demands_seeded, path):
    stats = path(filters=DISTRICTS)
    values = by_slug(stats)
    for slug, counts in BY_HAND.items():
        assert {key: values[slug][key] for key in COUNTS} == counts, slug
        assert tuple(values[slug][key] for key in RATE_KEYS) == RATES[slug], slug
    city = stats.city.values
    assert {key: city[key] for key in COUNTS} == {
        key: sum(c[key] for c in BY_HAND.values()) for key in COUNTS
    }
    assert tuple(city[key] for key in RATE_KEYS) == RATES[None]


def test_city_resolution_rate_is_the_ratio_of_sums_not_the_average_of_rates(demands_seeded):
    stats = hub_stats(filters=DISTRICTS)
    city = stats.city.values
    received = sum(row.values["demands_received"] for row in stats.rows)
    resolved = sum(row.values["demands_resolved"] for row in stats.rows)
    assert (resolved, received) == (4, 12)
    assert city["demands_resolution_rate"] == round(100 * resolved / received, 1) == 33.3
    average = sum(row.values["demands_resolution_rate"] for row in stats.rows) / len(stats.rows)
    assert round(average, 1) == 27.8 != city["demands_resolution_rate"]


def test_the_hub_agrees_with_demands_own_hub_figures(demands_seeded):
    report = hub_demand_figures(schema_names=["east", "west", "north"], now=READ_AT)
    values = by_slug(hub_stats(filters=DISTRICTS))
    for row in report.rows:
        assert (
            row.received,
            row.resolved,
            row.reply_due,
            row.replied_on_time,
            row.resolution_due,
            row.resolved_on_time,
            row.rated,
            row.satisfied,
        ) == tuple(values[row.key][key] for key in COUNTS)
        assert float(row.resolution_rate) == values[row.key]["demands_resolution_rate"]
    assert (
        float(report.total.resolution_rate)
        == hub_stats(filters=DISTRICTS).city.values["demands_resolution_rate"]
    )


def test_rollups_equal_live_over_ranges_and_as_the_clock_moves(demands_seeded, clock):  # noqa: F811
    ranges = [
        DISTRICTS,
        HubFilters(kind="district", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)),
        HubFilters(kind="district", date_from=dt.date(2026, 4, 1)),
        HubFilters(kind="district", date_to=dt.date(2026, 3, 2)),
        HubFilters(kind="district", date_from=dt.date(2027, 1, 1)),
        # Partial months at both ends (day rows) around a whole one (month rows).
        HubFilters(kind="district", date_from=dt.date(2026, 2, 20), date_to=dt.date(2026, 4, 3)),
        HubFilters(kind="district", date_from=dt.date(2026, 3, 3), date_to=dt.date(2026, 4, 30)),
    ]
    for when in (moment(2026, 3, 4, 12), moment(2026, 3, 20, 12), READ_AT, moment(2026, 6, 1, 12)):
        clock.set(when)
        for filters in ranges:
            assert_same(filters)
    clock.set(READ_AT)
    march = by_slug(hub_stats_rollup(filters=ranges[1]))
    assert (march["east"]["demands_received"], march["east"]["demands_resolved"]) == (5, 3)
    april = hub_stats_rollup(filters=ranges[2]).city.values
    assert (april["demands_received"], april["demands_resolved"], april["demands_resolution_rate"]) == (
        4,
        0,
        0.0,
    )
    # Before a reply deadline passes, an unreplied demand is not yet in the denominator (no refresh in between).
    clock.set(moment(2026, 3, 5, 12))
    early = by_slug(hub_stats_rollup(filters=DISTRICTS))
    clock.set(READ_AT)
    assert early["east"]["demands_reply_due"] < BY_HAND["east"]["demands_reply_due"]


def test_a_new_demand_reaches_the_rollups_through_the_refresh(
    demands_seeded,
    clock,  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    from unittest import mock

    from public_schema.hub import rollups
    from public_schema.hub.tasks import rollup_refresh_task

    rollups.dirty_flag_clear("west")
    with mock.patch.object(rollup_refresh_task, "apply_async") as send, schema_context("west"):
        with django_capture_on_commit_callbacks(execute=True):
            clock.set(moment(2026, 4, 6, 9))
            demand = file_for(register("west", name="西区新诉求有限公司"))
        assert send.call_count == 1 and send.call_args.kwargs["headers"] == {"_schema_name": "west"}
    rollups.dirty_flag_clear("west")
    clock.set(READ_AT)
    assert by_slug(hub_stats_rollup(filters=DISTRICTS))["west"]["demands_received"] == 2
    rollups.rollup_refresh(schema_name="west")
    assert by_slug(hub_stats_rollup(filters=DISTRICTS))["west"]["demands_received"] == 3
    assert_same(DISTRICTS)
    assert demand.pk


def test_dashboard_wall_export_and_api_carry_the_demand_figures(demands_seeded, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    table = next(t for t in hub_tables(stats=hub_stats(filters=DISTRICTS)) if t.key == "demands")
    assert table.rows[-1].get("_city") and len(table.rows) == 4
    assert table.rows[-1]["demands_resolution_rate"] == 33.3
    spec = table.chart_spec()
    assert len(spec["series"]) == 4 and spec["series"][0]["data"] == [33.3, 50.0, 0.0]
    page = hub_client.get("/dashboard/?kind=district")
    assert "demands" in [t.key for t in page.context["tables"]]
    assert any(spec["key"] == "demands" for spec in page.context["charts"])
    wall = hub_client.get("/dashboard/wall/?kind=district")
    assert any(spec["key"] == "demands" for spec in wall.context["charts"])
    assert wall.context["city"]["demands_satisfaction_rate"] == 60.0
    csv_lines = (
        hub_client.get("/dashboard/?kind=district&format=csv&table=demands")
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert (
        len(csv_lines) == 5
        and csv_lines[1].startswith("East 街道,")
        and ",9,3,33.3,71.4,50.0,66.7" in csv_lines[1]
    )
    body = hub_client.get("/api/hub/stats/?kind=district").json()
    city = body["city"]
    assert (city["demands_received"], city["demands_resolved"], city["demands_resolution_rate"]) == (
        12,
        4,
        33.3,
    )
    assert (
        city["demands_on_time_reply_rate"],
        city["demands_on_time_resolution_rate"],
        city["demands_satisfaction_rate"],
    ) == (77.8, 50.0, 60.0)
    assert body["tenants"][1]["figures"]["demands_received"] == 2
