"""Every change of an order, a subscription, a payment and a voucher leaves a history row PostgreSQL keeps.

Each change is made through the service, as the product makes it; then raw SQL tries to
UPDATE and DELETE the row it wrote, and PostgreSQL refuses both (issue 21, item 3).
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_schema.billing.models import (
    Payment,
    PaymentHistory,
    Subscription,
    SubscriptionHistory,
    Voucher,
    VoucherHistory,
)
from tenant_schema.billing.services import (
    payment_sync_from_stripe,
    subscription_cancel,
    subscription_checkout,
    subscription_confirm_transfer,
    subscription_refund,
    subscriptions_sweep,
    voucher_issue,
    voucher_void,
)

from ..conftest import ALPHA, make_user

TABLES = {
    SubscriptionHistory: "billing_subscriptionhistory",
    PaymentHistory: "billing_paymenthistory",
    VoucherHistory: "billing_voucherhistory",
}


def assert_kept_by_postgresql(entry) -> None:
    """Raw SQL cannot change or remove the row: PostgreSQL's trigger refuses, whoever asks."""
    table = TABLES[type(entry)]
    for statement in (
        f"UPDATE {table} SET comment = 'forged', actor_id = NULL WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(ProgrammingError, match="pgtrigger"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    kept = type(entry).objects.get(pk=entry.pk)
    assert (kept.comment, kept.actor_id) == (entry.comment, entry.actor_id)


def last(history_model, **lookup):
    return history_model.objects.filter(**lookup).order_by("-created_at", "-pk").first()


def steps(history_model, **lookup) -> list[tuple[str, str, str]]:
    return list(history_model.objects.filter(**lookup).values_list("action", "from_status", "to_status"))


def _voucher(admin, enterprise, **kwargs):
    kwargs.setdefault("kind", Voucher.Kind.AMOUNT)
    kwargs.setdefault("value", Decimal("50.00"))
    return voucher_issue(
        actor=admin, enterprise=enterprise, expires_on=timezone.localdate() + timedelta(days=30), **kwargs
    )


def test_an_order_paid_by_transfer_and_refunded_leaves_each_step_in_three_histories(
    no_stripe, buyer, service, park_admin_a
):
    with schema_context(ALPHA):
        voucher = _voucher(park_admin_a, buyer.enterprise)
        checkout = subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline", voucher_code=voucher.code
        )
        subscription, payment = checkout.subscription, checkout.payment
        subscription = subscription_confirm_transfer(
            actor=park_admin_a, subscription=subscription, reference="HK20261207"
        )
        subscription_refund(actor=park_admin_a, subscription=subscription)

        assert steps(SubscriptionHistory, subscription=subscription) == [
            ("order", "", "pending_payment"),
            ("activate", "pending_payment", "active"),
            ("refund", "active", "refunded"),
        ]
        assert steps(PaymentHistory, payment=payment) == [
            ("open", "", "pending"),
            ("succeed", "pending", "succeeded"),
            ("refund", "succeeded", "refunded"),
        ]
        assert steps(VoucherHistory, voucher=voucher) == [
            ("issue", "", "available"),
            ("use", "available", "used"),
        ]
        # Who acted: the enterprise ordered, the park confirmed and refunded.
        ordered, activated, refunded = SubscriptionHistory.objects.filter(subscription=subscription)
        assert (ordered.actor, activated.actor, refunded.actor) == (buyer.user, park_admin_a, park_admin_a)
        assert activated.created_at <= refunded.created_at
        for entry in (
            *SubscriptionHistory.objects.filter(subscription=subscription),
            *PaymentHistory.objects.filter(payment=payment),
            *VoucherHistory.objects.filter(voucher=voucher),
        ):
            assert_kept_by_postgresql(entry)


def test_a_cancelled_order_records_its_cancelled_payment_and_freed_voucher(
    no_stripe, buyer, service, park_admin_a
):
    with schema_context(ALPHA):
        voucher = _voucher(park_admin_a, buyer.enterprise)
        checkout = subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline", voucher_code=voucher.code
        )
        subscription_cancel(actor=buyer.user, subscription=checkout.subscription)

        cancelled = last(SubscriptionHistory, subscription=checkout.subscription)
        assert (cancelled.action, cancelled.from_status, cancelled.to_status, cancelled.actor) == (
            "cancel",
            "pending_payment",
            "cancelled",
            buyer.user,
        )
        payment_cancelled = last(PaymentHistory, payment=checkout.payment)
        assert (payment_cancelled.action, payment_cancelled.to_status) == ("cancel", "cancelled")
        freed = last(VoucherHistory, voucher=voucher)
        assert (freed.action, freed.from_status, freed.to_status) == ("release", "used", "available")
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.AVAILABLE
        for entry in (cancelled, payment_cancelled, freed):
            assert_kept_by_postgresql(entry)


def test_withdrawing_a_voucher_is_recorded_with_who_withdrew_it(buyer, park_admin_a):
    with schema_context(ALPHA):
        voucher = _voucher(park_admin_a, buyer.enterprise, kind=Voucher.Kind.PERCENT, value=Decimal("20"))
        voucher_void(actor=park_admin_a, voucher=voucher)
        withdrawn = last(VoucherHistory, voucher=voucher)
        assert (withdrawn.action, withdrawn.from_status, withdrawn.to_status, withdrawn.actor) == (
            "void",
            "available",
            "void",
            park_admin_a,
        )
        assert_kept_by_postgresql(withdrawn)


