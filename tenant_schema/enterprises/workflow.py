"""Enterprise verification as data, applied by saas.workflow.transition_apply.

    pending ─verify→ verified         rejected ─verify→ verified
    pending / verified / rejected ─reject (reason)→ rejected
    rejected ─resubmit→ pending

Actors: "park_admin" a park administrator; "owner" the enterprise's own people (the rules
below, and nowhere else). An enterprise the park adds by hand starts verified (its first
history row, ADD); the Excel import and the demo seed write rows in bulk and no history.
The one service applying these is tenant_schema.enterprises.services.enterprise_verification_move;
pages and the API offer VERIFICATION_WORKFLOW.actions_for(user, enterprise), the same check.
"""

from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workflow import Transition, Workflow

from .models import Enterprise, Membership

S = Enterprise.Status

OWNER, PARK_ADMIN = "owner", "park_admin"

ADD = "add"  # the history row of an enterprise the park added, verified at once
VERIFY = "verify"
REJECT = "reject"
RESUBMIT = "resubmit"


def is_park_admin(actor, enterprise: Enterprise | None = None) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN))
    )


def is_member(actor, enterprise: Enterprise) -> bool:
    """One of the enterprise's own people, as the database has it now (a seat withdrawn a moment ago counts not)."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and Membership.objects.filter(user=actor, enterprise=enterprise).exists()
    )


VERIFICATION_WORKFLOW = Workflow(
    "verification",
    [
        Transition(VERIFY, (S.PENDING, S.REJECTED), S.VERIFIED, _("Verified"), actors=(PARK_ADMIN,)),
        # Rejecting again replaces the reason; rejecting a verified enterprise withdraws the verification.
        Transition(
            REJECT,
            (S.PENDING, S.VERIFIED, S.REJECTED),
            S.REJECTED,
            _("Rejected"),
            needs_reason=True,
            actors=(PARK_ADMIN,),
        ),
        Transition(RESUBMIT, (S.REJECTED,), S.PENDING, _("Submitted again"), actors=(OWNER,)),
    ],
    actor_rules={PARK_ADMIN: is_park_admin, OWNER: is_member},
)

ACTION_LABELS = {
    ADD: _("Added and verified by the park"),
    **{a: t.label for a, t in VERIFICATION_WORKFLOW.transitions.items()},
}
