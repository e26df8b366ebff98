"""The moves of billing's three state machines, as data, applied by saas.workflow.transition_apply.

    subscription (an order until it is paid):
        pending_payment ─activate→ active ─expire→ expired
        pending_payment ─cancel→ cancelled
        pending_payment / active / expired ─refund→ refunded
    payment (one attempt to pay an order):
        pending ─succeed→ succeeded ─refund→ refunded
        pending ─fail→ failed (a Stripe session that expired)
        pending ─cancel→ cancelled (the order cancelled, or another way of paying chosen)
    voucher:
        available ─use→ used ─release→ available (its order was cancelled)
        available ─void→ void (withdrawn by the park)

Actors: "owner" is the ordering enterprise's own people, "park_admin" a park administrator,
"system" nobody signed in (Stripe's webhooks, the hourly sweep, a page syncing with Stripe
on the enterprise's return). The services check who may act with a message of their own
before they call the workflow; `may_act` (tenant_schema.billing.services.moves) re-checks it against these
tuples under the row lock. Creating an order, a payment or a voucher is no move between
states: its first history row has action ORDER, OPEN or ISSUE and an empty "from".
"""

from django.utils.translation import gettext_lazy as _

from saas.workflow import Transition, Workflow

from .models import Payment, Subscription, Voucher

S = Subscription.Status
P = Payment.Status
V = Voucher.Status

OWNER, PARK_ADMIN, SYSTEM = "owner", "park_admin", "system"

ORDER = "order"  # the history row of placing an order
ACTIVATE = "activate"
CANCEL = "cancel"
EXPIRE = "expire"
REFUND = "refund"

SUBSCRIPTION_WORKFLOW = Workflow(
    "subscription",
    [
        # Payment confirmed: Stripe (system), a transfer the park received, a voucher or a free service (owner).
        Transition(ACTIVATE, (S.PENDING_PAYMENT,), S.ACTIVE, _("Payment confirmed"), actors=(OWNER, PARK_ADMIN, SYSTEM)),
        Transition(CANCEL, (S.PENDING_PAYMENT,), S.CANCELLED, _("Order cancelled"), actors=(OWNER, PARK_ADMIN)),
        Transition(EXPIRE, (S.ACTIVE,), S.EXPIRED, _("Term ended"), actors=(SYSTEM,)),
        # The money came back before we learned it had arrived (a refund event first), or a
        # refund made after the term ended: still recorded.
        Transition(
            REFUND, (S.PENDING_PAYMENT, S.ACTIVE, S.EXPIRED), S.REFUNDED, _("Refunded"), actors=(PARK_ADMIN, SYSTEM)
        ),
    ],
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
            REFUND, (P.PENDING, P.SUCCEEDED, P.FAILED, P.CANCELLED), P.REFUNDED, _("Refunded"),
            actors=(PARK_ADMIN, SYSTEM),
        ),
    ],
)

ISSUE = "issue"  # the history row of issuing a voucher
USE = "use"
RELEASE = "release"
VOID = "void"

VOUCHER_WORKFLOW = Workflow(
    "voucher",
    [
        Transition(USE, (V.AVAILABLE,), V.USED, _("Used for an order"), actors=(OWNER,)),
        Transition(RELEASE, (V.USED,), V.AVAILABLE, _("Freed: its order was cancelled"), actors=(OWNER, PARK_ADMIN)),
        Transition(VOID, (V.AVAILABLE,), V.VOID, _("Withdrawn"), actors=(PARK_ADMIN,)),
    ],
)

WORKFLOWS = {workflow.name: workflow for workflow in (SUBSCRIPTION_WORKFLOW, PAYMENT_WORKFLOW, VOUCHER_WORKFLOW)}
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
