"""The demo seed: demands replayed through the real services, overdue and reopened ones included,
and the park's figures equal a count by hand over the seeded rows."""

import random
from decimal import Decimal

from tenant_schema.demands.demo import demands_seed_demo
from tenant_schema.demands.models import Demand, DemandEvent
from tenant_schema.demands.selectors import _rate, demand_figures, demand_supervision_list
from tenant_schema.enterprises.demo import demo_accounts_ensure, enterprises_seed_demo

from .conftest import at


def test_the_demo_seed_and_its_figures_counted_by_hand(in_alpha, db, clock):
    now = at(2026, 11, 20, 15)
    clock.set(now)
    enterprises_seed_demo(count=40, above_size=4, rng=random.Random("demo-test"))
    demo_accounts_ensure(password="demo-password-1")
    assert demands_seed_demo(rng=random.Random("demo-test-demands"), count=40, now=now) == 40
    assert (
        demands_seed_demo(rng=random.Random("demo-test-demands"), count=40, now=now) == 0
    )  # safe to run again
    demands = list(Demand.objects.all())
    statuses = {d.status for d in demands}
    assert {"closed", "reopened", "accepted"} <= statuses
    assert demand_supervision_list(now=now).count() >= 2  # overdue ones
    assert all(DemandEvent.objects.filter(demand=d, action="file").count() == 1 for d in demands)
    assert Demand.objects.filter(rating="unsatisfied", status="reopened").count() >= 2

    # By hand, row by row in Python, with the definitions the figures document.
    received = len(demands)
    resolved = sum(d.status == "closed" for d in demands)
    reply_due = [
        d for d in demands if d.first_reply_due_at and (d.first_replied_at or d.first_reply_due_at < now)
    ]
    replied_on_time = sum(
        1
        for d in demands
        if d.first_replied_at and d.first_reply_due_at and d.first_replied_at <= d.first_reply_due_at
    )
    resolution_due = [
        d
        for d in demands
        if d.resolution_due_at and (d.status in ("answered", "closed") or d.resolution_due_at < now)
    ]
    resolved_on_time = sum(
        1
        for d in demands
        if d.status in ("answered", "closed") and d.answered_at and d.answered_at <= d.resolution_due_at
    )
    rated = [d for d in demands if d.rating]
    satisfied = sum(d.rating in ("satisfied", "basically_satisfied") for d in rated)

    total = demand_figures(now=now).total
    assert (total.received, total.resolved) == (received, resolved)
    assert (total.reply_due, total.replied_on_time) == (len(reply_due), replied_on_time)
    assert (total.resolution_due, total.resolved_on_time) == (len(resolution_due), resolved_on_time)
    assert (total.rated, total.satisfied) == (len(rated), satisfied)
    assert total.resolution_rate == _rate(resolved, received) and total.resolution_rate > Decimal("50")
    by_category = demand_figures(now=now, by="category").rows
    assert sum(row.received for row in by_category) == received
    for row in by_category:
        assert row.resolved == sum(d.status == "closed" for d in demands if d.category == row.key)
