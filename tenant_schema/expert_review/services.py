"""Writes of expert review: the pool, ties, score sheets, assignments and the confirmed outcome.

Every status change of an assignment goes through `assignment_move` (saas.workflow.transition_apply
with ASSIGNMENT_WORKFLOW); every move of an application through the applications workflow's own
`application_transition`, called by `review_confirm`. Lock order, everywhere: assignments (by pk),
then the application row; so two experts submitting, a recusal reassigning and the administrator
confirming serialise without deadlock, and a sheet is either counted in the decision or refused.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from every_schema.accounts.services import user_create
from saas.workflow import NOT_SENT, Transition, transition_apply
from tenant_schema.applications import workflow as application_wf
from tenant_schema.applications.models import Application
from tenant_schema.applications.services import application_transition
from tenant_schema.funding.models import Stage

from . import workflow as wf
from .models import (
    Assignment,
    AssignmentEvent,
    Criterion,
    ExpertProfile,
    ExpertTie,
    ReviewDecision,
    Score,
    ScoreSheet,
)
from .scoring import weighted_total
from .selectors import experts_eligible, sheet_standings

A = Assignment.Status


def _require_park_admin(actor) -> None:
    if actor is None:
        return  # the system (the demo seed)
    if not (actor.is_authenticated and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN))):
        raise PermissionDenied(_("Only a park administrator can do this."))


def _fields_list(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").split(",")
    return [str(item).strip() for item in (value or []) if str(item).strip()]


# ---------------------------------------------------------------------------
# The pool
# ---------------------------------------------------------------------------


@transaction.atomic
def expert_add(
    *, actor, email: str, full_name: str, fields, employer: str = "", employer_credit_code: str = "", title=""
) -> ExpertProfile:
    """Add an expert to this site's pool: an account in the expert role (made if new) and its profile."""
    from every_schema.accounts.models import User

    _require_park_admin(actor)
    email = (email or "").strip().lower()
    errors = {}
    if not email:
        errors["email"] = _("This field is required.")
    fields = _fields_list(fields)
    if not fields:
        errors["fields"] = _("Name at least one field of expertise.")
    if errors:
        raise ValidationError(errors)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(email=email, full_name=(full_name or "").strip(), role=roles.EXPERT)
    else:
        if hasattr(user, "expert_profile"):
            raise ValidationError({"email": _("This account is already in the expert pool.")})
        user.groups.add(Group.objects.get(name=roles.EXPERT))
    return ExpertProfile.objects.create(
        user=user,
        fields=fields,
        employer=(employer or "").strip(),
        employer_credit_code=(employer_credit_code or "").strip().upper(),
        title=(title or "").strip(),
    )


def expert_tie_declare(
    *, actor, expert: ExpertProfile, enterprise, kind: str, note: str = "", ended_on: date | None = None
) -> ExpertTie:
    """Record a tie (the expert's own declaration or the park's); it keeps the expert off that enterprise's cases."""
    if actor is not None and actor.pk != expert.user_id:
        _require_park_admin(actor)
    if kind not in ExpertTie.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of tie.")})
    return ExpertTie.objects.create(
        expert=expert,
        enterprise=enterprise,
        kind=kind,
        note=(note or "").strip()[:300],
        ended_on=ended_on,
        declared_by=actor,
    )


# ---------------------------------------------------------------------------
# Score sheets
# ---------------------------------------------------------------------------


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None


def _criteria_clean(criteria, errors: dict) -> list[tuple]:
    rows = []
    for index, item in enumerate(criteria or [], start=1):
        name = str(item.get("name") or "").strip()
        if not name:
            continue
        weight = _decimal(item.get("weight"), "criteria")
        try:
            max_points = int(item.get("max_points") or 10)
        except (TypeError, ValueError):
            max_points = 0
        if weight <= 0 or not 0 < max_points <= 1000:
            errors.setdefault("criteria", []).append(
                _("Criterion %(n)s: the weight must be above 0 and the maximum points between 1 and 1000.")
                % {"n": index}
            )
        rows.append((name[:100], str(item.get("guidance") or "").strip()[:300], weight, max_points))
    if not rows:
        errors.setdefault("criteria", []).append(_("Add at least one criterion."))
    elif sum(row[2] for row in rows) != Decimal("100"):
        errors.setdefault("criteria", []).append(
            _("The weights add up to %(sum)s; they must add up to 100.")
            % {"sum": sum(row[2] for row in rows)}
        )
    return rows


