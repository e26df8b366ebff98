"""The application workflow as data: every legal move, who takes it, and what it needs.

    draft ─submit→ in_review(stage 1) ─advance→ in_review(stage n) ─approve→ approved(公示)
      ↑               │  ↘ return (reason) → returned ─submit→ in_review (the stage that returned it)
      │               ↘ reject (reason) → rejected
    approved(公示) ─advance→ approved(拨付) ─disburse→ disbursed
    draft / in_review / returned ─withdraw→ withdrawn      (by the enterprise)

"stage" actors are staff holding the current stage's role; "owner" is the enterprise's own people.
"""

from django.utils.translation import gettext_lazy as _

from saas.workflow import Transition, Workflow

from .models import Application

S = Application.Status

SUBMIT = "submit"
ADVANCE = "advance"
RETURN = "return"
APPROVE = "approve"
REJECT = "reject"
WITHDRAW = "withdraw"
DISBURSE = "disburse"

APPLICATION_WORKFLOW = Workflow(
    "application",
    [
        Transition(SUBMIT, (S.DRAFT, S.RETURNED), S.IN_REVIEW, _("Submit"), actors=("owner",)),
        # Moves to the next review stage, or from the public notice on to disbursement.
        Transition(ADVANCE, (S.IN_REVIEW, S.APPROVED), None, _("Pass to the next stage")),
        Transition(RETURN, (S.IN_REVIEW,), S.RETURNED, _("Return for revision"), needs_reason=True),
        Transition(APPROVE, (S.IN_REVIEW,), S.APPROVED, _("Approve")),
        Transition(REJECT, (S.IN_REVIEW,), S.REJECTED, _("Reject"), needs_reason=True),
        Transition(WITHDRAW, (S.DRAFT, S.IN_REVIEW, S.RETURNED), S.WITHDRAWN, _("Withdraw"), actors=("owner",)),
        Transition(DISBURSE, (S.APPROVED,), S.DISBURSED, _("Record disbursement")),
    ],
)

OPEN_STATUSES = (S.IN_REVIEW, S.APPROVED)
