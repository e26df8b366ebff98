"""The hub's figures equal those worked out by hand from the seeded data (see conftest)."""

import datetime as dt
from decimal import Decimal

from public_schema.hub.selectors import HubFilters, hub_ranking, hub_stats
from public_schema.tenants.services import tenant_suspend

DISTRICTS = HubFilters(kind="district")


def by_slug(stats):
    return {row.tenant.schema_name: row.values for row in stats.rows}


def test_figures_per_tenant_and_city_equal_the_hand_computed_ones(seeded):
    stats = hub_stats(filters=DISTRICTS)
    figures = by_slug(stats)
    assert set(figures) == {"east", "west", "north"}
    east, west, north, city = figures["east"], figures["west"], figures["north"], stats.city.values

    assert (east["enterprises"], east["enterprises_verified"], east["enterprises_above_size"]) == (4, 3, 1)
    assert (city["enterprises"], city["enterprises_verified"], city["enterprises_above_size"]) == (7, 5, 2)
    assert (east["applications"], west["applications"], north["applications"], city["applications"]) == (
        3,
        1,
        1,
        5,
    )

    assert (east["approval_rate"], west["approval_rate"], north["approval_rate"]) == (50.0, 100.0, 0.0)
    assert city["approval_rate"] == 50.0  # 2 approvals of 4 decisions
    assert (east["median_days"], east["p90_days"]) == (4.0, 4.8)  # 3 and 5 working days
    assert (west["median_days"], north["median_days"]) == (8.0, 2.0)
    assert city["median_days"] == 4.0 and round(city["p90_days"], 6) == 7.1  # 2, 3, 5, 8

    assert city["funds_budgeted"] == Decimal("1700000.00")
    assert (east["funds_approved"], west["funds_approved"], city["funds_approved"]) == (
        Decimal("100000.00"),
        Decimal("50000.00"),
        Decimal("150000.00"),
    )
    assert (east["funds_disbursed"], city["funds_disbursed"]) == (Decimal("100000.00"), Decimal("100000.00"))

    # E3 waits in 审核 past its due date; W1 sits on public notice past its due date.
    assert (east["overdue_now"], west["overdue_now"], north["overdue_now"], city["overdue_now"]) == (
        1,
        1,
        0,
        2,
    )


def test_on_time_rate_per_stage_comes_from_the_history(seeded):
    stats = hub_stats(filters=DISTRICTS)
    city_stages = {
        row["stage"]: (row["exits"], row["on_time"], row["rate"])
        for row in stats.timeliness
        if row["tenant_id"] is None
    }
    # 审核 left by E1, E2, N1 in time and by W1 three days late; E1 left 公示 and 拨付 in time.
    assert city_stages == {"审核": (4, 3, 75.0), "公示": (1, 1, 100.0), "拨付": (1, 1, 100.0)}
    figures = by_slug(stats)
    assert (figures["east"]["on_time_rate"], figures["west"]["on_time_rate"]) == (100.0, 0.0)
    assert stats.city.values["on_time_rate"] == 83.3


def test_applications_by_status_and_stage(seeded):
    stats = hub_stats(filters=DISTRICTS)
    city = {(row["status"], row["stage"]): row["n"] for row in stats.by_status if row["tenant_id"] is None}
    assert city == {
        ("disbursed", "拨付"): 1,
        ("rejected", "审核"): 2,
        ("in_review", "审核"): 1,
        ("approved", "公示"): 1,
    }


def test_the_date_range_narrows_decisions_and_funds(seeded):
    stats = hub_stats(
        filters=HubFilters(kind="district", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 6))
    )
    city = stats.city.values
    # Decided in the range: E1 approved after 3 working days, N1 rejected after 2.
    assert (city["approvals"], city["rejections"], city["approval_rate"], city["median_days"]) == (
        1,
        1,
        50.0,
        2.5,
    )
    assert city["funds_approved"] == Decimal("100000.00") and city["funds_disbursed"] == 0  # paid on 03-10
    assert city["applications"] == 5


def test_ranking_orders_tenants_on_the_chosen_figure(seeded):
    stats = hub_stats(filters=DISTRICTS)
    ranked = [row.tenant.schema_name for row in hub_ranking(stats=stats, figure="approval_rate")]
    assert ranked == ["west", "east", "north"]
    fastest = [row.tenant.schema_name for row in hub_ranking(stats=stats, figure="median_days")]
    assert fastest == ["north", "east", "west"]


def test_a_suspended_tenant_is_shown_as_suspended_and_can_be_left_out(seeded):
    tenant_suspend(tenant=seeded.west.tenant, reason="合同到期")
    everyone = hub_stats(filters=DISTRICTS)
    assert {row.tenant.schema_name: row.tenant.status for row in everyone.rows}["west"] == "suspended"
    assert everyone.city.values["funds_approved"] == Decimal("150000.00")
    active = hub_stats(filters=HubFilters(kind="district", status="active"))
    assert "west" not in by_slug(active) and active.city.values["funds_approved"] == Decimal("100000.00")
    only = hub_stats(filters=HubFilters(kind="district", status="suspended"))
    assert list(by_slug(only)) == ["west"]


def test_a_tenant_created_a_second_ago_appears_with_zeros(db):
    from .conftest import district

    district("fresh")
    figures = by_slug(hub_stats(filters=DISTRICTS))["fresh"]
    assert figures["enterprises"] == 0 and figures["applications"] == 0 and figures["funds_budgeted"] == 0
    assert figures["approval_rate"] is None and figures["median_days"] is None and figures["overdue_now"] == 0


def test_one_schema_per_statement_gives_the_same_figures(seeded, settings):
    """Large cities run in chunks of schemas; the city totals and percentiles must not change."""
    whole = hub_stats(filters=DISTRICTS)
    settings.PARKHUB_HUB_SCHEMAS_PER_STATEMENT = 1
    chunked = hub_stats(filters=DISTRICTS)
    assert chunked.city.values == whole.city.values
    assert [row.values for row in chunked.rows] == [row.values for row in whole.rows]
    assert chunked.timeliness == whole.timeliness


def test_percentiles_from_a_histogram_match_percentile_cont():
    from public_schema.hub.selectors import percentile_from_histogram

    assert percentile_from_histogram({2: 1, 3: 1, 5: 1, 8: 1}, 0.5) == 4.0
    assert round(percentile_from_histogram({2: 1, 3: 1, 5: 1, 8: 1}, 0.9), 6) == 7.1
    assert percentile_from_histogram({4: 3}, 0.9) == 4.0 and percentile_from_histogram({}, 0.5) is None