def _rule_clean(rule, threshold, quota, errors: dict):
    if rule == ScoreSheet.Rule.THRESHOLD:
        threshold = _decimal(threshold, "threshold") if threshold not in (None, "") else None
        if threshold is None or not 0 <= threshold <= 100:
            errors["threshold"] = [_("Give a pass mark between 0 and 100.")]
        return threshold, None
    if rule == ScoreSheet.Rule.QUOTA:
        try:
            quota = int(quota)
        except (TypeError, ValueError):
            quota = 0
        if quota < 1:
            errors["quota"] = [_("Give the number of places (at least 1).")]
        return None, quota
    errors["rule"] = [_("Choose how the scores decide.")]
    return None, None


@transaction.atomic
def score_sheet_create(
    *,
    actor,
    stage: Stage,
    criteria: list[dict],
    experts_per_application: int = 3,
    fields=None,
    rule: str = ScoreSheet.Rule.THRESHOLD,
    threshold=None,
    quota=None,
    publish_expert_names: bool = False,
    show_on_notice: bool = True,
) -> ScoreSheet:
    """Give a review stage its score sheet: criteria whose weights sum to 100, and the rule that decides who passes."""
    _require_park_admin(actor)
    errors: dict[str, list] = {}
    if stage.kind != Stage.Kind.REVIEW:
        errors.setdefault("stage", []).append(_("Only a review stage can have a score sheet."))
    if ScoreSheet.objects.filter(stage=stage).exists():
        errors.setdefault("stage", []).append(_("This stage already has a score sheet."))
    rows = _criteria_clean(criteria, errors)
    try:
        experts_per_application = int(experts_per_application)
    except (TypeError, ValueError):
        experts_per_application = 0
    if not 1 <= experts_per_application <= 15:
        errors["experts_per_application"] = [_("Between 1 and 15 experts per application.")]
    threshold, quota = _rule_clean(rule, threshold, quota, errors)
    if errors:
        raise ValidationError(errors)
    sheet = ScoreSheet.objects.create(
        stage=stage,
        experts_per_application=experts_per_application,
        fields=_fields_list(fields),
        rule=rule,
        threshold=threshold,
        quota=quota,
        publish_expert_names=bool(publish_expert_names),
        show_on_notice=bool(show_on_notice),
    )
    Criterion.objects.bulk_create(
        Criterion(sheet=sheet, position=position, name=name, guidance=guidance, weight=weight, max_points=top)
        for position, (name, guidance, weight, top) in enumerate(rows, start=1)
    )
    return sheet


# ---------------------------------------------------------------------------
# Assignments
# ---------------------------------------------------------------------------


def _event(assignment: Assignment, *, actor, action: str, from_status: str, comment: str = "") -> None:
    AssignmentEvent.objects.create(
        assignment=assignment,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=assignment.status,
        comment=comment,
        is_public=False,
    )


def assignments_make(
    *, sheet: ScoreSheet, application: Application, actor, reason: str = ""
) -> list[Assignment]:
    """Fill the application's panel up to the sheet's number of experts, from the eligible pool.

    Eligible: active experts in a wanted field, never asked on this application, with no tie
    to its enterprise (tenant_schema.expert_review.selectors.experts_eligible), the least
    loaded first. The application row is locked, so two requests cannot both fill the same place.
    """
    _require_park_admin(actor)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Application.Status.IN_REVIEW or locked.current_stage_id != sheet.stage_id:
            raise ValidationError(_("Experts are assigned while the application is at the expert review."))
        if ReviewDecision.objects.filter(sheet=sheet, application=locked).exists():
            raise ValidationError(_("The outcome of this review is already confirmed."))
        live = sheet.assignments.filter(application=locked).exclude(status=A.RECUSED).count()
        wanted = sheet.experts_per_application - live
        made = []
        for expert in experts_eligible(sheet=sheet, application=locked)[: max(wanted, 0)]:
            assignment = Assignment.objects.create(sheet=sheet, application=locked, expert=expert)
            _event(assignment, actor=actor, action="assign", from_status="", comment=reason)
            made.append(assignment)
        return made


