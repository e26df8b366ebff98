"""The moves of billing's three state machines, as data, applied by saas.workflow.transition_apply.

    subscription (an order until it is paid):
        pending_payment ─activate→ active ─expire→ expired
        pending_payment ─cancel→ cancelled
        pending_payment ─lapse→ cancelled (not paid by its deadline: the hourly sweep)
        pending_payment / active / expired ─refund→ refunded
    payment (one attempt to pay an order):
        pending ─succeed→ succeeded ─refund→ refunded
        pending ─fail→ failed (a Stripe session that expired, an order not paid by its deadline)
        pending ─cancel→ cancelled (the order cancelled, or another way of paying chosen)
    voucher:
        available ─use→ used ─release→ available (its order was cancelled, or lapsed unpaid)
        available ─void→ void (withdrawn by the park)

Actors: "owner" is the ordering enterprise's own people, "park_admin" a park administrator,
"system" nobody signed in (Stripe's webhooks, the hourly sweep, a page syncing with Stripe
on the enterprise's return): the rules below, and nowhere else. The one service applying
these is tenant_schema.billing.services.moves.billing_move (saas.workflow.transition_apply,
under the row lock); pages and the API offer WORKFLOW.actions_for(user, obj), the same
check. Creating an order, a payment or a voucher is no move between states: its first
history row has action ORDER, OPEN or ISSUE and an empty "from".
"""

from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workflow import Transition, Workflow
from tenant_schema.enterprises.selectors import enterprise_of_user

from .models import Payment, Subscription, Voucher

S = Subscription.Status
P = Payment.Status
V = Voucher.Status

OWNER, PARK_ADMIN, SYSTEM = "owner", "park_admin", "system"


def signed_in(actor) -> bool:
    return actor is not None and actor.is_authenticated


def is_park_admin(actor, obj=None) -> bool:
    return signed_in(actor) and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN))


def is_of_enterprise(actor, enterprise_id: int) -> bool:
    enterprise = enterprise_of_user(user=actor) if signed_in(actor) else None
    return enterprise is not None and enterprise.pk == enterprise_id


def enterprise_id_of(obj) -> int:
    """The enterprise a subscription, voucher or payment (through its order) belongs to."""
    return obj.subscription.enterprise_id if isinstance(obj, Payment) else obj.enterprise_id


def _is_owner(actor, obj) -> bool:
    return is_of_enterprise(actor, enterprise_id_of(obj))


def _is_system(actor, obj) -> bool:
    return not signed_in(actor)


ACTOR_RULES = {OWNER: _is_owner, PARK_ADMIN: is_park_admin, SYSTEM: _is_system}


def _person_refunds_paid_only(actor, obj) -> bool:
    # Stripe is the judge of a refund and any it reports is recorded; a person refunds only
    # what was paid (a subscription's term, a payment that succeeded).
    return _is_system(actor, obj) or obj.status in (S.ACTIVE, S.EXPIRED, P.SUCCEEDED)


ORDER = "order"  # the history row of placing an order
ACTIVATE = "activate"
CANCEL = "cancel"
EXPIRE = "expire"
LAPSE = "lapse"
REFUND = "refund"

SUBSCRIPTION_WORKFLOW = Workflow(
    "subscription",
    [
        # Payment confirmed: Stripe (system), a transfer the park received, a voucher or a free service (owner).
        Transition(
            ACTIVATE,
            (S.PENDING_PAYMENT,),
            S.ACTIVE,
            _("Payment confirmed"),
            actors=(OWNER, PARK_ADMIN, SYSTEM),
        ),
        Transition(
            CANCEL, (S.PENDING_PAYMENT,), S.CANCELLED, _("Order cancelled"), actors=(OWNER, PARK_ADMIN)
        ),
        # Listed after CANCEL: a person's "cancelled" is CANCEL (action_to takes the first match).
        Transition(LAPSE, (S.PENDING_PAYMENT,), S.CANCELLED, _("Not paid by the deadline"), actors=(SYSTEM,)),
        Transition(EXPIRE, (S.ACTIVE,), S.EXPIRED, _("Term ended"), actors=(SYSTEM,)),
        # The money came back before we learned it had arrived (a refund event first), or a
        # refund made after the term ended: still recorded.
        Transition(
            REFUND,
            (S.PENDING_PAYMENT, S.ACTIVE, S.EXPIRED),
            S.REFUNDED,
            _("Refunded"),
            actors=(PARK_ADMIN, SYSTEM),
            guard=_person_refunds_paid_only,
        ),
    ],
    actor_rules=ACTOR_RULES,
)

OPEN = "open"  # the history row of a new payment attempt
SUCCEED = "succeed"
FAIL = "fail"

PAYMENT_WORKFLOW = Workflow(
    "payment",
    [
        Transition(SUCCEED, (P.PENDING,), P.SUCCEEDED, _("Paid"), actors=(OWNER, PARK_ADMIN, SYSTEM)),
        Transition(FAIL, (P.PENDING,), P.FAILED, _("Failed or expired"), actors=(SYSTEM,)),
        Transition(CANCEL, (P.PENDING,), P.CANCELLED, _("Payment cancelled"), actors=(OWNER, PARK_ADMIN)),
        # Stripe is the judge of a refund: one it reports is recorded whatever we thought of the attempt.
        Transition(
            REFUND,
            (P.PENDING, P.SUCCEEDED, P.FAILED, P.CANCELLED),
            P.REFUNDED,
            _("Refunded"),
            actors=(PARK_ADMIN, SYSTEM),
            guard=_person_refunds_paid_only,
        ),
    ],
    actor_rules=ACTOR_RULES,
)

ISSUE = "issue"  # the history row of issuing a voucher
USE = "use"
RELEASE = "release"
VOID = "void"

VOUCHER_WORKFLOW = Workflow(
    "voucher",
    [
        Transition(USE, (V.AVAILABLE,), V.USED, _("Used for an order"), actors=(OWNER,)),
        Transition(
            RELEASE,
            (V.USED,),
            V.AVAILABLE,
            _("Freed: its order was cancelled"),
            # The system too: an order not paid by its deadline is cancelled by the hourly sweep.
            actors=(OWNER, PARK_ADMIN, SYSTEM),
        ),
        Transition(VOID, (V.AVAILABLE,), V.VOID, _("Withdrawn"), actors=(PARK_ADMIN,)),
    ],
    actor_rules=ACTOR_RULES,
)

WORKFLOWS = {
    workflow.name: workflow for workflow in (SUBSCRIPTION_WORKFLOW, PAYMENT_WORKFLOW, VOUCHER_WORKFLOW)
}
CREATION_LABELS = {ORDER: _("Ordered"), OPEN: _("Payment started"), ISSUE: _("Issued")}


def action_label(workflow: Workflow, action: str) -> str:
    """The name of a history row's action as a person reads it."""
    if action in workflow.transitions:
        return str(workflow.transitions[action].label)
    return str(CREATION_LABELS.get(action, action))


# Kept for readers of the subscription table as a mapping (from status -> reachable statuses).
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(t.target for t in SUBSCRIPTION_WORKFLOW.allowed_actions(status)) for status in S.values
}


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def action_to(workflow: Workflow, from_status: str, to_status: str) -> Transition | None:
    """The one transition of `workflow` that leads from `from_status` to `to_status`, if any."""
    for transition in workflow.allowed_actions(from_status):
        if transition.target == to_status:
            return transition
    return None
