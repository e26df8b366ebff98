"""Subscriptions without Stripe: vouchers, offline transfer, renewal, expiry and reminders, ratings, revenue."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_schema.billing.models import Payment, Subscription, Voucher
from tenant_schema.billing.selectors import (
    days_left,
    provider_ranking,
    revenue_by_month,
    service_list,
    subscription_entitles,
)
from tenant_schema.billing.services import (
    add_months,
    provider_create,
    rating_submit,
    service_create,
    service_update,
    subscription_activate,
    subscription_cancel,
    subscription_checkout,
    subscription_confirm_transfer,
    subscriptions_sweep,
    voucher_issue,
)
from tenant_schema.billing.tasks import subscriptions_sweep_task

from ..conftest import ALPHA

TODAY = timezone.localdate


def _voucher(admin, enterprise, *, kind="amount", value="300.00", days=30, service=None):
    with schema_context(ALPHA):
        return voucher_issue(
            actor=admin,
            enterprise=enterprise,
            kind=kind,
            value=Decimal(value),
            expires_on=TODAY() + timedelta(days=days),
            service=service,
        )


def _buy(buyer, service, **kwargs):
    kwargs.setdefault("term_months", 3)
    with schema_context(ALPHA):
        return subscription_checkout(actor=buyer.user, service=service, **kwargs)


# ---------------------------------------------------------------------------
# Vouchers
# ---------------------------------------------------------------------------


def test_a_voucher_that_covers_the_price_starts_the_term_without_stripe(
    no_stripe, buyer, service, park_admin_a, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    voucher = _voucher(park_admin_a, buyer.enterprise, value="300.00")
    with django_capture_on_commit_callbacks(execute=True):
        checkout = _buy(buyer, service, voucher_code=voucher.code.lower(), method="stripe")
    subscription = checkout.subscription
    assert checkout.redirect_url == ""
    assert subscription.status == Subscription.Status.ACTIVE
    assert (subscription.list_price, subscription.discount, subscription.amount_due) == (
        Decimal("300.00"),
        Decimal("300.00"),
        Decimal("0.00"),
    )
    assert subscription.ends_at == add_months(subscription.starts_at, 3)
    assert (
        checkout.payment.method == Payment.Method.VOUCHER
        and checkout.payment.status == Payment.Status.SUCCEEDED
    )
    with schema_context(ALPHA):
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.USED
        assert subscription_entitles(enterprise=buyer.enterprise, service=service)
    assert len(mailoutbox) == 1


def test_a_percentage_voucher_lowers_the_amount_due(fake_stripe, buyer, service, park_admin_a):
    voucher = _voucher(park_admin_a, buyer.enterprise, kind="percent", value="25")
    checkout = _buy(buyer, service, term_months=6, voucher_code=voucher.code, method="stripe")
    assert checkout.subscription.amount_due == Decimal("450.00")  # 6 × 100 − 25 %
    assert fake_stripe.requests[0]["params"]["line_items"][0]["price_data"]["unit_amount"] == "45000"


def test_a_voucher_cannot_be_used_twice(no_stripe, buyer, service, second_service, park_admin_a):
    voucher = _voucher(park_admin_a, buyer.enterprise, value="10000.00")
    _buy(buyer, service, voucher_code=voucher.code)
    with pytest.raises(ValidationError) as refused:
        _buy(buyer, second_service, voucher_code=voucher.code)
    assert "已被使用" in refused.value.message_dict["voucher_code"][0]  # Chinese by default


def test_a_voucher_cannot_be_used_by_another_enterprise(no_stripe, buyer, other_buyer, service, park_admin_a):
    voucher = _voucher(park_admin_a, buyer.enterprise)
    with pytest.raises(ValidationError) as refused:
        _buy(other_buyer, service, voucher_code=voucher.code)
    assert "voucher_code" in refused.value.message_dict
    with schema_context(ALPHA):
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.AVAILABLE
        assert not Subscription.objects.filter(enterprise=other_buyer.enterprise).exists()


def test_a_voucher_cannot_be_used_after_it_expires(no_stripe, buyer, service, park_admin_a):
    voucher = _voucher(park_admin_a, buyer.enterprise)
    with schema_context(ALPHA):
        Voucher.objects.filter(pk=voucher.pk).update(expires_on=TODAY() - timedelta(days=1))  # time passes
    with pytest.raises(ValidationError) as refused:
        _buy(buyer, service, voucher_code=voucher.code)
    assert "过期" in refused.value.message_dict["voucher_code"][0]
    with pytest.raises(ValidationError):
        _voucher(park_admin_a, buyer.enterprise, days=-1)


def test_only_the_park_issues_vouchers(buyer, park_admin_a):
    with pytest.raises(PermissionDenied), schema_context(ALPHA):
        voucher_issue(
            actor=buyer.user,
            enterprise=buyer.enterprise,
            kind="amount",
            value=Decimal("10"),
            expires_on=TODAY(),
        )


def test_cancelling_an_unpaid_order_frees_its_voucher(no_stripe, buyer, service, park_admin_a):
    voucher = _voucher(park_admin_a, buyer.enterprise, value="100.00")
    checkout = _buy(buyer, service, voucher_code=voucher.code, method="offline")
    assert checkout.subscription.status == Subscription.Status.PENDING_PAYMENT
    with schema_context(ALPHA):
        subscription_cancel(actor=buyer.user, subscription=checkout.subscription)
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.AVAILABLE
        assert Subscription.objects.get(pk=checkout.subscription.pk).status == Subscription.Status.CANCELLED


def test_two_checkouts_racing_for_one_voucher_use_it_once(no_stripe, committed_shop):
    shop = committed_shop
    voucher = _voucher(shop.admin, shop.x.enterprise, value="10000.00")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def buy(service):
        try:
            barrier.wait()
            _buy(shop.x, service, voucher_code=voucher.code)
            outcomes.append("bought")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(s,)) for s in (shop.service, shop.second_service)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["bought", "refused"]
    with schema_context(ALPHA):
        assert Subscription.objects.filter(voucher=voucher).count() == 1


# ---------------------------------------------------------------------------
# Offline transfer, public welfare, renewal
# ---------------------------------------------------------------------------


def test_an_offline_transfer_starts_the_term_when_the_park_confirms_receipt(
    no_stripe, buyer, service, park_admin_a, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        checkout = _buy(buyer, service, method="offline")
    assert len(mailoutbox) == 1 and park_admin_a.email in mailoutbox[0].to  # the park hears of the transfer
    with schema_context(ALPHA):
        assert not subscription_entitles(enterprise=buyer.enterprise, service=service)
        with pytest.raises(PermissionDenied):
            subscription_confirm_transfer(actor=buyer.user, subscription=checkout.subscription)
        before = timezone.now()
        subscription = subscription_confirm_transfer(
            actor=park_admin_a, subscription=checkout.subscription, reference="BOC-889"
        )
        assert subscription.status == Subscription.Status.ACTIVE and subscription.starts_at >= before
        payment = subscription.payments.get()
        assert (payment.status, payment.confirmed_by, payment.transfer_reference) == (
            Payment.Status.SUCCEEDED,
            park_admin_a,
            "BOC-889",
        )
        assert subscription_entitles(enterprise=buyer.enterprise, service=service)
        with pytest.raises(ValidationError):
            subscription_confirm_transfer(actor=park_admin_a, subscription=subscription)


def test_a_public_welfare_service_is_free_and_starts_at_once(no_stripe, buyer, park_admin_a):
    with schema_context(ALPHA):
        free = service_create(actor=park_admin_a, name="政策宣讲", price=Decimal("0"))
    checkout = _buy(buyer, free)
    assert checkout.subscription.status == Subscription.Status.ACTIVE
    assert checkout.payment.method == Payment.Method.FREE and checkout.payment.amount == 0


def test_a_renewal_extends_from_the_current_end_date_not_from_today(no_stripe, buyer, service, park_admin_a):
    first = _buy(buyer, service, method="offline").subscription
    with schema_context(ALPHA):
        first = subscription_confirm_transfer(actor=park_admin_a, subscription=first)
    renewal = _buy(buyer, service, term_months=6, method="offline", renews=first).subscription
    with schema_context(ALPHA):
        renewal = subscription_confirm_transfer(actor=park_admin_a, subscription=renewal)
    assert renewal.starts_at == first.ends_at
    assert renewal.ends_at == add_months(first.ends_at, 6)
    with schema_context(ALPHA):
        # Access runs without a gap from the first term into the renewal.
        assert subscription_entitles(enterprise=buyer.enterprise, service=service, at=first.ends_at)
        assert not subscription_entitles(enterprise=buyer.enterprise, service=service, at=renewal.ends_at)


def test_a_term_must_be_one_the_service_offers(no_stripe, buyer, service):
    with pytest.raises(ValidationError) as refused:
        _buy(buyer, service, term_months=5, method="offline")
    assert "term_months" in refused.value.message_dict


def test_the_park_cannot_buy_and_an_enterprise_cannot_edit_the_catalogue(buyer, service, park_admin_a):
    with schema_context(ALPHA):
        with pytest.raises(PermissionDenied):
            subscription_checkout(actor=park_admin_a, service=service, term_months=3)
        with pytest.raises(PermissionDenied):
            service_update(actor=buyer.user, service=service, price=Decimal("1"))


# ---------------------------------------------------------------------------
# Expiry and reminders (the hourly job)
# ---------------------------------------------------------------------------


def _active_since(buyer, service, park_admin_a, started):
    """A 3-month term whose payment was confirmed at `started` (the service takes the moment as a parameter)."""
    checkout = _buy(buyer, service, method="offline")
    with schema_context(ALPHA):
        subscription_activate(payment=checkout.payment, actor=park_admin_a, now=started)
        return Subscription.objects.get(pk=checkout.subscription.pk)


def test_the_expiry_job_run_twice_sends_one_reminder(
    no_stripe, buyer, service, park_admin_a, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    subscription = _active_since(buyer, service, park_admin_a, add_months(now, -3) + timedelta(days=5))
    assert timedelta(days=4) < subscription.ends_at - now < timedelta(days=6)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), schema_context(ALPHA):
        subscriptions_sweep_task.run()
        subscriptions_sweep_task.run()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [buyer.user.email]
    assert service.name in mailoutbox[0].subject
    # A day before the end the second reminder goes, once.
    with django_capture_on_commit_callbacks(execute=True), schema_context(ALPHA):
        subscriptions_sweep(now=subscription.ends_at - timedelta(hours=20))
        subscriptions_sweep(now=subscription.ends_at - timedelta(hours=19))
    assert len(mailoutbox) == 2


def test_access_ends_at_the_end_date_and_the_job_marks_it_expired(no_stripe, buyer, service, park_admin_a):
    now = timezone.now()
    subscription = _active_since(buyer, service, park_admin_a, add_months(now, -3) - timedelta(hours=1))
    with schema_context(ALPHA):
        assert subscription_entitles(
            enterprise=buyer.enterprise, service=service, at=subscription.ends_at - timedelta(seconds=1)
        )
        # Access has ended even before the job runs.
        assert not subscription_entitles(enterprise=buyer.enterprise, service=service)
        assert subscriptions_sweep_task.run()["expired"] == 1
        assert subscriptions_sweep_task.run()["expired"] == 0
        assert Subscription.objects.get(pk=subscription.pk).status == Subscription.Status.EXPIRED


def test_a_term_continued_by_a_paid_renewal_gets_no_reminder(
    no_stripe, buyer, service, park_admin_a, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    first = _active_since(buyer, service, park_admin_a, add_months(now, -3) + timedelta(days=3))
    renewal = _buy(buyer, service, method="offline", renews=first).subscription
    with schema_context(ALPHA):
        subscription_confirm_transfer(actor=park_admin_a, subscription=renewal)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), schema_context(ALPHA):
        subscriptions_sweep()
    assert mailoutbox == []


def test_days_left_counts_a_started_day(no_stripe, buyer, service, park_admin_a):
    now = timezone.now()
    subscription = _active_since(
        buyer, service, park_admin_a, add_months(now, -3) + timedelta(days=2, hours=1)
    )
    assert days_left(subscription, at=now) == 3


# ---------------------------------------------------------------------------
# Ratings, catalogue figures, providers, revenue
# ---------------------------------------------------------------------------


def test_ratings_after_use_feed_the_catalogue_and_the_provider_ranking(
    no_stripe, buyer, other_buyer, service, second_service, park_admin_a
):
    with schema_context(ALPHA):
        institution = provider_create(actor=park_admin_a, name="青岛某律师事务所")
        service_update(actor=park_admin_a, service=service, provider=institution)
        with pytest.raises(ValidationError):
            rating_submit(actor=buyer.user, service=service, score=5)  # not used yet
    for enterprise in (buyer, other_buyer):
        subscription = _buy(enterprise, service, method="offline").subscription
        with schema_context(ALPHA):
            subscription_confirm_transfer(actor=park_admin_a, subscription=subscription)
    with schema_context(ALPHA):
        rating_submit(actor=buyer.user, service=service, score=5, comment="响应快")
        rating_submit(actor=other_buyer.user, service=service, score=4)
        rating_submit(actor=other_buyer.user, service=service, score=3)  # rating again replaces it
        with pytest.raises(ValidationError):
            rating_submit(actor=buyer.user, service=service, score=6)
        listed = {s.pk: s for s in service_list(user=buyer.user)}
        assert listed[service.pk].average_rating == 4 and listed[service.pk].subscriber_count == 2
        assert listed[second_service.pk].subscriber_count == 0
        ranking = provider_ranking()
        assert ranking[0].name == "青岛某律师事务所" and ranking[0].subscription_count == 2
        assert ranking[-1].is_park


def test_revenue_per_month_counts_what_was_received(no_stripe, buyer, service, park_admin_a):
    subscription = _buy(buyer, service, method="offline").subscription
    with schema_context(ALPHA):
        subscription_confirm_transfer(actor=park_admin_a, subscription=subscription)
        months = revenue_by_month()
    this_month = timezone.localdate().replace(day=1)
    assert months[0].month.date() == this_month
    assert months[0].received == Decimal("300.00") and months[0].net == Decimal("300.00")
