"""Date ranges read whole months from the month rows and the partial months at either end from
day rows: the same figures as from day rows alone, as the live computation, and as by hand.

One district, "east", five applications across February to May 2026 (working days from the
working-day calendar: Saturday 28 February 2026 is a make-up working day, 6 April is Qingming):

    application  submitted        decided           outcome   working days  amount
    A1           Fri 2026-02-27   Wed 2026-03-04    approved  4             10 000
    A2           Mon 2026-03-16   Thu 2026-03-19    rejected  3
    A3           Tue 2026-03-31   Thu 2026-04-02    approved  2             20 000
    A4           Mon 2026-04-13   Tue 2026-04-21    rejected  6
    A5           Mon 2026-05-11   —                 in review

Enterprises (besides the applicants, registered today): 10 February, 15 March (verified), 20 April.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from public_schema.hub import rollups, selectors
from public_schema.hub.rollups import rollup_refresh
from public_schema.hub.selectors import HubFilters, hub_stats_rollup, period_cover
from tenant_schema.enterprises.services import enterprise_verify

from ..enterprises.conftest import register
from .conftest import Park, at
from .test_rollups import assert_same

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "months", "days"),
    [
        # partial February, the whole of March, partial April
        (
            D(2026, 2, 15),
            D(2026, 4, 10),
            (D(2026, 3, 1), D(2026, 3, 1)),
            [(D(2026, 2, 15), D(2026, 2, 28)), (D(2026, 4, 1), D(2026, 4, 10))],
        ),
        (D(2026, 3, 1), D(2026, 4, 30), (D(2026, 3, 1), D(2026, 4, 1)), []),  # whole months only
        (D(2026, 3, 10), D(2026, 3, 25), None, [(D(2026, 3, 10), D(2026, 3, 25))]),  # inside one month
        (
            D(2026, 3, 10),
            D(2026, 4, 5),
            None,
            [(D(2026, 3, 10), D(2026, 4, 5))],
        ),  # two partial months, no whole one
        (D(2025, 12, 1), D(2026, 1, 31), (D(2025, 12, 1), D(2026, 1, 1)), []),  # across the year
        (D(2024, 2, 1), D(2024, 2, 29), (D(2024, 2, 1), D(2024, 2, 1)), []),  # leap February
        (
            D(1970, 1, 1),
            D(2026, 3, 15),
            (D(1970, 1, 1), D(2026, 2, 1)),
            [(D(2026, 3, 1), D(2026, 3, 15))],
        ),  # no start
        (D(2026, 3, 31), D(2026, 3, 31), None, [(D(2026, 3, 31), D(2026, 3, 31))]),  # one day
    ],
)
def test_a_range_is_covered_by_whole_months_and_at_most_two_partial_months(start, end, months, days):
    assert period_cover(start, end) == (months, days)
    # Every day of the range exactly once.
    covered = []
    if months:
        month = months[0]
        while month <= months[1]:
            following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            covered += [month + dt.timedelta(days=n) for n in range((following - month).days)]
            month = following
    for first, last in days:
        covered += [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    assert sorted(covered) == [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.fixture
def across_months(db):
    east = Park("east", budget="1000000.00")
    for submitted, decided, action, amount in (
        ("2026-02-27", "2026-03-04", "approve", "10000.00"),
        ("2026-03-16", "2026-03-19", "reject", None),
        ("2026-03-31", "2026-04-02", "approve", "20000.00"),
        ("2026-04-13", "2026-04-21", "reject", None),
        ("2026-05-11", None, None, None),
    ):
        application = east.apply(east.enterprise(verified=True), submitted=submitted)
        if action:
            east.act(application, action, decided, **({"amount": amount} if amount else {}))
    # Three enterprises registered on known days (the applicants above register today):
    # 10 February, 15 March (verified), 20 April.
    for day, verified in (("2026-02-10", False), ("2026-03-15", True), ("2026-04-20", False)):
        with at(day):
            registration = register("east")
        if verified:
            with schema_context("east"), at(day):
                enterprise_verify(enterprise=registration.enterprise, actor=east.staff)
    rollup_refresh(schema_name="east")
    return east


def only_day_rows(start, end):
    return None, [(start, end)]


RANGES = [
    HubFilters(kind="district", date_from=D(2026, 2, 15), date_to=D(2026, 4, 10)),
    HubFilters(kind="district", date_from=D(2026, 3, 1), date_to=D(2026, 4, 30)),
    HubFilters(kind="district", date_from=D(2026, 3, 10), date_to=D(2026, 3, 25)),
    HubFilters(kind="district", date_to=D(2026, 3, 31)),
    HubFilters(kind="district", date_from=D(2026, 3, 5)),
]


def test_the_refresh_writes_month_rows_that_sum_the_day_rows(across_months):
    columns = ", ".join(f"sum({column})" for column in rollups.DAY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"""
