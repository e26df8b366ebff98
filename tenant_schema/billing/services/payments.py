"""Payment attempts: opened, paid, failed, cancelled, refunded; Stripe's Checkout Sessions followed.

Every status change of a payment goes through the payment workflow (tenant_schema/billing/workflow.py)
and writes a row of the payment's append-only history. Stripe's state is followed
whatever order its events arrive in (`payment_sync_from_stripe`).
"""

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.celery import send_on_commit

from .. import stripe_gateway
from .. import workflow as wf
from ..models import Payment, Subscription
from . import access
from .moves import billing_move, history_record
from .subscriptions import subscription_activate, subscription_lock, subscription_transition

logger = logging.getLogger(__name__)
User = get_user_model()

# A Checkout Session lives an hour; within that time "pay" reopens it instead of starting another.
CHECKOUT_SESSION_LIFETIME = timedelta(hours=1)


def payment_open(
    *, subscription: Subscription, method: str, amount: Decimal, actor: User | None = None
) -> Payment:
    """A new attempt to pay an order, with a key of its own that makes retries towards Stripe harmless."""
    payment = Payment.objects.create(
        subscription=subscription, method=method, amount=amount, idempotency_key=uuid.uuid4().hex
    )
    history_record(obj=payment, action=wf.OPEN, actor=actor, comment=Payment.Method(method).label)
    return payment


def payment_succeed(payment: Payment, *, actor: User | None = None, now: datetime | None = None) -> bool:
    """The money arrived (Stripe, a transfer the park received, nothing to pay); False if it was recorded already."""
    if payment.status == Payment.Status.SUCCEEDED:
        return False
    billing_move(
        obj=payment,
        action=wf.SUCCEED,
        enterprise_id=payment.subscription.enterprise_id,
        actor=actor,
        confirmed_at=now or timezone.now(),
        confirmed_by=actor if actor and actor.is_authenticated else None,
    )
    return True


def payments_cancel_pending(
    *, subscription: Subscription, actor: User | None, method: str | None = None
) -> None:
    """Close the order's attempts still waiting (of one method, or all): the order was cancelled or paid another way."""
    pending = subscription.payments.select_for_update().filter(status=Payment.Status.PENDING)
    if method is not None:
        pending = pending.filter(method=method)
    for payment in pending:
        billing_move(obj=payment, action=wf.CANCEL, enterprise_id=subscription.enterprise_id, actor=actor)


def current_tenant():
    """The tenant row of the current schema (a schema_context only carries a stand-in without domains)."""
    from public_schema.tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)


def payment_stripe_session_open(*, payment: Payment, actor: User | None = None) -> Payment:
    """Open (or reopen) the Stripe Checkout Session of one payment attempt.

    The attempt's idempotency key goes with the request, so a retry after a timeout gets
    the same session back from Stripe rather than a second one.
    """
    from public_schema.tenants.services import tenant_site_url

    if payment.stripe_session_id:
        return payment
    subscription = payment.subscription
    tenant = current_tenant()
    path = f"/services/subscriptions/{subscription.pk}/"
    metadata = {
        "parkhub_tenant": connection.schema_name,
        "parkhub_subscription": str(subscription.pk),
        "parkhub_payment": str(payment.pk),
    }
    product = _("%(service)s, %(months)d months") % {
        "service": subscription.service.name,
        "months": subscription.term_months,
    }
    # Stripe fills in {CHECKOUT_SESSION_ID}; the page asks Stripe about that session on return.
    success_url = tenant_site_url(
        tenant=tenant, path=f"{path}?checkout=success&session_id={{CHECKOUT_SESSION_ID}}"
    )
    cancel_url = tenant_site_url(tenant=tenant, path=f"{path}?checkout=cancelled")
    try:
        session = stripe_gateway.checkout_session_create(
            idempotency_key=f"parkhub-checkout-{payment.idempotency_key}",
            amount=payment.amount,
            product_name=product,
            success_url=success_url,
            cancel_url=cancel_url,
            metadata=metadata,
            customer_email=actor.email if actor and actor.is_authenticated else "",
            expires_at=int((timezone.now() + CHECKOUT_SESSION_LIFETIME).timestamp()),
        )
    except Exception as error:  # the SDK's errors, network failures
        logger.warning("Stripe checkout for subscription %s failed: %s", subscription.pk, error)
        raise ValidationError(
            _(
                "The online payment service could not be reached. Your order is kept; try paying again in a moment."
            )
        ) from None
    Payment.objects.filter(pk=payment.pk, stripe_session_id__isnull=True).update(
        stripe_session_id=session.id, checkout_url=session.url
    )
    payment.refresh_from_db()
    return payment


