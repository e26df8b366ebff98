"""Orders: an enterprise checks out a term, pays it online or by transfer, or cancels it.

An order is a subscription waiting for payment (Subscription.Status.PENDING_PAYMENT);
its moves and history are the subscription's (tenant_schema/billing/workflow.py), its payment attempts
and voucher have their own.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.celery import send_on_commit
from saas.uniqueness import unique_rules
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.selectors import enterprise_of_user

from .. import stripe_gateway
from .. import workflow as wf
from ..models import ONE_PENDING_ORDER, Payment, Service, Subscription
from . import access
from .moves import history_record
from .payments import (
    payment_open,
    payment_stripe_session_open,
    payment_succeed,
    payment_sync_from_stripe,
    payments_cancel_pending,
)
from .subscriptions import subscription_activate, subscription_lock, subscription_transition
from .transfers import order_pay_by
from .vouchers import voucher_discount, voucher_lock_for_use, voucher_release, voucher_use

User = get_user_model()

CHECKOUT_SESSION_REUSE = timedelta(minutes=50)


@dataclass(frozen=True)
class Checkout:
    subscription: Subscription
    payment: Payment
    # Where to send the enterprise next: Stripe's payment page, or empty when nothing is left to pay online.
    redirect_url: str = ""


def _enterprise_for_purchase(actor: User) -> Enterprise:
    enterprise = enterprise_of_user(user=actor)
    if enterprise is None:
        raise PermissionDenied(_("Only an enterprise's own people can buy services for it."))
    if enterprise.status == Enterprise.Status.REJECTED:
        raise ValidationError(
            _("The park rejected your enterprise's registration; correct it before buying services.")
        )
    return enterprise


def _checkout_check(
    *, enterprise: Enterprise, service: Service, term_months, renews: Subscription | None
) -> int:
    """The order's own fields, each error on its field; returns the term in months."""
    errors = {}
    if not service.is_active:
        errors["service"] = _("This service is no longer offered.")
    try:
        term_months = int(term_months)
    except (TypeError, ValueError):
        term_months = 0
    if term_months not in service.term_options:
        errors["term_months"] = _("Choose one of the terms offered: %(terms)s months.") % {
            "terms": "、".join(str(term) for term in service.term_options)
        }
    if renews is not None and (renews.enterprise_id != enterprise.pk or renews.service_id != service.pk):
        errors["renews"] = _("You can only renew your own subscription to the same service.")
    if errors:
        raise ValidationError(errors)
    return term_months


def _payment_method(*, method: str, amount_due, voucher) -> str:
    """How the rest is paid: online or by transfer, as chosen; nothing left to pay is the voucher's or free."""
    if amount_due <= 0:
        return Payment.Method.VOUCHER if voucher else Payment.Method.FREE
    if method == Payment.Method.STRIPE and not stripe_gateway.stripe_enabled():
        raise ValidationError({"method": _("Online payment is not available here; choose a bank transfer.")})
    if method not in (Payment.Method.STRIPE, Payment.Method.OFFLINE):
        raise ValidationError({"method": _("Choose online payment or a bank transfer.")})
    return method


def subscription_checkout(
    *,
    actor: User,
    service: Service,
    term_months: int,
    method: str = Payment.Method.STRIPE,
    voucher_code: str = "",
    renews: Subscription | None = None,
) -> Checkout:
    """An enterprise orders one term of a service.

    The price is ours (months × monthly price, minus the voucher); a voucher is bound to
    this subscription under a row lock, so it can never pay for two. Nothing left to pay
    (a covering voucher, a public-welfare service) starts the term at once without Stripe;
    otherwise the subscription waits for Stripe's confirmation or the park's receipt of a
    transfer.
    """
    enterprise = _enterprise_for_purchase(actor)
    term_months = _checkout_check(
        enterprise=enterprise, service=service, term_months=term_months, renews=renews
    )
    with transaction.atomic():
        pending = Subscription.objects.filter(
            enterprise=enterprise, service=service, status=Subscription.Status.PENDING_PAYMENT
        ).first()
        if pending is not None:  # the common case; the rule itself is the index ONE_PENDING_ORDER
            raise ValidationError({ONE_PENDING_ORDER.field: str(ONE_PENDING_ORDER.message)})
        voucher = (
            voucher_lock_for_use(code=voucher_code, enterprise=enterprise, service=service)
            if (voucher_code or "").strip()
            else None
        )
        list_price = service.price_for(term_months)
        discount = voucher_discount(voucher=voucher, price=list_price)
        amount_due = list_price - discount
        method = _payment_method(method=method, amount_due=amount_due, voucher=voucher)
        with unique_rules(ONE_PENDING_ORDER):  # a concurrent checkout made it first: the same 400
            subscription = Subscription.objects.create(
                enterprise=enterprise,
                service=service,
                term_months=term_months,
                list_price=list_price,
                discount=discount,
                amount_due=amount_due,
                voucher=voucher,
                renews=renews,
                created_by=actor,
                # Something left to pay: unpaid after the park's deadline, the order lapses (transfers).
                pay_by=order_pay_by(ordered_at=timezone.now()) if amount_due > 0 else None,
            )
        history_record(obj=subscription, action=wf.ORDER, actor=actor)
        if voucher is not None:
            voucher_use(voucher=voucher, actor=actor, subscription_id=subscription.pk)
        payment = payment_open(subscription=subscription, method=method, amount=amount_due, actor=actor)
        if amount_due == 0:
            payment_succeed(payment, actor=actor)
            subscription_activate(payment=payment, actor=actor)
            subscription.refresh_from_db()
            return Checkout(subscription=subscription, payment=payment)
        if method == Payment.Method.OFFLINE:
            _notify_park_of_transfer(subscription)
            return Checkout(subscription=subscription, payment=payment)
    # Stripe is asked after our rows are committed, so the metadata it echoes back always names real rows.
    payment = payment_stripe_session_open(payment=payment, actor=actor)
    return Checkout(subscription=subscription, payment=payment, redirect_url=payment.checkout_url)


