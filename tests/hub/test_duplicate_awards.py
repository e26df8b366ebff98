"""The city-wide award registry and the duplicate-award check."""

import datetime as dt

from public_schema.hub.models import AwardRecord
from public_schema.hub.selectors import duplicate_award_list, duplicate_awards_for

from .conftest import Park


def award(park, registration, day="2026-03-05"):
    application = park.apply(registration, submitted="2026-03-02")
    return park.act(application, "approve", day, amount="50000.00")


def test_one_code_awarded_by_two_sub_platforms_in_the_same_category_is_flagged(db):
    east, west = Park("dupeast", budget="500000.00"), Park("dupwest", budget="500000.00")
    at_east = east.enterprise(verified=True)
    code = at_east.enterprise.credit_code
    at_west = west.enterprise(verified=True, credit_code=code)
    award(east, at_east, "2026-03-05")
    assert AwardRecord.objects.filter(credit_code=code).count() == 1
    # The reviewer in the west, about to approve, is warned of the east's award.
    warned = duplicate_awards_for(
        credit_code=code,
        category="award",
        exclude_schema="dupwest",
        at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
    )
    assert [(record.tenant.schema_name, record.amount) for record in warned] == [("dupeast", 50000)]
    assert (
        duplicate_awards_for(
            credit_code=code,
            category="award",
            exclude_schema="dupeast",
            at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
        )
        == []
    )
    assert duplicate_award_list() == []  # one award is no duplicate

    award(west, at_west, "2026-03-12")
    [row] = duplicate_award_list()
    assert (row["credit_code"], row["category"], row["tenants"], row["awards"]) == (code, "award", 2, 2)
    assert row["amount"] == 100000


def test_the_same_code_awarded_in_different_categories_is_not_flagged(db):
    east, south = Park("catawd", budget="500000.00"), Park("catsub", budget="500000.00", category="subsidy")
    at_east = east.enterprise(verified=True)
    code = at_east.enterprise.credit_code
    award(east, at_east)
    award(south, south.enterprise(verified=True, credit_code=code))
    assert AwardRecord.objects.filter(credit_code=code).count() == 2
    assert duplicate_award_list() == []
    assert (
        duplicate_awards_for(
            credit_code=code,
            category="award",
            exclude_schema="catsub",
            at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
        )[0].category
        == "award"
    )
    assert (
        duplicate_awards_for(
            credit_code=code,
            category="subsidy",
            exclude_schema="catsub",
            at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
        )
        == []
    )


def test_awards_more_than_twelve_months_apart_are_not_flagged(db):
    east, west = Park("oldeast", budget="500000.00"), Park("oldwest", budget="500000.00")
    at_east = east.enterprise(verified=True)
    code = at_east.enterprise.credit_code
    award(east, at_east)
    AwardRecord.objects.filter(credit_code=code).update(approved_at=dt.datetime(2025, 1, 5, tzinfo=dt.UTC))
    award(west, west.enterprise(verified=True, credit_code=code))
    assert duplicate_award_list() == []


def test_a_refused_approval_leaves_no_award_record(db):
    east = Park("refused", budget="10000.00")
    registration = east.enterprise(verified=True)
    application = east.apply(registration, submitted="2026-03-02", amount="50000.00")
    try:
        east.act(application, "approve", "2026-03-05", amount="50000.00")  # over the budget
    except Exception:  # noqa: BLE001 - the refusal itself is tested in tests/applications
        pass
    assert not AwardRecord.objects.filter(credit_code=registration.enterprise.credit_code).exists()


def test_operators_see_the_duplicate_list_page(db, hub_client, hub_operator):
    east, west = Park("pageeast", budget="500000.00"), Park("pagewest", budget="500000.00")
    at_east = east.enterprise(verified=True)
    code = at_east.enterprise.credit_code
    award(east, at_east)
    award(west, west.enterprise(verified=True, credit_code=code))
    hub_client.force_login(hub_operator)
    html = hub_client.get("/dashboard/duplicate-awards/").content.decode()
    assert code in html and "Pageeast 街道" in html and "Pagewest 街道" in html
