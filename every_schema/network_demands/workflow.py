"""The moves of a network demand, as data, applied on each unit's copy by saas.workflow.transition_apply.

    received / returned ─handle (classify)→ handling ─answer→ answered ─rate/return_visit→ closed
    received / returned ─dispatch (reason, unit)→ dispatched ─sign (签收)→ handling
                                                 dispatched ─send_back (退单, reason)→ returned (at the sender)
    handling ─transfer (转办, reason, unit)→ dispatched (at the next unit; the clock runs on)
    answered ─rate / return visit "unsatisfied"→ handling (重办, at the same unit)
    any open status ─supervise (督办, reason, new deadline)→ the same status
    extension (a second status): none ─request_extension→ requested ─approve/refuse→ approved / refused

Actors, each judged on the copy acted on: "holder" the staff of the unit holding it (its own
copy), "dispatcher" the staff of the unit that classified and dispatched it, "owner" the
enterprise on its sub-platform's copy, "supervisor" the hub's supervision office, "peer"
another unit's step arriving in its envelope (handoff_receivers.py).
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from public_schema.handling_units.selectors import supervision_unit_id, unit_ids_for_user
from saas.workflow import Transition, TransitionRefused, Workflow

from .models import NetworkDemand

S = NetworkDemand.Status
E = NetworkDemand.Extension

HOLDER, DISPATCHER, OWNER, SUPERVISOR, PEER = "holder", "dispatcher", "owner", "supervisor", "peer"

FILE = "file"  # the first history row of the unit of origin: no move
JOIN = "join"  # the first history row of a copy made from an envelope
HANDLE, DISPATCH, SIGN, SEND_BACK, TRANSFER, ANSWER = (
    "handle",
    "dispatch",
    "sign",
    "send_back",
    "transfer",
    "answer",
)
RATE, RETURN_VISIT, SUPERVISE = "rate", "return_visit", "supervise"
REQUEST_EXTENSION, APPROVE_EXTENSION, REFUSE_EXTENSION = (
    "request_extension",
    "approve_extension",
    "refuse_extension",
)
RECEIVE_AGAIN = "receive_again"  # a unit that held it before gets it back: its copy catches up
LATE = "late"  # a step that crossed a later one on its way (recorded, changes nothing here)

OPEN = (S.RECEIVED, S.HANDLING, S.DISPATCHED, S.RETURNED)


class PeerUnit:
    """Another unit's step arriving in its envelope: not a person of this schema."""

    is_authenticated = False
    is_active = True
    pk = None

    def __init__(self, unit_id: int, name: str):
        self.unit_id = unit_id
        self.name = name

    def __str__(self):
        return self.name


def _staff_of_this_copy(actor, demand) -> bool:
    return not isinstance(actor, PeerUnit) and demand.unit_id in unit_ids_for_user(actor)


def _is_holder(actor, demand) -> bool:
    return demand.is_held_here and _staff_of_this_copy(actor, demand)


def _is_dispatcher(actor, demand) -> bool:
    return demand.unit_id == demand.dispatcher_unit_id and _staff_of_this_copy(actor, demand)


def _is_supervisor(actor, demand) -> bool:
    return (
        connection.schema_name == "public"
        and demand.unit_id == supervision_unit_id()
        and _staff_of_this_copy(actor, demand)
    )


def _is_owner(actor, demand) -> bool:
    if isinstance(actor, PeerUnit) or demand.enterprise_id is None or connection.schema_name == "public":
        return False
    if demand.unit_id != demand.origin_unit_id or not getattr(actor, "is_authenticated", False):
        return False
    from tenant_schema.enterprises.selectors import enterprise_of_user

    enterprise = enterprise_of_user(user=actor)
    return enterprise is not None and enterprise.pk == demand.enterprise_id


def _is_peer(actor, demand) -> bool:
    return isinstance(actor, PeerUnit) and actor.unit_id != demand.unit_id


def _was_sent(demand) -> None:
    if demand.sent_by_unit_id is None:
        raise TransitionRefused(_("Nobody sent this demand to you; it cannot be sent back."))


