"""Enterprise verification as data, applied by saas.workflow.transition_apply.

    pending ─verify→ verified         rejected ─verify→ verified
    pending / verified / rejected ─reject (reason)→ rejected
    rejected ─resubmit→ pending

Actors: "park_admin" a park administrator; "owner" the enterprise's own people. An
enterprise the park adds by hand starts verified (its first history row, ADD); the Excel
import and the demo seed write rows in bulk and no history. The one service applying
these is tenant_schema.enterprises.services.enterprise_verification_move.
"""

from django.utils.translation import gettext_lazy as _

from saas.workflow import Transition, Workflow

from .models import Enterprise

S = Enterprise.Status

OWNER, PARK_ADMIN = "owner", "park_admin"

ADD = "add"  # the history row of an enterprise the park added, verified at once
VERIFY = "verify"
REJECT = "reject"
RESUBMIT = "resubmit"

VERIFICATION_WORKFLOW = Workflow(
    "verification",
    [
        Transition(VERIFY, (S.PENDING, S.REJECTED), S.VERIFIED, _("Verified"), actors=(PARK_ADMIN,)),
        # Rejecting again replaces the reason; rejecting a verified enterprise withdraws the verification.
        Transition(
            REJECT, (S.PENDING, S.VERIFIED, S.REJECTED), S.REJECTED, _("Rejected"), needs_reason=True,
            actors=(PARK_ADMIN,),
        ),
        Transition(RESUBMIT, (S.REJECTED,), S.PENDING, _("Submitted again"), actors=(OWNER,)),
    ],
)

ACTION_LABELS = {ADD: _("Added and verified by the park"), **{a: t.label for a, t in VERIFICATION_WORKFLOW.transitions.items()}}