def stage_assign_all(*, sheet: ScoreSheet, actor) -> int:
    """Assign experts to every application at the stage whose panel is short; returns how many were asked."""
    _require_park_admin(actor)
    count = 0
    at_stage = Application.objects.filter(
        status=Application.Status.IN_REVIEW, current_stage_id=sheet.stage_id
    )
    for application in at_stage.exclude(review_decisions__sheet=sheet):
        count += len(assignments_make(sheet=sheet, application=application, actor=actor))
    return count


def _scores_clean(assignment: Assignment, scores: dict) -> list[tuple[Criterion, Decimal]]:
    """Every criterion scored, within 0..max: {criterion id (int or str): points}."""
    scores = {str(key): value for key, value in (scores or {}).items()}
    errors, cleaned = [], []
    for criterion in assignment.sheet.criteria.all():
        raw = scores.get(str(criterion.pk))
        if raw in (None, ""):
            errors.append(_("Score “%(name)s”.") % {"name": criterion.name})
            continue
        try:
            points = Decimal(str(raw).strip()).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors.append(_("“%(name)s”: enter a number.") % {"name": criterion.name})
            continue
        if not 0 <= points <= criterion.max_points:
            errors.append(
                _("“%(name)s”: between 0 and %(max)s points.")
                % {"name": criterion.name, "max": criterion.max_points}
            )
            continue
        cleaned.append((criterion, points))
    if errors:
        raise ValidationError({"scores": errors})
    return cleaned


def assignment_move(
    *,
    assignment_id: int,
    action: str,
    actor,
    comment: str = "",
    scores: dict | None = None,
    public_comment: str = "",
    internal_comment: str = "",
    expected_status=NOT_SENT,
) -> Assignment:
    """Apply one move of the expert's case, or refuse it (TransitionRefused: 409; ValidationError: 400).

    - declare_none: the expert may now read the application and score it.
    - declare_conflict (reason): recused; the tie is recorded, and the case goes to the next
      eligible expert in the same transaction (the history says so on both assignments).
    - submit: every criterion scored; the weighted score is fixed then, and other experts'
      sheets become visible to this expert.
    """
    expected = {} if expected_status is NOT_SENT else {"status": expected_status}

    def change(assignment: Assignment, transition: Transition) -> dict:
        if transition.action == wf.SUBMIT:
            cleaned = _scores_clean(assignment, scores)
            Score.objects.filter(assignment=assignment).delete()
            Score.objects.bulk_create(Score(assignment=assignment, criterion=c, points=p) for c, p in cleaned)
            assignment.total = weighted_total((p, c.max_points, c.weight) for c, p in cleaned)
            assignment.public_comment = (public_comment or "").strip()
            assignment.internal_comment = (internal_comment or "").strip()
            assignment.submitted_at = timezone.now()
            return {"update_fields": ["total", "public_comment", "internal_comment", "submitted_at"]}
        return {"update_fields": []}

    def history(assignment: Assignment, transition: Transition, from_status: str, extra: dict):
        _event(
            assignment,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            comment=extra["comment"],
        )

    with transaction.atomic():
        assignment = transition_apply(
            model=Assignment,
            pk=assignment_id,
            workflow=wf.ASSIGNMENT_WORKFLOW,
            action=action,
            actor=actor,
            change=change,
            history=history,
            comment=comment,
            expected=expected,
        )
        if action == wf.DECLARE_CONFLICT:
            _recusal_follow_up(assignment, actor=actor, reason=comment)
    return assignment


def _recusal_follow_up(assignment: Assignment, *, actor, reason: str) -> None:
    expert = assignment.expert
    application = assignment.application
    ExpertTie.objects.create(
        expert=expert,
        enterprise_id=application.enterprise_id,
        kind=ExpertTie.Kind.RELATION,
        note=reason[:300],
        declared_by=actor,
    )
    try:
        made = assignments_make(
            sheet=assignment.sheet,
            application=application,
            actor=None,
            reason=_("Replaces an expert who recused (回避)."),
        )
    except ValidationError:
        made = []
    if not made:
        AssignmentEvent.objects.create(
            assignment=assignment,
            actor=None,
            action="unfilled",
            from_status=assignment.status,
            to_status=assignment.status,
            comment=_("No other eligible expert: the park must add one to the pool."),
            is_public=False,
        )


