"""Offered ⇔ accepted for billing's three workflows and enterprise verification.

As for applications and demands (test_offered_equals_accepted.py): every state × role ×
action, the object put in that state in the database, `workflow.actions_for(user, obj)`
asked, and the service asked to apply each action inside a savepoint rolled back after.
A person's move goes through the service a page or the API calls for it (cancelling,
refunding, withdrawing a voucher, rejecting, resubmitting); the moves with no page of
their own (a payment confirmed, a term ended, a voucher used) and everything "system"
does (Stripe's webhooks, the sweep) go through the one service that applies the
workflow, billing_move or enterprise_verification_move.
"""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.billing import workflow as billing_wf
from tenant_schema.billing.models import Payment, Subscription, Voucher
from tenant_schema.billing.services import (
    service_create,
    subscription_cancel,
    subscription_checkout,
    subscription_refund,
    voucher_issue,
    voucher_void,
)
from tenant_schema.billing.services.moves import billing_move
from tenant_schema.enterprises import workflow as verification_wf
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.services import (
    enterprise_reject,
    enterprise_resubmit,
    enterprise_verification_move,
)

from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register
from .test_offered_equals_accepted import _walk

BOUND_SECONDS = 60


@pytest.fixture
def in_alpha(db, tenant_a):
    with schema_context(ALPHA):
        yield


def _people(owner) -> dict:
    return {
        "owner": owner.user,
        "other enterprise": register(ALPHA).user,
        "reviewer": make_user(ALPHA, role=roles.REVIEWER),
        "park administrator": make_user(ALPHA, role=roles.PARK_ADMIN),
        "system": None,
    }


def _move(obj, action, user, **fields):
    billing_move(obj=obj, action=action, enterprise_id=billing_wf.enterprise_id_of(obj), actor=user, **fields)


def _an_order(owner, admin) -> tuple[Subscription, Payment]:
    """An order paid by transfer; its payment is kept "succeeded" so that a refund has something to give back."""
    service = service_create(actor=admin, name="走查服务", price=Decimal("100.00"), term_options=[3])
    checkout = subscription_checkout(
        actor=owner.user, service=service, term_months=3, method=Payment.Method.OFFLINE
    )
    return checkout.subscription, checkout.payment


def test_subscriptions_offer_exactly_what_the_services_accept(in_alpha):
    started = time.monotonic()
    owner = register(ALPHA, name="青岛走查订单有限公司")
    people = _people(owner)
    subscription, payment = _an_order(owner, people["park administrator"])
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.SUCCEEDED)
    now = timezone.now()
    disagreements, walked = [], 0
    for status in Subscription.Status.values:
        Subscription.objects.filter(pk=subscription.pk).update(
            status=status, starts_at=now, ends_at=now + timedelta(days=90)
        )
        obj = Subscription.objects.get(pk=subscription.pk)

        def apply(action, user, pk=subscription.pk):
            locked = Subscription.objects.get(pk=pk)
            if user is not None and action == billing_wf.CANCEL:
                subscription_cancel(actor=user, subscription=locked)
            elif user is not None and action == billing_wf.REFUND:
                subscription_refund(actor=user, subscription=locked)
            else:
                _move(locked, action, user)

        disagreements += _walk(billing_wf.SUBSCRIPTION_WORKFLOW, status, obj, people, apply)
        walked += 1
    assert walked == 5
    assert disagreements == []
    assert time.monotonic() - started < BOUND_SECONDS


def test_payments_offer_exactly_what_the_service_accepts(in_alpha):
    started = time.monotonic()
    owner = register(ALPHA, name="青岛走查支付有限公司")
    people = _people(owner)
    _subscription, payment = _an_order(owner, people["park administrator"])
    disagreements, walked = [], 0
    for status in Payment.Status.values:
        Payment.objects.filter(pk=payment.pk).update(status=status)
        obj = Payment.objects.select_related("subscription").get(pk=payment.pk)

        def apply(action, user, pk=payment.pk):
            _move(Payment.objects.select_related("subscription").get(pk=pk), action, user)

        disagreements += _walk(billing_wf.PAYMENT_WORKFLOW, status, obj, people, apply)
        walked += 1
    assert walked == 5
    assert disagreements == []
    assert time.monotonic() - started < BOUND_SECONDS


def test_vouchers_offer_exactly_what_the_services_accept(in_alpha):
    started = time.monotonic()
    owner = register(ALPHA, name="青岛走查服务券有限公司")
    people = _people(owner)
    voucher = voucher_issue(
        actor=people["park administrator"],
        enterprise=owner.enterprise,
        kind=Voucher.Kind.AMOUNT,
        value=Decimal("50.00"),
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    disagreements, walked = [], 0
    for status in Voucher.Status.values:
        Voucher.objects.filter(pk=voucher.pk).update(status=status)
        obj = Voucher.objects.get(pk=voucher.pk)

        def apply(action, user, pk=voucher.pk):
            locked = Voucher.objects.get(pk=pk)
            if user is not None and action == billing_wf.VOID:
                voucher_void(actor=user, voucher=locked)
            else:
                _move(locked, action, user)

        disagreements += _walk(billing_wf.VOUCHER_WORKFLOW, status, obj, people, apply)
        walked += 1
    assert walked == 3
    assert disagreements == []
    assert time.monotonic() - started < BOUND_SECONDS


def test_verification_offers_exactly_what_the_services_accept(in_alpha):
    started = time.monotonic()
    owner = register(ALPHA, name="青岛走查认证有限公司")
    people = _people(owner)
    disagreements, walked = [], 0
    for status in Enterprise.Status.values:
        Enterprise.objects.filter(pk=owner.enterprise.pk).update(status=status)
        obj = Enterprise.objects.get(pk=owner.enterprise.pk)

        def apply(action, user, pk=owner.enterprise.pk):
            enterprise = Enterprise.objects.get(pk=pk)
            if action == verification_wf.REJECT:
                enterprise_reject(enterprise=enterprise, actor=user, reason="走查：材料不全")
            elif action == verification_wf.RESUBMIT:
                enterprise_resubmit(enterprise=enterprise, actor=user)
            else:
                # enterprise_verify is this plus a no-op for an enterprise already verified (a double-click).
                enterprise_verification_move(
                    enterprise=enterprise, action=action, actor=user, verified_at=timezone.now()
                )

        disagreements += _walk(verification_wf.VERIFICATION_WORKFLOW, status, obj, people, apply)
        walked += 1
    assert walked == 3
    assert disagreements == []
    assert time.monotonic() - started < BOUND_SECONDS