SELECT date_trunc('month', day)::date, {columns} FROM hub_rollupday r JOIN tenants_tenant t ON t.id = r.tenant_id
WHERE t.schema_name = 'east' AND NOT month AND day IS NOT NULL GROUP BY 1 ORDER BY 1""")
        from_days = cursor.fetchall()
        cursor.execute(f"""
SELECT day, {columns} FROM hub_rollupday r JOIN tenants_tenant t ON t.id = r.tenant_id
WHERE t.schema_name = 'east' AND month GROUP BY day ORDER BY day""")
        months = cursor.fetchall()
    assert months == from_days
    # (The enterprises are registered today, outside the workflow's clock: their month is there too.)
    assert {D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1)} <= {row[0] for row in months}


@pytest.mark.parametrize("filters", RANGES)
def test_month_and_day_rows_give_the_figures_of_day_rows_alone_and_of_the_live_path(
    across_months, filters, monkeypatch
):
    assert_same(filters)
    from_months = hub_stats_rollup(filters=filters)
    monkeypatch.setattr(selectors, "period_cover", only_day_rows)
    from_days = hub_stats_rollup(filters=filters)
    assert from_months.city.values == from_days.city.values
    assert [row.values for row in from_months.rows] == [row.values for row in from_days.rows]
    assert from_months.by_status == from_days.by_status and from_months.timeliness == from_days.timeliness


def test_a_range_across_months_gives_the_hand_counted_figures(across_months):
    # Partial February, the whole of March, partial April: A1, A2, A3 submitted and decided.
    city = hub_stats_rollup(filters=RANGES[0]).city.values
    assert (city["applications"], city["approvals"], city["rejections"], city["approval_rate"]) == (
        3,
        2,
        1,
        66.7,
    )
    assert city["funds_approved"] == Decimal("30000.00")
    assert city["median_days"] == 3.0 and round(city["p90_days"], 6) == 3.8  # 2, 3, 4 working days
    # March and April, whole months: A2, A3, A4 submitted; A1 to A4 decided.
    city = hub_stats_rollup(filters=RANGES[1]).city.values
    assert (city["applications"], city["approvals"], city["rejections"], city["approval_rate"]) == (
        3,
        2,
        2,
        50.0,
    )
    assert city["median_days"] == 3.5 and round(city["p90_days"], 6) == 5.4  # 2, 3, 4, 6
    # Inside March: A2 only.
    city = hub_stats_rollup(filters=RANGES[2]).city.values
    assert (city["applications"], city["rejections"], city["approval_rate"], city["median_days"]) == (
        1,
        1,
        0.0,
        3.0,
    )


def test_enterprises_are_counted_as_registered_by_the_end_of_the_range(across_months):
    def registered(filters):
        city = hub_stats_rollup(filters=filters).city.values
        return city["enterprises"], city["enterprises_verified"]

    assert registered(RANGES[0]) == (2, 1)  # by 10 April: 10 February, 15 March
    assert registered(RANGES[1]) == (3, 1)  # by 30 April: and 20 April
    assert registered(RANGES[2]) == (2, 1)  # by 25 March, whatever the range's start
    assert registered(HubFilters(kind="district", date_to=D(2026, 3, 14))) == (1, 0)
    assert registered(HubFilters(kind="district", date_to=D(2026, 2, 9))) == (0, 0)
    # Nothing happened in June: the latest day before it counts.
    assert registered(HubFilters(kind="district", date_from=D(2026, 6, 1), date_to=D(2026, 6, 30))) == (3, 1)