def _notify_park_of_transfer(subscription: Subscription) -> None:
    from ..tasks import transfer_requested_notify_task

    send_on_commit(transfer_requested_notify_task, subscription_id=subscription.pk)


def subscription_pay_online(*, actor: User, subscription: Subscription) -> Payment:
    """ "Pay now" on a subscription that still waits: reopen a recent session, else a new attempt with a new key."""
    access.require_ordering_enterprise(actor, subscription)
    if not stripe_gateway.stripe_enabled():
        raise ValidationError(_("Online payment is not available here; choose a bank transfer."))
    with transaction.atomic():
        subscription = subscription_lock(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("This order is not waiting for payment."))
        recent = (
            subscription.payments.filter(
                method=Payment.Method.STRIPE,
                status=Payment.Status.PENDING,
                created_at__gt=timezone.now() - CHECKOUT_SESSION_REUSE,
            )
            .order_by("-created_at")
            .first()
        )
        if recent is None:
            payments_cancel_pending(subscription=subscription, actor=actor, method=Payment.Method.OFFLINE)
            recent = payment_open(
                subscription=subscription,
                method=Payment.Method.STRIPE,
                amount=subscription.amount_due,
                actor=actor,
            )
    return payment_stripe_session_open(payment=recent, actor=actor)


def subscription_request_transfer(*, actor: User, subscription: Subscription, reference: str = "") -> Payment:
    """The enterprise will pay by bank transfer (对公转账); the park is told and confirms receipt later."""
    access.require_ordering_enterprise(actor, subscription)
    with transaction.atomic():
        subscription = subscription_lock(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("This order is not waiting for payment."))
        payment = subscription.payments.filter(
            method=Payment.Method.OFFLINE, status=Payment.Status.PENDING
        ).first()
        if payment is None:
            payment = payment_open(
                subscription=subscription,
                method=Payment.Method.OFFLINE,
                amount=subscription.amount_due,
                actor=actor,
            )
            _notify_park_of_transfer(subscription)
        if reference:
            payment.transfer_reference = reference.strip()[:100]
            payment.save(update_fields=["transfer_reference"])
    return payment


def subscription_confirm_transfer(
    *, actor: User, subscription: Subscription, reference: str = ""
) -> Subscription:
    """The park has received the transfer: the payment is recorded and the term starts now."""
    access.require_park_admin(actor)
    with transaction.atomic():
        subscription = subscription_lock(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("This order is not waiting for payment."))
        payment = subscription.payments.filter(
            method=Payment.Method.OFFLINE, status=Payment.Status.PENDING
        ).first()
        if payment is None:
            raise ValidationError(_("The enterprise has not chosen a bank transfer for this order."))
        if reference:
            payment.transfer_reference = reference.strip()[:100]
            payment.save(update_fields=["transfer_reference"])
        payment_succeed(payment, actor=actor)
        subscription_activate(payment=payment, actor=actor)
    subscription.refresh_from_db()
    return subscription


def subscription_cancel(*, actor: User, subscription: Subscription) -> Subscription:
    """An order that was never paid is cancelled and its voucher freed.

    An open Stripe session is closed first; if Stripe says it was paid meanwhile, the
    payment wins and the subscription starts instead. Only the ordering enterprise or a
    park administrator may cancel (PermissionDenied otherwise, as the views answer 403).
    """
    access.require_ordering_enterprise_or_park_admin(actor, subscription)
    for payment in subscription.payments.filter(method=Payment.Method.STRIPE, status=Payment.Status.PENDING):
        if payment.stripe_session_id:
            if stripe_gateway.checkout_state(session_id=payment.stripe_session_id).session_status == "open":
                stripe_gateway.checkout_session_expire(session_id=payment.stripe_session_id)
            payment_sync_from_stripe(payment=payment)
    with transaction.atomic():
        subscription = subscription_lock(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("Only an order that is waiting for payment can be cancelled."))
        subscription_transition(
            subscription=subscription, to_status=Subscription.Status.CANCELLED, actor=actor
        )
        payments_cancel_pending(subscription=subscription, actor=actor)
        if subscription.voucher_id:
            voucher_release(voucher_id=subscription.voucher_id, actor=actor)
            subscription.voucher = None
            subscription.save(update_fields=["voucher", "updated_at"])
    return subscription