def _while_handling(demand) -> None:
    if demand.status != S.HANDLING:
        raise ValidationError(_("An extension is asked for while the demand is being handled."))


DEMAND_WORKFLOW = Workflow(
    "network_demand",
    [
        Transition(
            HANDLE, (S.RECEIVED, S.RETURNED), S.HANDLING, _("Classify and handle here"), actors=(HOLDER, PEER)
        ),
        Transition(
            DISPATCH,
            (S.RECEIVED, S.RETURNED),
            S.DISPATCHED,
            _("Dispatch to another unit"),
            needs_reason=True,
            actors=(HOLDER, PEER),
        ),
        Transition(SIGN, (S.DISPATCHED,), S.HANDLING, _("Sign for it"), actors=(HOLDER, PEER)),
        Transition(
            SEND_BACK,
            (S.DISPATCHED,),
            S.RETURNED,
            _("Send back: not ours"),
            needs_reason=True,
            actors=(HOLDER, PEER),
            precondition=_was_sent,
        ),
        Transition(
            TRANSFER,
            (S.HANDLING,),
            S.DISPATCHED,
            _("Transfer to another unit"),
            needs_reason=True,
            actors=(HOLDER, PEER),
        ),
        Transition(ANSWER, (S.HANDLING,), S.ANSWERED, _("Answer"), needs_reason=True, actors=(HOLDER, PEER)),
        # The target depends on the rating: closed, or back to handling (重办) when unsatisfied.
        Transition(RATE, (S.ANSWERED,), None, _("Rate the answer"), actors=(OWNER, PEER)),
        Transition(
            RETURN_VISIT,
            (S.ANSWERED,),
            None,
            _("Record a return visit"),
            needs_reason=True,
            actors=(DISPATCHER, PEER),
        ),
        Transition(
            SUPERVISE,
            OPEN,
            None,
            _("Issue a supervision notice"),
            needs_reason=True,
            actors=(SUPERVISOR, PEER),
        ),
        Transition(RECEIVE_AGAIN, tuple(S.values), None, _("Received again"), actors=(PEER,), public=False),
    ],
    actor_rules={
        HOLDER: _is_holder,
        DISPATCHER: _is_dispatcher,
        OWNER: _is_owner,
        SUPERVISOR: _is_supervisor,
        PEER: _is_peer,
    },
)

EXTENSION_WORKFLOW = Workflow(
    "network_demand_extension",
    [
        Transition(
            REQUEST_EXTENSION,
            (E.NONE,),
            E.REQUESTED,
            _("Ask for an extension"),
            needs_reason=True,
            actors=(HOLDER, PEER),
            precondition=_while_handling,
        ),
        Transition(
            APPROVE_EXTENSION,
            (E.REQUESTED,),
            E.APPROVED,
            _("Approve the extension"),
            actors=(DISPATCHER, PEER),
        ),
        Transition(
            REFUSE_EXTENSION,
            (E.REQUESTED,),
            E.REFUSED,
            _("Refuse the extension"),
            needs_reason=True,
            actors=(DISPATCHER, PEER),
        ),
    ],
    actor_rules={HOLDER: _is_holder, DISPATCHER: _is_dispatcher, PEER: _is_peer},
)

# action → (workflow, the status field it moves)
ACTIONS = {
    **{action: (DEMAND_WORKFLOW, "status") for action in DEMAND_WORKFLOW.transitions},
    **{action: (EXTENSION_WORKFLOW, "extension") for action in EXTENSION_WORKFLOW.transitions},
}

ACTION_LABELS = {
    FILE: _("Filed"),
    JOIN: _("Received from another unit"),
    LATE: _("Arrived after a later step"),
    **{action: t.label for action, t in DEMAND_WORKFLOW.transitions.items()},
    **{action: t.label for action, t in EXTENSION_WORKFLOW.transitions.items()},
}


def action_label(action: str):
    return ACTION_LABELS.get(action, action)


def actions_for(actor, demand) -> list[Transition]:
    """Every step `actor` may take on this copy now, both workflows."""
    return DEMAND_WORKFLOW.actions_for(actor, demand) + EXTENSION_WORKFLOW.actions_for(
        actor, demand, status_field="extension"
    )
