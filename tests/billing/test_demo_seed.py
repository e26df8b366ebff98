"""The billing demo seed: providers, services, subscriptions in every state, vouchers and ratings, once."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_schema.billing.demo import billing_seed_demo
from tenant_schema.billing.models import Payment, Provider, Rating, Service, Subscription, Voucher
from tenant_schema.billing.selectors import (
    provider_ranking,
    subscription_entitles,
    transfers_awaiting_confirmation,
    vouchers_usable,
)
from tenant_schema.enterprises.demo import demo_accounts_ensure, enterprises_seed_demo
from tenant_schema.enterprises.models import Enterprise

from ..conftest import ALPHA, PASSWORD

S = Subscription.Status


@pytest.fixture
def seeded(db, tenant_a, park_admin_a, django_capture_on_commit_callbacks):
    """Park A with 30 demo enterprises, the demo logins and the billing demo (no mail queued)."""
    with schema_context(ALPHA):
        enterprises_seed_demo(count=30, above_size=5, rng=random.Random(1))
        demo_accounts_ensure(password=PASSWORD)
        with django_capture_on_commit_callbacks() as callbacks:
            totals = billing_seed_demo(rng=random.Random("parkhub-demo-billing:alpha"))
        # Nothing goes through saas.celery.send_on_commit (billing's and notifications' mail).
        assert not [callback for callback in callbacks if callback.__qualname__.startswith("send_on_commit")]
        yield totals


def test_every_subscription_state_and_a_catalogue_to_rank(seeded):
    assert seeded["added"] > 0
    counts = {status: Subscription.objects.filter(status=status).count() for status in S.values}
    assert all(
        counts[status] > 0 for status in (S.ACTIVE, S.EXPIRED, S.PENDING_PAYMENT, S.CANCELLED, S.REFUNDED)
    ), counts
    assert {status: seeded[status] for status in S.values} == counts
    assert 2 <= Provider.objects.count() <= 3
    assert 6 <= Service.objects.count() <= 10
    assert Service.objects.filter(price=0).exists() and Service.objects.filter(price__gt=0).exists()
    assert Service.objects.filter(provider__isnull=True).exists()  # the park's own services
    soon = Subscription.objects.filter(status=S.ACTIVE, ends_at__lte=timezone.now() + timedelta(days=7))
    assert soon.exists() and not soon.filter(reminder_7d_sent_at__isnull=False).exists()
    assert transfers_awaiting_confirmation().count() == counts[S.PENDING_PAYMENT]
    assert Rating.objects.count() >= 5
    ranking = provider_ranking()
    assert len(ranking) >= 3 and sum(rank.average_rating is not None for rank in ranking) >= 2


def test_history_and_payments_agree_with_each_subscription(seeded):
    for subscription in Subscription.objects.prefetch_related("history", "payments"):
        history = list(subscription.history.all())
        assert history[0].from_status == "" and history[-1].to_status == subscription.status
        methods = {payment.method for payment in subscription.payments.all()}
        assert Payment.Method.STRIPE not in methods
        if subscription.status in (S.ACTIVE, S.EXPIRED):
            assert subscription.payments.filter(status=Payment.Status.SUCCEEDED).count() == 1
            assert subscription.starts_at < subscription.ends_at
        if subscription.status == S.REFUNDED:
            assert subscription.payments.filter(status=Payment.Status.REFUNDED).exists()


def test_active_subscriptions_entitle_and_ended_ones_do_not(seeded):
    active = Subscription.objects.filter(status=S.ACTIVE).select_related("enterprise", "service")
    assert active.exists()
    for subscription in active:
        assert subscription_entitles(enterprise=subscription.enterprise, service=subscription.service)
    ended = Subscription.objects.exclude(status=S.ACTIVE).select_related("enterprise", "service")
    for subscription in ended:
        assert not subscription_entitles(enterprise=subscription.enterprise, service=subscription.service)
    assert (
        ended.filter(status=S.EXPIRED, ends_at__lt=timezone.now()).count()
        == ended.filter(status=S.EXPIRED).count()
    )


def test_vouchers_issued_used_expired_and_withdrawn(seeded):
    today = timezone.localdate()
    vouchers = Voucher.objects.all()
    assert vouchers.filter(status=Voucher.Status.USED, subscription__isnull=False).exists()
    assert vouchers.filter(status=Voucher.Status.AVAILABLE, expires_on__gte=today).exists()
    assert vouchers.filter(status=Voucher.Status.AVAILABLE, expires_on__lt=today).exists()  # expired
    assert vouchers.filter(status=Voucher.Status.VOID).exists()
    assert Subscription.objects.filter(
        voucher__isnull=False, payments__method=Payment.Method.VOUCHER
    ).exists()


def test_the_demo_enterprise_login_has_an_active_subscription_and_a_voucher(seeded):
    qiye1 = Enterprise.objects.get(memberships__user__email=f"qiye1@{ALPHA}.demo")
    active = Subscription.objects.filter(enterprise=qiye1, status=S.ACTIVE)
    assert active.count() == 1
    assert subscription_entitles(enterprise=qiye1, service=active.get().service)
    assert vouchers_usable(enterprise=qiye1).exists()


def test_a_second_run_adds_nothing(seeded):
    before = {
        model: model.objects.count() for model in (Provider, Service, Subscription, Voucher, Rating, Payment)
    }
    again = billing_seed_demo(rng=random.Random("parkhub-demo-billing:alpha"))
    assert again["added"] == 0
    assert {model: model.objects.count() for model in before} == before
