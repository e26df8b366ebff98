"""The moves a subscription may make, as data; services.subscription_transition is the only mover."""

from .models import Subscription

S = Subscription.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    # Payment confirmed (Stripe, offline receipt, voucher), the enterprise gives up, or the
    # money came back before we learned it had arrived (a refund event first).
    S.PENDING_PAYMENT: frozenset({S.ACTIVE, S.CANCELLED, S.REFUNDED}),
    S.ACTIVE: frozenset({S.EXPIRED, S.REFUNDED}),
    # A refund made after the term ended is still recorded.
    S.EXPIRED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
