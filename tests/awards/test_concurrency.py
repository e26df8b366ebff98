"""Payments and approvals at once, for real: threads with their own database connections.

A tranche clicked twice (two clerks, a retry) is paid once; many tranches and approvals
of one programme at once leave paid ≤ committed ≤ budget, with every sum exact.
"""

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_drop, tenant_provision
from saas.workflow import TransitionRefused
from tenant_schema.applications.services import application_transition
from tenant_schema.awards.models import Tranche, TrancheHistory
from tenant_schema.awards.selectors import programme_money
from tenant_schema.awards.services import award_plan, tranche_pay
from tenant_schema.enterprises.services import enterprise_verify

from ..applications.conftest import make_programme
from ..conftest import make_user
from ..enterprises.conftest import register
from ..factories import ApplicationFactory
from .conftest import days

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture(scope="module")
def park(django_db_setup, django_db_blocker):
    slug = f"awards{secrets.token_hex(3)}"
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        tenant_provision(
            name=f"拨付并发园区 {slug}", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"a@{slug}.test"
        )
        people = {
            "admin": make_user(slug, role=roles.PARK_ADMIN),
            "reviewer": make_user(slug, role=roles.REVIEWER),
        }
        try:
            yield slug, people
        finally:
            connection.set_schema_to_public()
            for tenant in Tenant.objects.filter(schema_name=slug):
                tenant_drop(tenant=tenant)


def _at_disbursement(slug, people, programme, *, approve=True, amount="100000.00"):
    registration = register(slug)
    with schema_context(slug):
        enterprise_verify(enterprise=registration.enterprise, actor=people["admin"])
        application = ApplicationFactory(
            registration=registration, programme=programme, requested_amount=amount
        )
        steps = [
            ("submit", registration.user),
            ("advance", people["reviewer"]),
            ("advance", people["reviewer"]),
        ]
        for action, actor in steps:
            application_transition(application_id=application.pk, action=action, actor=actor)
        if approve:
            application_transition(
                application_id=application.pk, action="approve", actor=people["admin"], amount=amount
            )
            application_transition(application_id=application.pk, action="advance", actor=people["admin"])
    return application


def _at_once(n, work):
    barrier = threading.Barrier(n)

    def one(index):
        try:
            barrier.wait(timeout=30)
            return work(index)
        except Exception as error:  # noqa: BLE001  (the outcome is what the test counts)
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_a_tranche_paid_by_eight_clerks_at_once_is_paid_once(park):
    slug, people = park
    with schema_context(slug):
        programme = make_programme(title=f"并发拨付 {secrets.token_hex(2)}")
    application = _at_disbursement(slug, people, programme)
    with schema_context(slug):
        award = award_plan(
            application_id=application.pk,
            actor=people["admin"],
            tranches=[
                {"amount": "40000", "condition": "signing", "due_on": days(1)},
                {"amount": "60000", "condition": "milestone", "due_on": days(60)},
            ],
        )
        first = award.tranches.get(position=1)

    def pay(index):
        with schema_context(slug):
            return tranche_pay(tranche_id=first.pk, actor=people["admin"], reference=f"BANK-{index}")

    outcomes = _at_once(8, pay)
    paid = [o for o in outcomes if isinstance(o, Tranche)]
    refused = [o for o in outcomes if isinstance(o, TransitionRefused)]
    assert (len(paid), len(refused)) == (1, 7), outcomes
    with schema_context(slug):
        assert TrancheHistory.objects.filter(tranche=first).count() == 1
        assert programme_money(programme_id=programme.pk)["paid"] == Decimal("40000.00")


def test_payments_and_approvals_at_once_keep_paid_within_committed_within_budget(park):
    slug, people = park
    with schema_context(slug):
        programme = make_programme(title=f"并发预算 {secrets.token_hex(2)}", budget="600000.00")
    # Four awards planned in two tranches, and four more applications waiting for approval:
    # the budget holds two of them (4 × 100,000 + 2 × 100,000 = 600,000).
    awards = []
    for _ in range(4):
        application = _at_disbursement(slug, people, programme)
        with schema_context(slug):
            awards.append(
                award_plan(
                    application_id=application.pk,
                    actor=people["admin"],
                    tranches=[
                        {"amount": "25000", "condition": "signing", "due_on": days(1)},
                        {"amount": "75000", "condition": "milestone", "due_on": days(60)},
                    ],
                )
            )
    waiting = [_at_disbursement(slug, people, programme, approve=False) for _ in range(4)]
    with schema_context(slug):
        firsts = [award.tranches.get(position=1).pk for award in awards]

    def work(index):
        with schema_context(slug):
            if index < 4:
                return tranche_pay(tranche_id=firsts[index], actor=people["admin"], reference=f"B{index}")
            return application_transition(
                application_id=waiting[index - 4].pk,
                action="approve",
                actor=people["admin"],
                amount="100000.00",
            )

    outcomes = _at_once(8, work)
    assert all(isinstance(o, Tranche) for o in outcomes[:4]), outcomes
    approved = [o for o in outcomes[4:] if not isinstance(o, Exception)]
    assert len(approved) == 2, outcomes
    with schema_context(slug):
        money = programme_money(programme_id=programme.pk)
    assert money["paid"] == Decimal("100000.00")
    assert money["committed"] == Decimal("600000.00") == money["budget"]
    assert money["paid"] <= money["committed"] <= money["budget"]
