"""The demand workflow as data: every legal move, who takes it, and what it needs.

    submitted ─accept→ accepted ─reply (first reply)→ in_progress ─answer→ answered
                          └──────────answer──────────────────────────↗      │
    answered ─rate satisfied / basically satisfied→ closed                  │
    answered ─rate unsatisfied (comment)→ reopened ─answer→ answered ←──────┘
    answered ─(5 working days without a rating)→ closed, "closed without rating"
    accepted / in_progress / reopened: assign (handler, department), extend (once, reason)

Actors: "staff" are the park's administrators and reviewers (a reviewer only on demands
that are theirs or nobody's yet: the `guard` of every staff move but accepting), "owner"
the enterprise's own people, "system" the scheduled job. The one service applying these
is tenant_schema.demands.services.demand_transition; pages and the API offer
DEMAND_WORKFLOW.actions_for(user, demand), the same check.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from saas.workflow import Transition, Workflow
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin, user_is_park_staff

from .models import Demand

S = Demand.Status

ACCEPT = "accept"
ASSIGN = "assign"
REPLY = "reply"
ANSWER = "answer"
EXTEND = "extend"
RATE = "rate"
CLOSE_UNRATED = "close_unrated"
FILE = "file"  # the history row of filing; not a move between states

OPEN_STATUSES = (S.ACCEPTED, S.IN_PROGRESS, S.REOPENED)  # the park holds it, against deadlines
LIVE_STATUSES = (S.SUBMITTED, *OPEN_STATUSES, S.ANSWERED)


def _is_owner(actor, demand: Demand) -> bool:
    # The seat loaded with the request when there is one (a page costs no query for it).
    enterprise = enterprise_of_user(user=actor) if actor is not None and actor.is_active else None
    return enterprise is not None and enterprise.pk == demand.enterprise_id


def _is_staff(actor, demand: Demand) -> bool:
    return bool(actor is not None and actor.is_active and user_is_park_staff(actor))


def _is_system(actor, demand: Demand) -> bool:
    return actor is None


def _holds(actor, demand: Demand) -> bool:
    """Administrators act on every demand; a reviewer on its own ones and on those nobody holds yet."""
    return user_is_park_admin(actor) or demand.handler_id in (None, actor.pk)


def _not_extended(demand: Demand) -> None:
    if demand.extended_at is not None:
        raise ValidationError(
            {"extension_days": _("This demand was already extended once; it cannot be extended again.")}
        )


DEMAND_WORKFLOW = Workflow(
    "demand",
    [
        Transition(ACCEPT, (S.SUBMITTED,), S.ACCEPTED, _("Accept"), actors=("staff",)),
        Transition(ASSIGN, (S.SUBMITTED, *OPEN_STATUSES), None, _("Assign"), actors=("staff",), guard=_holds),
        Transition(
            REPLY,
            (S.ACCEPTED,),
            S.IN_PROGRESS,
            _("Reply and start handling"),
            needs_reason=True,
            actors=("staff",),
            guard=_holds,
        ),
        Transition(
            ANSWER, OPEN_STATUSES, S.ANSWERED, _("Answer"), needs_reason=True, actors=("staff",), guard=_holds
        ),
        Transition(
            EXTEND,
            OPEN_STATUSES,
            None,
            _("Extend the time limit"),
            needs_reason=True,
            actors=("staff",),
            guard=_holds,
            precondition=_not_extended,  # once per demand
        ),
        # The target depends on the rating: closed, or reopened when unsatisfied.
        Transition(RATE, (S.ANSWERED,), None, _("Rate the answer"), actors=("owner",)),
        Transition(CLOSE_UNRATED, (S.ANSWERED,), S.CLOSED, _("Closed without rating"), actors=("system",)),
    ],
    actor_rules={"owner": _is_owner, "staff": _is_staff, "system": _is_system},
)

ACTION_LABELS = {FILE: _("Filed"), **{action: t.label for action, t in DEMAND_WORKFLOW.transitions.items()}}