# ---------------------------------------------------------------------------
# Refunds
# ---------------------------------------------------------------------------


def subscription_refund(*, actor: User, subscription: Subscription) -> Subscription:
    """The park refunds a paid term; access ends at once.

    A Stripe payment is refunded through Stripe (the webhook that follows finds the work
    done); a transfer is paid back by the park's finance office and only recorded here.
    """
    access.require_park_admin(actor)
    paid = subscription.payments.filter(status=Payment.Status.SUCCEEDED).first()
    if subscription.status not in (Subscription.Status.ACTIVE, Subscription.Status.EXPIRED) or paid is None:
        raise ValidationError(_("Only a paid subscription can be refunded."))
    if paid.method == Payment.Method.STRIPE and paid.stripe_payment_intent_id:
        try:
            stripe_gateway.refund_create(
                payment_intent_id=paid.stripe_payment_intent_id,
                idempotency_key=f"parkhub-refund-{paid.idempotency_key}",
            )
        except Exception as error:
            logger.warning("Stripe refund for subscription %s failed: %s", subscription.pk, error)
            raise ValidationError(_("Stripe did not accept the refund; try again later.")) from None
    with transaction.atomic():
        payment_refund_record(payment=paid, actor=actor, end_access=True)
    subscription.refresh_from_db()
    return subscription


def payment_refund_record(
    *, payment: Payment, actor: User | None = None, now: datetime | None = None, end_access: bool = False
) -> bool:
    """The payment is refunded; the term ends too unless another confirmed payment still pays for it.

    An enterprise that paid twice (two tabs, two Checkout Sessions) keeps its term when the
    second payment is refunded (see payment_duplicate_refund); the park refunding a term
    (`end_access`) ends it whatever else was paid.
    """
    subscription = subscription_lock(payment.subscription)
    if payment.status != Payment.Status.REFUNDED:
        billing_move(
            obj=payment,
            action=wf.REFUND,
            enterprise_id=subscription.enterprise_id,
            actor=actor,
            refunded_at=now or timezone.now(),
        )
    if subscription.status == Subscription.Status.REFUNDED:
        return False
    still_paid = subscription.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk).exists()
    if still_paid and not end_access:
        return False
    return subscription_transition(
        subscription=subscription, to_status=Subscription.Status.REFUNDED, actor=actor, note=_("Refunded")
    )


def payment_duplicate_refund(*, payment_id: int) -> bool:
    """Refund through Stripe a payment made for an order another payment already paid.

    Safe to run twice: Stripe answers a repeated idempotency key with the first refund, and
    the refund is recorded once. The term stays, paid for by the other payment. The
    enterprise's people are told by mail and in the notification list (once).
    """
    payment = Payment.objects.select_related("subscription").filter(pk=payment_id).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED or not payment.stripe_payment_intent_id:
        return False
    others = payment.subscription.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk)
    if not others.exists():
        return False  # it is the one paying for the term after all
    stripe_gateway.refund_create(
        payment_intent_id=payment.stripe_payment_intent_id,
        idempotency_key=f"parkhub-duplicate-refund-{payment.idempotency_key}",
    )
    from ..tasks import duplicate_refunded_notify_task

    with transaction.atomic():
        payment_refund_record(payment=Payment.objects.select_for_update().get(pk=payment.pk))
        # The enterprise sees a second charge on its card: tell it the money is on its way back.
        send_on_commit(duplicate_refunded_notify_task, payment_id=payment.pk)
    return True


