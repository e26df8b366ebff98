"""The workflows after an award, as data (saas.workflow): who takes each step, from where, when.

    award:    active ─open_acceptance→ in_acceptance ─pass→ accepted
                                                     ─fail (reason)→ failed
    tranche:  planned ─pay→ paid                 (held while a report is overdue; see tranche_hold)
    report:   due / returned ─submit→ submitted ─accept→ accepted
                                                ─return (reason)→ returned
    recovery: open ─repay→ open | repaid (when the amount due is repaid)
              open ─cancel (reason)→ cancelled

"owner" is the award's enterprise's own people, "admin" the park administrators, "staff"
the park's reviewers and administrators, "acceptance" the reviewers the administrator named
for the award's final acceptance. Pages and the API offer `<WORKFLOW>.actions_for(user, obj)`,
the same check the services apply through transition_apply.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workflow import Transition, TransitionRefused, Workflow
from tenant_schema.applications.workflow import following_stage
from tenant_schema.enterprises.selectors import enterprise_of_user
from tenant_schema.funding.models import Stage

from .models import REPORT_OWED, Award, Recovery, Report, Tranche

A, T, R, C = Award.Status, Tranche.Status, Report.Status, Recovery.Status

OPEN_ACCEPTANCE, PASS, FAIL = "open_acceptance", "pass", "fail"
PAY = "pay"
SUBMIT, ACCEPT, RETURN = "submit", "accept", "return"
REPAY, CANCEL = "repay", "cancel"


def _signed_in(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _is_admin(actor, obj) -> bool:
    return _signed_in(actor) and actor.has_role(roles.PARK_ADMIN)


def _is_staff(actor, obj) -> bool:
    return _signed_in(actor) and (actor.has_role(roles.PARK_ADMIN) or actor.has_role(roles.REVIEWER))


def award_of(obj) -> Award:
    return obj if isinstance(obj, Award) else obj.award


def _is_owner(actor, obj) -> bool:
    enterprise = enterprise_of_user(user=actor) if _signed_in(actor) else None
    return enterprise is not None and enterprise.pk == award_of(obj).application.enterprise_id


def _is_acceptance_reviewer(actor, award: Award) -> bool:
    return _signed_in(actor) and award.acceptance_reviewers.filter(pk=actor.pk).exists()


# ---------------------------------------------------------------------------
# Tranches: what holds the next payment
# ---------------------------------------------------------------------------


def tranche_hold(tranche: Tranche, *, today=None) -> str | None:
    """Why this tranche cannot be paid now, in words for the clerk and the enterprise; None if it can.

    The one rule behind the pay button, the refusal and the "held" line on both sides' pages.
    """
    today = today or timezone.localdate()
    award = tranche.award
    application = award.application
    if application.status not in (application.Status.APPROVED, application.Status.DISBURSED):
        return str(_("The award is no longer approved: nothing is paid on it."))
    stage = application.current_stage
    if (
        application.status == application.Status.APPROVED
        and stage is not None
        and stage.kind == Stage.Kind.NOTICE
        and following_stage(application) is not None
    ):
        return str(
            _("The award is still on public notice (公示): tranches are paid from the disbursement stage.")
        )
    if award.status == A.FAILED:
        return str(_("The project failed its final acceptance: no further tranche is paid."))
    if award.recoveries.filter(status=C.OPEN).exists():
        return str(_("A recovery is open on this award: no tranche is paid until it is closed."))
    earlier = (
        award.tranches.filter(position__lt=tranche.position, status=T.PLANNED).order_by("position").first()
    )
    if earlier is not None:
        return str(
            _("Tranche %(number)s is not paid yet: tranches are paid in order.")
            % {"number": earlier.position}
        )
    overdue = award.reports.filter(status__in=REPORT_OWED, due_on__lt=today).order_by("due_on").first()
    if overdue is not None:
        return str(
            _(
                "Held: the %(report)s was due on %(due)s and has not been sent; the tranche is paid once it is."
            )
            % {"report": overdue.get_kind_display(), "due": overdue.due_on.isoformat()}
        )
    if tranche.condition == Tranche.Condition.ACCEPTANCE and award.status != A.ACCEPTED:
        return str(_("This tranche is paid on final acceptance, which the project has not passed yet."))
    return None


def _pay_ready(tranche: Tranche) -> None:
    reason = tranche_hold(tranche)
    if reason:
        raise TransitionRefused(reason)


TRANCHE_WORKFLOW = Workflow(
    "tranche",
    [Transition(PAY, (T.PLANNED,), T.PAID, _("Record payment"), actors=("admin",), precondition=_pay_ready)],
    actor_rules={"admin": _is_admin},
)


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


def _report_open(report: Report) -> None:
    if report.award.status in (A.ACCEPTED, A.FAILED):
        raise TransitionRefused(_("The project is closed: its reports no longer change."))


REPORT_WORKFLOW = Workflow(
    "award_report",
    [
        Transition(
            SUBMIT,
            (R.DUE, R.RETURNED),
            R.SUBMITTED,
            _("Send the report"),
            actors=("owner",),
            precondition=_report_open,
        ),
        Transition(
            ACCEPT,
            (R.SUBMITTED,),
            R.ACCEPTED,
            _("Accept the report"),
            actors=("staff",),
            precondition=_report_open,
        ),
        Transition(
            RETURN,
            (R.SUBMITTED,),
            R.RETURNED,
            _("Return the report"),
            needs_reason=True,
            actors=("staff",),
            precondition=_report_open,
        ),
    ],
    actor_rules={"owner": _is_owner, "staff": _is_staff},
)


# ---------------------------------------------------------------------------
# The award: final acceptance (验收)
# ---------------------------------------------------------------------------


def _acceptance_ready(award: Award) -> None:
    if not award.acceptance_reviewers.exists():
        raise ValidationError({"reviewers": _("Name the acceptance reviewers first.")})
    pending = [report.get_kind_display() for report in award.reports.all() if report.status != R.ACCEPTED]
    if pending:
        raise ValidationError(
            {
                "reports": _("Accept these reports first: %(reports)s.")
                % {"reports": "、".join(map(str, pending))}
            }
        )


AWARD_WORKFLOW = Workflow(
    "award",
    [
        Transition(
            OPEN_ACCEPTANCE,
            (A.ACTIVE,),
            A.IN_ACCEPTANCE,
            _("Open the final acceptance"),
            actors=("admin",),
            precondition=_acceptance_ready,
        ),
        Transition(PASS, (A.IN_ACCEPTANCE,), A.ACCEPTED, _("Pass the acceptance"), actors=("acceptance",)),
        Transition(
            FAIL,
            (A.IN_ACCEPTANCE,),
            A.FAILED,
            _("Fail the acceptance"),
            needs_reason=True,
            actors=("acceptance",),
        ),
    ],
    actor_rules={"admin": _is_admin, "acceptance": _is_acceptance_reviewer},
)


# ---------------------------------------------------------------------------
# Recovery (追回)
# ---------------------------------------------------------------------------

RECOVERY_WORKFLOW = Workflow(
    "recovery",
    [
        # The status stays open until the amount due is repaid (the service decides).
        Transition(REPAY, (C.OPEN,), None, _("Record a repayment"), actors=("admin",)),
        Transition(
            CANCEL, (C.OPEN,), C.CANCELLED, _("Cancel the recovery"), needs_reason=True, actors=("admin",)
        ),
    ],
    actor_rules={"admin": _is_admin},
)