# ---------------------------------------------------------------------------
# The administrator's decision
# ---------------------------------------------------------------------------


def review_confirm(
    *, sheet: ScoreSheet, actor, amounts: dict | None = None, comment: str = ""
) -> list[ReviewDecision]:
    """Confirm the outcome the sheet's rule proposes, and move each application through its own workflow.

    Threshold: every application whose panel has answered (each expert submitted or recused,
    at least one sheet) is decided. Quota: only when every application at the stage has
    answered, the best `quota` by average pass (ties broken by who submitted first).
    A passed application advances to the next review stage, or is approved with its amount
    (`amounts[application id]`, else the request within the cap); a failed one is rejected
    with the public reason. All or nothing: one refusal (the budget, say) undoes the lot.
    """
    _require_park_admin(actor)
    amounts = {str(key): value for key, value in (amounts or {}).items()}
    with transaction.atomic():
        # Lock every assignment at this stage first: a sheet arriving now waits, then finds the decision.
        list(
            Assignment.objects.select_for_update(of=("self",))
            .filter(
                sheet=sheet, application__current_stage_id=sheet.stage_id, application__status="in_review"
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        standings = sheet_standings(sheet=sheet)
        if sheet.rule == ScoreSheet.Rule.QUOTA and any(
            not row.ready for row in standings.rows if row.decision is None
        ):
            raise ValidationError(
                _("Every panel must finish before places are given by rank: %(n)s still scoring.")
                % {"n": sum(1 for row in standings.rows if row.decision is None and not row.ready)}
            )
        to_decide = [row for row in standings.rows if row.decision is None and row.ready]
        if not to_decide:
            raise ValidationError(_("No application has a finished panel to decide."))
        decided = []
        for row in to_decide:
            application = row.application
            try:
                decision = ReviewDecision.objects.create(
                    sheet=sheet,
                    application=application,
                    outcome=ReviewDecision.Outcome.PASSED if row.passes else ReviewDecision.Outcome.FAILED,
                    average=row.average,
                    spread=row.spread,
                    sheets=row.submitted,
                    rank=row.rank,
                    decided_by=actor,
                )
            except IntegrityError:
                raise ValidationError(
                    _("This outcome was confirmed a moment ago; reload the page.")
                ) from None
            _move_application(
                sheet, row, actor=actor, amount=amounts.get(str(application.pk)), comment=comment
            )
            decided.append(decision)
        return decided


def _move_application(sheet: ScoreSheet, row, *, actor, amount, comment: str) -> None:
    application = row.application
    summary = _("Expert review: average %(average)s of 100 from %(n)s experts.") % {
        "average": row.average,
        "n": row.submitted,
    }
    if row.passes:
        following = application_wf.following_stage(application)
        if following is not None and following.kind == Stage.Kind.REVIEW:
            action, amount = application_wf.ADVANCE, None
        else:
            action = application_wf.APPROVE
            if amount in (None, ""):
                cap = application.programme.per_enterprise_cap
                amount = (
                    min(application.requested_amount, cap)
                    if cap is not None
                    else application.requested_amount
                )
        text = " ".join(part for part in (summary, comment.strip()) if part)
    else:
        action = application_wf.REJECT
        text = " ".join(
            part
            for part in (
                summary,
                comment.strip() or _("The application did not reach the places or the pass mark."),
            )
            if part
        )
    try:
        application_transition(
            application_id=application.pk,
            action=action,
            actor=actor,
            comment=text,
            amount=amount,
            expected_status=Application.Status.IN_REVIEW,
            expected_stage=sheet.stage_id,
        )
    except ValidationError as error:
        messages = "; ".join(error.messages)
        raise ValidationError(
            {
                "amounts": _("%(enterprise)s: %(messages)s")
                % {"enterprise": application.enterprise.name, "messages": messages}
            }
        ) from None
