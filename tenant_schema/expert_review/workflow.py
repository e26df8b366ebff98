"""The expert's case as a workflow: declare, then score; or recuse (回避).

    invited ─declare_none→ cleared ─submit→ submitted
       └─declare_conflict (reason)→ recused          (the case goes to another eligible expert)

Only the assigned expert acts. Every move needs the review to be still running: the
application at the sheet's stage and no decision confirmed for it on this sheet. Pages and
the API offer ASSIGNMENT_WORKFLOW.actions_for(user, assignment); the services apply it
through saas.workflow.transition_apply.
"""

from django.utils.translation import gettext_lazy as _

from saas.workflow import Transition, TransitionRefused, Workflow

from .models import Assignment, ReviewDecision

S = Assignment.Status

DECLARE_NONE = "declare_none"
DECLARE_CONFLICT = "declare_conflict"
SUBMIT = "submit"


def _is_the_expert(actor, assignment: Assignment) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and assignment.expert.user_id == actor.pk
    )


def review_running(assignment: Assignment) -> None:
    """Refuse once the application left the sheet's stage or its outcome is confirmed."""
    application = assignment.application
    if application.current_stage_id != assignment.sheet.stage_id or application.status != "in_review":
        raise TransitionRefused(_("This application is no longer at the expert review."))
    if ReviewDecision.objects.filter(
        sheet_id=assignment.sheet_id, application_id=assignment.application_id
    ).exists():
        raise TransitionRefused(
            _("The outcome of this review is already confirmed; no more sheets are taken.")
        )


ASSIGNMENT_WORKFLOW = Workflow(
    "expert_assignment",
    [
        Transition(
            DECLARE_NONE,
            (S.INVITED,),
            S.CLEARED,
            _("I have no conflict of interest"),
            actors=("expert",),
            public=False,
            precondition=review_running,
        ),
        Transition(
            DECLARE_CONFLICT,
            (S.INVITED,),
            S.RECUSED,
            _("I have a conflict: recuse me"),
            actors=("expert",),
            needs_reason=True,
            public=False,
            precondition=review_running,
        ),
        Transition(
            SUBMIT,
            (S.CLEARED,),
            S.SUBMITTED,
            _("Submit my scores"),
            actors=("expert",),
            public=False,
            precondition=review_running,
        ),
    ],
    actor_rules={"expert": _is_the_expert},
)
