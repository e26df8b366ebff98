"""Receiving Stripe webhooks: verify, store, then hand the event to the tenant it concerns.

The order matters. The signature is checked first (a forged or altered request, or one
older than the tolerance, is refused and leaves no trace). The event is then stored
under its unique id, committed, before any handling — Zulip's habit — so a crash midway
leaves a row saying what was received, and a redelivery after a failure is handled again.
Handling runs with the event row locked: five copies arriving at once are handled once,
and copies arriving after success are no-ops.

What handling does is billing's business (tenant_schema.billing.services.payment_sync_from_stripe): it
reads the current state of the Checkout Session from Stripe instead of trusting the event,
so events may arrive in any order.
"""

import json
import logging
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from public_schema.tenants.models import Tenant

from .models import StripeEvent

logger = logging.getLogger(__name__)

# Events whose object leads us to a Checkout Session of ours.
SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
PAYMENT_INTENT_EVENTS = frozenset(
    {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"}
)
CHARGE_EVENTS = frozenset(
    {"charge.refunded", "charge.refund.updated", "refund.created", "refund.updated", "charge.succeeded"}
)


class InvalidWebhook(Exception):
    """The request is not a genuine, fresh Stripe event: answer 400."""


@dataclass(frozen=True)
class WebhookOutcome:
    event: StripeEvent
    duplicate: bool


def stripe_webhook_verify(*, payload: bytes, signature: str) -> stripe.Event:
    """The SDK checks the HMAC over "timestamp.payload" and the timestamp's age."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise InvalidWebhook("webhooks are not configured")
    try:
        return stripe.Webhook.construct_event(
            payload,
            signature or "",
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidWebhook(str(error)) from None


def stripe_webhook_receive(*, payload: bytes, signature: str) -> WebhookOutcome:
    """Verify, store once, handle once. Raises InvalidWebhook (400); a handling error is re-raised (500, Stripe retries)."""
    event = stripe_webhook_verify(payload=payload, signature=signature)
    record = stripe_event_store(event=event, payload=json.loads(payload))
    if record.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
        return WebhookOutcome(event=record, duplicate=True)
    return stripe_event_process(record=record)


def stripe_event_store(*, event: stripe.Event, payload: dict) -> StripeEvent:
    """Insert the event, committed, before anything else; an existing row (a redelivery) is returned as it is."""
    data = payload
    try:
        with transaction.atomic():
            return StripeEvent.objects.create(
                event_id=event.id, type=event.type, livemode=bool(data.get("livemode")), payload=data
            )
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event.id)


def stripe_event_process(*, record: StripeEvent) -> WebhookOutcome:
    with transaction.atomic():
        record = StripeEvent.objects.select_for_update().get(pk=record.pk)
        if record.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
            return WebhookOutcome(event=record, duplicate=True)
        record.attempts += 1
        try:
            with transaction.atomic():
                handled = _dispatch(record)
        except Exception as error:
            logger.exception("Stripe event %s could not be handled", record.event_id)
            record.status = StripeEvent.Status.FAILED
            record.error = f"{type(error).__name__}: {error}"[:2000]
            record.save(update_fields=["status", "error", "attempts", "tenant_schema"])
            failed = error
        else:
            record.status = StripeEvent.Status.PROCESSED if handled else StripeEvent.Status.IGNORED
            record.error = ""
            record.processed_at = timezone.now()
            record.save(update_fields=["status", "error", "attempts", "processed_at", "tenant_schema"])
            failed = None
    if failed is not None:
        raise failed
    return WebhookOutcome(event=record, duplicate=False)


def _metadata_of(record: StripeEvent) -> dict:
    """Our metadata, from the event's object or, for charges and refunds, from their PaymentIntent."""
    obj = record.payload.get("data", {}).get("object", {}) or {}
    metadata = dict(obj.get("metadata") or {})
    if "parkhub_tenant" in metadata:
        return metadata
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    if record.type in CHARGE_EVENTS and intent:
        from tenant_schema.billing.stripe_gateway import payment_intent_metadata

        return payment_intent_metadata(payment_intent_id=intent)
    return metadata


def _dispatch(record: StripeEvent) -> bool:
    """Hand the event to the tenant named in our metadata; False when it is not one of ours."""
    if record.type not in SESSION_EVENTS | PAYMENT_INTENT_EVENTS | CHARGE_EVENTS:
        return False
    metadata = _metadata_of(record)
    schema = metadata.get("parkhub_tenant", "")
    if not schema or not Tenant.objects.live().filter(schema_name=schema).exists():
        return False
    record.tenant_schema = schema
    if metadata.get("parkhub_network_order"):
        # A network order's remainder, paid by its enterprise (tenant_schema.network_orders).
        from tenant_schema.network_orders.services import order_payment_sync_from_stripe

        with schema_context(schema):
            return order_payment_sync_from_stripe(reference=metadata["parkhub_network_order"])
    from tenant_schema.billing.services import payment_for_stripe_metadata, payment_sync_from_stripe

    with schema_context(schema):
        payment = payment_for_stripe_metadata(metadata=metadata)
        if payment is None:
            return False
        payment_sync_from_stripe(payment=payment)
    return True
