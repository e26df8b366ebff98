"""The application workflow as data: every legal move, who takes it, at which stage, when.

    draft ─submit→ in_review(stage 1) ─advance→ in_review(stage n) ─approve→ approved(公示)
      ↑               │  ↘ return (reason) → returned ─submit→ in_review (the stage that returned it)
      │               ↘ reject (reason) → rejected
    approved(公示) ─advance→ approved(拨付) ─disburse→ disbursed
    draft / in_review / returned ─withdraw→ withdrawn      (by the enterprise)

"stage" actors are staff holding the current stage's role (the park administrators once
an award is past its last stage); "owner" is the enterprise's own people. Each transition's
guard (stage kinds, precondition) lives here and nowhere else: the service applies it
through saas.workflow.transition_apply, the staff pages and the API offer
APPLICATION_WORKFLOW.actions_for(user, application).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from saas.workflow import Transition, Workflow
from tenant_schema.enterprises.selectors import enterprise_of_user
from tenant_schema.funding.models import Stage

from .models import Application

S = Application.Status
K = Stage.Kind

SUBMIT = "submit"
ADVANCE = "advance"
RETURN = "return"
APPROVE = "approve"
REJECT = "reject"
WITHDRAW = "withdraw"
DISBURSE = "disburse"


def following_stage(application: Application) -> Stage | None:
    """The programme's stage after the application's current one (None: it is the last, or there is none)."""
    stage = application.current_stage
    if stage is None:
        return None
    return next((s for s in application.programme.stages.all() if s.position > stage.position), None)


def _is_owner(actor, application: Application) -> bool:
    # The seat loaded with the request when there is one (a page costs no query for it).
    enterprise = enterprise_of_user(user=actor) if actor is not None else None
    return enterprise is not None and enterprise.pk == application.enterprise_id


def _holds_stage(actor, application: Application) -> bool:
    stage = application.current_stage
    # An award past its last stage (a programme without notice or disbursement stages)
    # is the park administrators' to finish.
    role = stage.role if stage is not None else Stage.Role.PARK_ADMIN
    return bool(getattr(actor, "is_authenticated", False) and actor.has_role(role))


def _stage_kind(application: Application) -> str | None:
    return application.current_stage.kind if application.current_stage_id else None


def _scores_decided(application: Application) -> None:
    # A stage with a score sheet (tenant_schema.expert_review) passes an application only on the
    # experts' confirmed outcome: review_confirm records it, then takes this very transition.
    stage = application.current_stage
    sheet = getattr(stage, "score_sheet", None) if stage is not None else None
    if sheet is not None and not application.review_decisions.filter(sheet=sheet, outcome="passed").exists():
        raise ValidationError(
            _("This stage is decided by the experts' scores: confirm the outcome on the expert review page.")
        )


def _advance_ready(application: Application) -> None:
    if application.status == S.IN_REVIEW:
        _scores_decided(application)
    following = following_stage(application)
    if application.status == S.IN_REVIEW and (following is None or following.kind != K.REVIEW):
        raise ValidationError(_("This is the last review stage: approve or reject the application."))
    if application.status == S.APPROVED and not (
        _stage_kind(application) == K.NOTICE and following is not None and following.kind == K.DISBURSEMENT
    ):
        raise ValidationError(_("After approval only the public notice passes on, to disbursement."))


def _approve_ready(application: Application) -> None:
    _scores_decided(application)
    following = following_stage(application)
    if following is not None and following.kind == K.REVIEW:
        raise ValidationError(_("Approval comes at the last review stage; pass it on first."))


def _disburse_ready(application: Application) -> None:
    # At the disbursement stage; at the public notice only when it is the programme's last
    # stage (nothing follows to disburse at); past the last stage (no notice, no disbursement).
    if _stage_kind(application) == K.NOTICE and following_stage(application) is not None:
        raise ValidationError(_("Disbursement is recorded at the disbursement stage."))


APPLICATION_WORKFLOW = Workflow(
    "application",
    [
        Transition(SUBMIT, (S.DRAFT, S.RETURNED), S.IN_REVIEW, _("Submit"), actors=("owner",)),
        # Moves to the next review stage, or from the public notice on to disbursement.
        Transition(
            ADVANCE,
            (S.IN_REVIEW, S.APPROVED),
            None,
            _("Pass to the next stage"),
            allowed_stage_kinds=(K.REVIEW, K.NOTICE),
            precondition=_advance_ready,
        ),
        Transition(
            RETURN,
            (S.IN_REVIEW,),
            S.RETURNED,
            _("Return for revision"),
            needs_reason=True,
            allowed_stage_kinds=(K.REVIEW,),
        ),
        Transition(
            APPROVE,
            (S.IN_REVIEW,),
            S.APPROVED,
            _("Approve"),
            allowed_stage_kinds=(K.REVIEW,),
            precondition=_approve_ready,
        ),
        Transition(
            REJECT,
            (S.IN_REVIEW,),
            S.REJECTED,
            _("Reject"),
            needs_reason=True,
            allowed_stage_kinds=(K.REVIEW,),
        ),
        Transition(
            WITHDRAW, (S.DRAFT, S.IN_REVIEW, S.RETURNED), S.WITHDRAWN, _("Withdraw"), actors=("owner",)
        ),
        Transition(
            DISBURSE,
            (S.APPROVED,),
            S.DISBURSED,
            _("Record disbursement"),
            allowed_stage_kinds=(K.DISBURSEMENT, K.NOTICE, None),
            precondition=_disburse_ready,
        ),
    ],
    actor_rules={"owner": _is_owner, "stage": _holds_stage},
    stage_kind=_stage_kind,
)

OPEN_STATUSES = (S.IN_REVIEW, S.APPROVED)
