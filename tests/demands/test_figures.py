"""The figures Jiaozhou publishes, computed by PostgreSQL, equal those counted by hand."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tenant_schema.demands.models import Demand
from tenant_schema.demands.selectors import demand_figures, hub_demand_figures

from ..conftest import ALPHA, BETA, make_user
from ..enterprises.conftest import register
from .conftest import act, at, file_for


def seed_park(clock, registration, staff):
    """Nine demands of park A in March and April 2026, each with a known outcome."""
    user = registration.user

    def filed(when, category="utilities"):
        clock.set(when)
        return file_for(registration, category=category, title=f"{category}-{when:%m%d%H}")

    # March: 5 demands.
    a = filed(at(2026, 3, 2, 9))  # accepted, replied and answered on time, rated satisfied → resolved on time
    act(a, "accept", staff)
    clock.set(at(2026, 3, 3, 9))
    act(a, "reply", staff, comment="已联系")
    clock.set(at(2026, 3, 10, 9))
    act(a, "answer", staff, comment="已解决")
    act(a, "rate", user, rating="satisfied")
    b = filed(
        at(2026, 3, 2, 10), "financing"
    )  # answered late (first reply by the answer, late too), basically satisfied
    act(b, "accept", staff)
    clock.set(at(2026, 3, 30, 9))
    act(b, "answer", staff, comment="贷款已放款")
    act(b, "rate", user, rating="basically_satisfied")
    c = filed(at(2026, 3, 3, 9), "financing")  # answered on time, silence → closed without rating
    act(c, "accept", staff)
    clock.set(at(2026, 3, 4, 9))
    act(c, "answer", staff, comment="政策已解读")
    d = filed(at(2026, 3, 4, 9), "land")  # answered on time, unsatisfied → reopened, still open
    act(d, "accept", staff)
    clock.set(at(2026, 3, 5, 9))
    act(d, "reply", staff, comment="现场查看")
    clock.set(at(2026, 3, 6, 9))
    act(d, "answer", staff, comment="已协调")
    act(d, "rate", user, rating="unsatisfied", comment="没有解决")
    e = filed(at(2026, 3, 5, 9), "land")  # accepted, never replied: overdue on both deadlines
    act(e, "accept", staff)
    # April: 4 demands.
    f = filed(at(2026, 4, 1, 9))  # not accepted yet: no deadline
    g = filed(at(2026, 4, 1, 10))  # replied on time, not answered, resolution not yet due
    act(g, "accept", staff)
    clock.set(at(2026, 4, 2, 9))
    act(g, "reply", staff, comment="处理中")
    h = filed(at(2026, 4, 2, 10), "permits")  # answered on time, awaiting rating
    act(h, "accept", staff)
    clock.set(at(2026, 4, 3, 9))
    act(h, "answer", staff, comment="已办结")
    i = filed(at(2026, 4, 3, 10), "permits")  # accepted, first reply not yet due
    act(i, "accept", staff)
    clock.set(at(2026, 4, 7, 9))
    from tenant_schema.demands.services import demands_close_unrated

    assert demands_close_unrated() == 1  # c: answered 4 March, 5 working days passed
    clock.set(at(2026, 4, 7, 12))  # the moment the figures are read: Tuesday 7 April 2026
    return dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g, h=h, i=i)


@pytest.fixture
def seeded(db, clock, in_alpha):
    registration = register(ALPHA, name="青岛统计测试有限公司")
    staff = make_user(ALPHA, role="reviewer")
    return seed_park(clock, registration, staff)


def test_park_figures_equal_the_hand_count(seeded, clock):
    statuses = {key: Demand.objects.get(pk=d.pk).status for key, d in seeded.items()}
    assert statuses == {
        "a": "closed",
        "b": "closed",
        "c": "closed",
        "d": "reopened",
        "e": "accepted",
        "f": "submitted",
        "g": "in_progress",
        "h": "answered",
        "i": "accepted",
    }
    total = demand_figures(now=clock.now).total
    # By hand: 9 received; a, b, c closed → 3 resolved (c without rating).
    assert (total.received, total.resolved, total.closed_without_rating) == (9, 3, 1)
    assert total.resolution_rate == Decimal("33.3")
    # First reply due or given: a, b, c, d, e, g, h (i not yet due, f not accepted) = 7;
    # on time: a, c, d, g, h = 5 (b answered 30 March after a 5 March deadline; e never replied).
    assert (total.reply_due, total.replied_on_time, total.on_time_reply_rate) == (7, 5, Decimal("71.4"))
    # Resolution answered or past due: a, b, c (closed), h (answered); d reopened with a fresh deadline
    # (25 March + …) — reopened 6 March, due 27 March: past; e due 26 March: past. = 6;
    # answered by the deadline in force: a, c, h = 3 (b late).
    assert (total.resolution_due, total.resolved_on_time, total.on_time_resolution_rate) == (
        6,
        3,
        Decimal("50.0"),
    )
    # Rated: a satisfied, b basically satisfied, d unsatisfied (c closed without rating) → 2 of 3.
    assert (total.rated, total.satisfied, total.satisfaction_rate) == (3, 2, Decimal("66.7"))
    assert total.overdue == 2  # d and e


def test_figures_by_category_and_by_month(seeded, clock):
    by_category = {row.key: row for row in demand_figures(by="category", now=clock.now).rows}
    assert list(by_category) == [
        "financing",
        "labour",
        "land",
        "utilities",
        "permits",
        "technology",
        "market",
        "other",
    ]
    assert (by_category["utilities"].received, by_category["utilities"].resolved) == (3, 1)  # a, f, g
    assert (by_category["financing"].received, by_category["financing"].resolved) == (2, 2)  # b, c
    assert by_category["financing"].resolution_rate == Decimal("100.0")
    assert (
        by_category["land"].received,
        by_category["land"].overdue,
        by_category["land"].satisfaction_rate,
    ) == (2, 2, Decimal("0.0"))
    assert (by_category["permits"].received, by_category["permits"].resolved) == (2, 0)
    assert by_category["labour"].received == 0 and by_category["labour"].resolution_rate is None
    by_month = {row.key: row for row in demand_figures(by="month", now=clock.now).rows}
    assert list(by_month) == ["2026-03", "2026-04"]
    assert (by_month["2026-03"].received, by_month["2026-03"].resolved) == (5, 3)
    assert (by_month["2026-04"].received, by_month["2026-04"].resolved) == (4, 0)
    assert demand_figures(by="month", now=clock.now, year=2025).total.received == 0


def test_hub_figures_over_two_parks_in_one_query(seeded, clock, tenant_b):
    with schema_context(BETA):
        registration = register(BETA, name="胶州乙园统计有限公司")
        staff = make_user(BETA, role="reviewer")
        clock.set(at(2026, 3, 2, 9))
        demand = file_for(registration)
        act(demand, "accept", staff)
        clock.set(at(2026, 3, 3, 9))
        act(demand, "answer", staff, comment="已解决")
        act(demand, "rate", registration.user, rating="satisfied")
    clock.set(at(2026, 4, 7, 12))
    report = hub_demand_figures(schema_names=[ALPHA, BETA, "no_such_schema"], now=clock.now)
    rows = {row.key: row for row in report.rows}
    assert list(rows) == [ALPHA, BETA] and rows[BETA].label == "Beta Park"
    assert (rows[ALPHA].received, rows[ALPHA].resolved) == (9, 3)
    assert (rows[BETA].received, rows[BETA].resolved, rows[BETA].satisfaction_rate) == (
        1,
        1,
        Decimal("100.0"),
    )
    assert (report.total.received, report.total.resolved) == (10, 4)
    assert report.total.resolution_rate == Decimal("40.0")
    assert (report.total.rated, report.total.satisfied) == (4, 3)