# ---------------------------------------------------------------------------
# Stripe: follow the Checkout Session's state, whatever order events arrive in.
# ---------------------------------------------------------------------------


def payment_sync_from_stripe(*, payment: Payment) -> str:
    """Bring one Stripe payment and its subscription in line with what Stripe says now.

    Called for every webhook event about the payment and when the enterprise returns
    from Stripe. States only move forward (pending → paid → refunded), and each move is
    idempotent, so replays, duplicates and events out of order all end in the same place:
    a refund seen before the completion leaves the subscription refunded, never active.
    Returns the payment's resulting status.
    """
    if not payment.stripe_session_id:
        return payment.status
    state = stripe_gateway.checkout_state(session_id=payment.stripe_session_id)
    with transaction.atomic():
        # The order first: two payments for it are decided one after the other, so the second
        # sees the first (and is refunded) even when their webhooks arrive at the same moment.
        Subscription.objects.select_for_update().filter(pk=payment.subscription_id).first()
        payment = Payment.objects.select_for_update().select_related("subscription").get(pk=payment.pk)
        if state.payment_intent_id and payment.stripe_payment_intent_id != state.payment_intent_id:
            payment.stripe_payment_intent_id = state.payment_intent_id
            payment.save(update_fields=["stripe_payment_intent_id"])
        if state.paid or state.refunded:
            _check_amount(payment, state)
        if state.refunded:
            payment_refund_record(payment=payment)
        elif state.paid:
            _paid_on_stripe(payment, state)
        elif state.expired and payment.status == Payment.Status.PENDING:
            billing_move(obj=payment, action=wf.FAIL, enterprise_id=payment.subscription.enterprise_id)
        return payment.status


def _check_amount(payment: Payment, state) -> None:
    expected = stripe_gateway.to_fen(payment.amount)
    if state.amount_total != expected or state.currency != stripe_gateway.CURRENCY:
        # Never start a term on an amount we did not ask for; someone must look at it.
        raise ValueError(
            f"Stripe session {state.session_id}: {state.amount_total} {state.currency}, expected {expected} cny"
        )


def _paid_on_stripe(payment: Payment, state) -> None:
    """Stripe took the money: record it, start the term, or give back a second payment for one order."""
    if payment.status == Payment.Status.PENDING:
        payment_succeed(payment)
        if (
            payment.subscription.payments.filter(status=Payment.Status.SUCCEEDED)
            .exclude(pk=payment.pk)
            .exists()
        ):
            # Paid twice for one order (a second tab, a second session): give this one back.
            from ..tasks import payment_duplicate_refund_task

            logger.warning(
                "duplicate Stripe payment %s for subscription %s: refunding",
                payment.pk,
                payment.subscription_id,
            )
            send_on_commit(payment_duplicate_refund_task, payment_id=payment.pk)
            return
    if payment.status == Payment.Status.SUCCEEDED:
        if payment.subscription.status == Subscription.Status.CANCELLED:
            logger.error(
                "paid Stripe session %s for cancelled subscription %s",
                state.session_id,
                payment.subscription_id,
            )
        else:
            subscription_activate(payment=payment)


def payment_for_stripe_metadata(*, metadata: dict) -> Payment | None:
    """Our payment attempt named in a Stripe object's metadata, in the current tenant's schema."""
    try:
        payment_id = int(metadata.get("parkhub_payment", ""))
        subscription_id = int(metadata.get("parkhub_subscription", ""))
    except (TypeError, ValueError):
        return None
    return Payment.objects.filter(
        pk=payment_id, subscription_id=subscription_id, method=Payment.Method.STRIPE
    ).first()