def test_a_term_ended_by_the_hourly_sweep_is_recorded_with_nobody_as_actor(no_stripe, buyer, free_service):
    with schema_context(ALPHA):
        subscription = subscription_checkout(
            actor=buyer.user, service=free_service, term_months=3
        ).subscription
        assert subscription.status == Subscription.Status.ACTIVE  # nothing to pay
        subscriptions_sweep(now=subscription.ends_at + timedelta(minutes=5))
        ended = last(SubscriptionHistory, subscription=subscription)
        assert (ended.action, ended.from_status, ended.to_status, ended.actor) == (
            "expire",
            "active",
            "expired",
            None,
        )
        assert_kept_by_postgresql(ended)


def test_stripe_paying_and_an_expired_session_are_recorded_as_the_system(
    fake_stripe, buyer, service, second_service
):
    with schema_context(ALPHA):
        paid = subscription_checkout(actor=buyer.user, service=service, term_months=3, method="stripe")
        fake_stripe.complete(paid.payment.stripe_session_id)
        payment_sync_from_stripe(payment=paid.payment)
        expired = subscription_checkout(
            actor=buyer.user, service=second_service, term_months=3, method="stripe"
        )
        fake_stripe.sessions[expired.payment.stripe_session_id]["status"] = "expired"
        assert payment_sync_from_stripe(payment=expired.payment) == Payment.Status.FAILED

        succeeded = last(PaymentHistory, payment=paid.payment)
        activated = last(SubscriptionHistory, subscription=paid.subscription)
        failed = last(PaymentHistory, payment=expired.payment)
        assert (succeeded.action, succeeded.actor) == ("succeed", None)
        assert (activated.action, activated.to_status, activated.actor) == ("activate", "active", None)
        assert (failed.action, failed.from_status, failed.to_status) == ("fail", "pending", "failed")
        for entry in (succeeded, activated, failed):
            assert_kept_by_postgresql(entry)


# ---------------------------------------------------------------------------
# Shown where the object is shown: its page and the API
# ---------------------------------------------------------------------------


def test_the_order_page_shows_its_history_and_each_payments(
    no_stripe, buyer, service, park_admin_a, client_a
):
    with schema_context(ALPHA):
        checkout = subscription_checkout(actor=buyer.user, service=service, term_months=3, method="offline")
        subscription_confirm_transfer(actor=park_admin_a, subscription=checkout.subscription)
    client_a.force_login(buyer.user)
    html = client_a.get(f"/services/subscriptions/{checkout.subscription.pk}/").content.decode()
    assert html.count('class="history-entry"') == 4  # ordered, activated; payment started, paid
    assert "Payment confirmed" in html or "付款已确认" in html


def test_the_api_gives_each_history_and_names_who_acted_to_park_staff_only(
    no_stripe, buyer, service, park_admin_a, client_a
):
    with schema_context(ALPHA):
        checkout = subscription_checkout(actor=buyer.user, service=service, term_months=3, method="offline")
        subscription_confirm_transfer(actor=park_admin_a, subscription=checkout.subscription)
        voucher = _voucher(park_admin_a, buyer.enterprise)
    url = f"/api/billing/subscriptions/{checkout.subscription.pk}/"
    client_a.force_login(buyer.user)
    mine = client_a.get(url).json()
    assert [entry["action"] for entry in mine["history"]] == ["order", "activate"]
    assert [entry["action"] for entry in mine["payments"][0]["history"]] == ["open", "succeed"]
    assert {entry["actor"] for entry in mine["history"]} == {None}
    assert [
        entry["action"] for entry in client_a.get(f"/api/billing/vouchers/{voucher.pk}/").json()["history"]
    ] == ["issue"]
    client_a.force_login(park_admin_a)
    staff = client_a.get(url).json()
    assert staff["history"][1]["actor"] == (park_admin_a.full_name or park_admin_a.email)
    assert (
        staff["history"][1]["from_status"] == "pending_payment"
        and staff["history"][1]["to_status"] == "active"
    )


def test_the_voucher_page_shows_each_vouchers_history(buyer, park_admin_a, client_a):
    with schema_context(ALPHA):
        voucher = _voucher(park_admin_a, buyer.enterprise)
        voucher_void(actor=park_admin_a, voucher=voucher)
    client_a.force_login(park_admin_a)
    html = client_a.get("/park/services/vouchers/").content.decode()
    assert 'class="history voucher-history"' in html
    assert html.count('class="history-entry"') >= 2  # issued, withdrawn


@pytest.fixture
def free_service(db, tenant_a, park_admin_a):
    from tenant_schema.billing.services import service_create

    with schema_context(ALPHA):
        return service_create(actor=park_admin_a, name="政策宣讲", price=Decimal("0"), term_options=[3])


def test_a_reviewer_is_no_actor_of_any_billing_move(buyer, service):
    """The workflows' roles: the park's reviewers look at orders, they do not move them."""
    from tenant_schema.billing import workflow as wf

    for workflow in (wf.SUBSCRIPTION_WORKFLOW, wf.PAYMENT_WORKFLOW, wf.VOUCHER_WORKFLOW):
        for transition in workflow.transitions.values():
            assert set(transition.actors) <= {wf.OWNER, wf.PARK_ADMIN, wf.SYSTEM}
    reviewer = make_user(ALPHA, role="reviewer")
    of_the_buyer = SimpleNamespace(
        enterprise_id=buyer.enterprise.pk
    )  # what the rules read of an order or voucher
    with schema_context(ALPHA):
        assert {kind for kind, rule in wf.ACTOR_RULES.items() if rule(reviewer, of_the_buyer)} == set()
