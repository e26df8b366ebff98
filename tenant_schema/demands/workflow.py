"""The demand workflow as data: every legal move, who takes it, and what it needs.

    submitted ─accept→ accepted ─reply (first reply)→ in_progress ─answer→ answered
                          └──────────answer──────────────────────────↗      │
    answered ─rate satisfied / basically satisfied→ closed                  │
    answered ─rate unsatisfied (comment)→ reopened ─answer→ answered ←──────┘
    answered ─(5 working days without a rating)→ closed, "closed without rating"
    accepted / in_progress / reopened: assign (handler, department), extend (once, reason)

Actors: "staff" are the park's administrators and reviewers (a reviewer only on demands
that are theirs or nobody's yet), "owner" the enterprise's own people, "system" the
scheduled job. The one service applying these is tenant_schema.demands.services.demand_transition.
"""

from django.utils.translation import gettext_lazy as _

from saas.workflow import Transition, Workflow

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

DEMAND_WORKFLOW = Workflow(
    "demand",
    [
        Transition(ACCEPT, (S.SUBMITTED,), S.ACCEPTED, _("Accept"), actors=("staff",)),
        Transition(ASSIGN, (S.SUBMITTED, *OPEN_STATUSES), None, _("Assign"), actors=("staff",)),
        Transition(
            REPLY,
            (S.ACCEPTED,),
            S.IN_PROGRESS,
            _("Reply and start handling"),
            needs_reason=True,
            actors=("staff",),
        ),
        Transition(ANSWER, OPEN_STATUSES, S.ANSWERED, _("Answer"), needs_reason=True, actors=("staff",)),
        Transition(
            EXTEND, OPEN_STATUSES, None, _("Extend the time limit"), needs_reason=True, actors=("staff",)
        ),
        # The target depends on the rating: closed, or reopened when unsatisfied.
        Transition(RATE, (S.ANSWERED,), None, _("Rate the answer"), actors=("owner",)),
        Transition(CLOSE_UNRATED, (S.ANSWERED,), S.CLOSED, _("Closed without rating"), actors=("system",)),
    ],
)

ACTION_LABELS = {FILE: _("Filed"), **{action: t.label for action, t in DEMAND_WORKFLOW.transitions.items()}}
