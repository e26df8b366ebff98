"""The moves of a network order, as data, applied on each side's copy by saas.workflow.transition_apply.

    order:
        placed ─accept→ accepted ─deliver→ delivered ─confirm→ confirmed (rated 1–5)
        placed ─refuse→ refused (the institution, with a reason)
        placed ─cancel→ cancelled (the enterprise, before acceptance)
    payment (a second status of the same row):
        due ─confirm_payment→ paid (the institution received the transfer, for a transfer order)
        due ─pay_online→ paid (Stripe says the Checkout Session is paid: its webhook, on the buyer's copy)
        free orders, and orders a voucher pays in full, start "free"

Actors: "buyer" is the ordering enterprise's own people on the buyer's copy, "seller" the
institution's staff on the seller's copy, "peer" the other side's step arriving in its
envelope (handoff_receivers.py): every step is taken by one side and mirrored by the peer.

Taken at the same moment on both sides, an enterprise's cancellation and the institution's
acceptance (or refusal) cross in the network. The seller's copy decides: whichever the
institution's row recorded first stands. A cancellation arriving after the acceptance is
recorded there and changes nothing; the acceptance arriving at a buyer's copy already
cancelled moves it on to accepted (hence the peer-only "cancelled" source below), so both
copies end in the same state.
"""

from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workflow import Transition, TransitionRefused, Workflow
from tenant_schema.enterprises.selectors import enterprise_of_user

from .models import NetworkOrder

S = NetworkOrder.Status
P = NetworkOrder.PaymentStatus

BUYER, SELLER, PEER, STRIPE = "buyer", "seller", "peer", "stripe"
# The institution site's roles (tenant kind "institution"); every_schema.accounts.roles names them once
# the institution site is merged.
INSTITUTION_ROLES = (roles.INSTITUTION_ADMIN, roles.INSTITUTION_STAFF)


class PeerSide:
    """The other side of an order, taking a step through its envelope: not a person of this schema."""

    is_authenticated = False
    pk = None

    def __init__(self, side: str):
        self.side = side

    def __str__(self):
        return str(NetworkOrder.Side(self.side).label)


class StripeSide:
    """Stripe, reporting a paid Checkout Session through its signed webhook: not a person."""

    is_authenticated = False
    pk = None

    def __str__(self):
        return "Stripe"


def signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def is_institution_staff(actor) -> bool:
    return signed_in(actor) and (
        actor.is_superuser or any(actor.has_role(role) for role in INSTITUTION_ROLES)
    )


def _is_buyer(actor, order) -> bool:
    if order.side != NetworkOrder.Side.BUYER or not signed_in(actor):
        return False
    enterprise = enterprise_of_user(user=actor)
    return enterprise is not None and enterprise.pk == order.enterprise_id


def _is_seller(actor, order) -> bool:
    return order.side == NetworkOrder.Side.SELLER and is_institution_staff(actor)


def _is_peer(actor, order) -> bool:
    return isinstance(actor, PeerSide) and actor.side == order.peer_side


def _is_stripe(actor, order) -> bool:
    return isinstance(actor, StripeSide) and order.side == NetworkOrder.Side.BUYER


ACTOR_RULES = {BUYER: _is_buyer, SELLER: _is_seller, PEER: _is_peer, STRIPE: _is_stripe}


def _paid_by_transfer(actor, order) -> bool:
    # Money paid through Stripe is Stripe's to confirm: the institution confirms transfers only.
    return order.payment_method == NetworkOrder.PaymentMethod.OFFLINE or _is_peer(actor, order)


def _paid_online(actor, order) -> bool:
    return order.payment_method == NetworkOrder.PaymentMethod.STRIPE


def _peer_when_cancelled(actor, order) -> bool:
    # Only the institution's own step, arriving after the enterprise cancelled, moves a cancelled copy.
    return order.status == S.PLACED or _is_peer(actor, order)


def _paid_before_delivery(order) -> None:
    if order.side == NetworkOrder.Side.SELLER and order.payment_status == P.DUE:
        raise TransitionRefused(_("Confirm that the payment was received before delivering."))


PLACE = "place"  # the first history row of each copy: no move between states
ACCEPT, REFUSE, CANCEL, DELIVER, CONFIRM = "accept", "refuse", "cancel", "deliver", "confirm"
CONFIRM_PAYMENT = "confirm_payment"
PAY_ONLINE = "pay_online"
CANCEL_LATE = "cancel_late"  # a cancellation that reached the institution after it had accepted

ORDER_WORKFLOW = Workflow(
    "network_order",
    [
        Transition(
            ACCEPT,
            (S.PLACED, S.CANCELLED),
            S.ACCEPTED,
            _("Accepted by the institution"),
            actors=(SELLER, PEER),
            guard=_peer_when_cancelled,
        ),
        Transition(
            REFUSE,
            (S.PLACED, S.CANCELLED),
            S.REFUSED,
            _("Refused by the institution"),
            actors=(SELLER, PEER),
            guard=_peer_when_cancelled,
            needs_reason=True,
        ),
        Transition(CANCEL, (S.PLACED,), S.CANCELLED, _("Cancelled by the enterprise"), actors=(BUYER, PEER)),
        Transition(
            DELIVER,
            (S.ACCEPTED,),
            S.DELIVERED,
            _("Delivered"),
            actors=(SELLER, PEER),
            precondition=_paid_before_delivery,
        ),
        Transition(
            CONFIRM, (S.DELIVERED,), S.CONFIRMED, _("Delivery confirmed and rated"), actors=(BUYER, PEER)
        ),
    ],
    actor_rules=ACTOR_RULES,
)

PAYMENT_WORKFLOW = Workflow(
    "network_order_payment",
    [
        Transition(
            CONFIRM_PAYMENT,
            (P.DUE,),
            P.PAID,
            _("Payment received"),
            actors=(SELLER, PEER),
            guard=_paid_by_transfer,
        ),
        Transition(PAY_ONLINE, (P.DUE,), P.PAID, _("Paid online"), actors=(STRIPE, PEER), guard=_paid_online),
    ],
    actor_rules=ACTOR_RULES,
)

# action -> (its workflow, the status field it moves)
ACTIONS = {
    **{action: (ORDER_WORKFLOW, "status") for action in ORDER_WORKFLOW.transitions},
    CONFIRM_PAYMENT: (PAYMENT_WORKFLOW, "payment_status"),
    PAY_ONLINE: (PAYMENT_WORKFLOW, "payment_status"),
}
CREATION_LABELS = {PLACE: _("Ordered"), CANCEL_LATE: _("Cancellation arrived after acceptance")}


def action_label(action: str) -> str:
    if action in ACTIONS:
        workflow, _field = ACTIONS[action]
        return str(workflow.transitions[action].label)
    return str(CREATION_LABELS.get(action, action))


def actions_for(actor, order) -> list:
    """The steps `actor` may take on `order` now, both workflows: what pages and the API offer."""
    return ORDER_WORKFLOW.actions_for(actor, order) + PAYMENT_WORKFLOW.actions_for(
        actor, order, status_field="payment_status"
    )
