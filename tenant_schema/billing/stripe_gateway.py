"""Everything ParkHub asks Stripe, through the official SDK; nothing else in the code talks to Stripe.

We never trust the order in which webhook events arrive: to learn where a payment stands
we ask Stripe for the Checkout Session and its PaymentIntent and read the state from them
(`checkout_state`). The amount is always ours, in fen (分), currency CNY.
"""

from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.conf import settings

CURRENCY = "cny"


def stripe_enabled() -> bool:
    """The Stripe option exists only when the keys are configured."""
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    base_addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    # A bounded timeout: a hung Stripe call must end well inside the Celery soft time limit.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
    )


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def checkout_session_create(
    *,
    idempotency_key: str,
    amount: Decimal,
    product_name: str,
    success_url: str,
    cancel_url: str,
    metadata: dict[str, str],
    customer_email: str = "",
    expires_at: int | None = None,
) -> CheckoutSession:
    """A one-time Checkout Session in payment mode (Alipay and WeChat Pay support only one-time payments)."""
    methods = list(settings.STRIPE_PAYMENT_METHOD_TYPES)
    params: dict = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": to_fen(amount),
                    "product_data": {"name": product_name},
                },
            }
        ],
        "payment_method_types": methods,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        # The PaymentIntent carries the same metadata, so events about charges and refunds find their tenant.
        "payment_intent_data": {"metadata": metadata},
        # A subscription's payment, or a network order's remainder (tenant_schema.network_orders).
        "client_reference_id": f"{metadata['parkhub_tenant']}-"
        f"{metadata.get('parkhub_subscription') or metadata.get('parkhub_network_order', '')}",
        "locale": "auto",
    }
    if "wechat_pay" in methods:
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    if customer_email:
        params["customer_email"] = customer_email
    if expires_at:
        params["expires_at"] = expires_at
    session = stripe_client().v1.checkout.sessions.create(
        params=params, options={"idempotency_key": idempotency_key}
    )
    return CheckoutSession(id=session.id, url=session.url or "")


@dataclass(frozen=True)
class CheckoutState:
    """Where a Checkout Session's money stands, read from Stripe now."""

    session_id: str
    session_status: str  # open, complete, expired
    payment_status: str  # unpaid, paid, no_payment_required
    payment_intent_id: str
    amount_total: int | None
    currency: str
    amount_refunded: int
    metadata: dict
    url: str = ""  # where the customer pays, while the session is open

    @property
    def refunded(self) -> bool:
        return self.amount_refunded > 0

    @property
    def paid(self) -> bool:
        return self.payment_status == "paid"

    @property
    def expired(self) -> bool:
        return self.session_status == "expired" and not self.paid


def _id_of(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.id


def checkout_state(*, session_id: str) -> CheckoutState:
    client = stripe_client()
    session = client.v1.checkout.sessions.retrieve(session_id)
    payment_intent_id = _id_of(session.get("payment_intent"))
    amount_refunded = 0
    if payment_intent_id:
        intent = client.v1.payment_intents.retrieve(payment_intent_id, params={"expand": ["latest_charge"]})
        charge = intent.get("latest_charge")
        if charge is not None and not isinstance(charge, str):
            amount_refunded = int(charge.get("amount_refunded") or 0)
    return CheckoutState(
        session_id=session.id,
        session_status=session.get("status") or "",
        payment_status=session.get("payment_status") or "",
        payment_intent_id=payment_intent_id,
        amount_total=session.get("amount_total"),
        currency=(session.get("currency") or "").lower(),
        amount_refunded=amount_refunded,
        metadata=dict(session.get("metadata") or {}),
        url=session.get("url") or "",
    )


def payment_intent_metadata(*, payment_intent_id: str) -> dict:
    """The metadata we set at checkout, for events (charges, refunds) that do not carry it themselves."""
    intent = stripe_client().v1.payment_intents.retrieve(payment_intent_id)
    return dict(intent.get("metadata") or {})


def checkout_session_expire(*, session_id: str) -> None:
    """Close an open session so it can no longer be paid (before a pending subscription is cancelled)."""
    stripe_client().v1.checkout.sessions.expire(session_id)


def refund_create(*, payment_intent_id: str, idempotency_key: str) -> None:
    stripe_client().v1.refunds.create(
        params={"payment_intent": payment_intent_id}, options={"idempotency_key": idempotency_key}
    )
