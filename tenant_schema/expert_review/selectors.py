"""Reads of expert review, each scoped to who asks.

- An expert reaches only their own assignments (`assignment_get_for_expert`): someone else's
  is the same 404 as one that does not exist; the application's content only after declaring
  no conflict (`assignment_get_cleared`).
- Other experts' sheets are shown to an expert only once their own is submitted (`panel_for_expert`).
- The enterprise reads outcomes and public comments, experts' names only if the sheet publishes them.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from every_schema.accounts import roles
from tenant_schema.applications.models import Application

from .models import Assignment, ExpertProfile, ExpertTie, ReviewDecision, ScoreSheet
from .scoring import panel_figures

A = Assignment.Status
OPEN = (A.INVITED, A.CLEARED)
# A service to the enterprise that ended within this many years still keeps the expert off its cases.
RECENT_SERVICE_YEARS = 3


def _ties_now(enterprise_id: int) -> Q:
    recent = timezone.localdate() - timedelta(days=365 * RECENT_SERVICE_YEARS)
    return Q(enterprise_id=enterprise_id) & (
        ~Q(kind=ExpertTie.Kind.SERVICE) | Q(ended_on__isnull=True) | Q(ended_on__gte=recent)
    )


def experts_eligible(*, sheet: ScoreSheet, application: Application) -> list[ExpertProfile]:
    """Who may join this application's panel: active experts in a wanted field, never asked on it,
    neither employed by the enterprise (the credit code or name of their employer) nor tied to it;
    the least loaded (open cases) first."""
    enterprise = application.enterprise
    tied = ExpertTie.objects.filter(_ties_now(enterprise.pk)).values("expert_id")
    asked = Assignment.objects.filter(sheet=sheet, application=application).values("expert_id")
    candidates = (
        ExpertProfile.objects.filter(is_active=True, user__is_active=True, user__groups__name=roles.EXPERT)
        .exclude(pk__in=tied)
        .exclude(pk__in=asked)
        .exclude(employer_credit_code=enterprise.credit_code)
        .exclude(employer=enterprise.name)
        .annotate(load=Count("assignments", filter=Q(assignments__status__in=OPEN)))
        .select_related("user")
        .order_by("load", "pk")
    )
    wanted = set(sheet.fields or [])
    return [expert for expert in candidates if not wanted or wanted & set(expert.fields or [])]


def expert_profile_of(user) -> ExpertProfile | None:
    if not getattr(user, "is_authenticated", False) or not user.has_role(roles.EXPERT):
        return None
    return ExpertProfile.objects.filter(user=user).first()


def _assignments():
    return Assignment.objects.select_related(
        "sheet__stage__programme",
        "application__enterprise",
        "application__programme",
        "application__current_stage",
        "expert__user",
    )


def assignment_list_for_expert(*, user):
    profile = expert_profile_of(user)
    if profile is None:
        return Assignment.objects.none()
    return _assignments().filter(expert=profile).order_by("-pk")


def assignment_get_for_expert(*, user, pk: int) -> Assignment:
    """The expert's own case, else 404 (another expert's, another park's, or none)."""
    assignment = assignment_list_for_expert(user=user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


def assignment_get_cleared(*, user, pk: int) -> Assignment:
    """The case with the application's content: only after the expert declared no conflict (404 before, and when recused)."""
    assignment = assignment_get_for_expert(user=user, pk=pk)
    if assignment.status not in (A.CLEARED, A.SUBMITTED):
        raise Http404
    return assignment


@dataclass
class SheetView:
    label: str  # 专家 1, 2… or the expert's name where it may be shown
    assignment: Assignment
    scores: list = field(default_factory=list)  # (criterion, points)


def _sheet_views(assignments, *, names: bool) -> list[SheetView]:
    views = []
    for index, assignment in enumerate(assignments, start=1):
        label = str(assignment.expert.user) if names else f"{index}"
        by_criterion = {score.criterion_id: score.points for score in assignment.scores.all()}
        scores = [
            (criterion, by_criterion.get(criterion.pk)) for criterion in assignment.sheet.criteria.all()
        ]
        views.append(SheetView(label=label, assignment=assignment, scores=scores))
    return views


def panel_for_expert(*, assignment: Assignment) -> list[SheetView]:
    """The other experts' submitted sheets, without their internal comments' authors: [] until this one is submitted."""
    if assignment.status != A.SUBMITTED:
        return []
    others = (
        Assignment.objects.filter(
            sheet=assignment.sheet, application=assignment.application, status=A.SUBMITTED
        )
        .exclude(pk=assignment.pk)
        .select_related("expert__user", "sheet")
        .prefetch_related("scores", "sheet__criteria")
        .order_by("submitted_at", "pk")
    )
    return _sheet_views(others, names=False)


# ---------------------------------------------------------------------------
# The stage page: standings and the proposal
# ---------------------------------------------------------------------------


@dataclass
class Standing:
    application: Application
    assignments: list
    submitted: int
    open: int
    recused: int
    average: Decimal | None
    spread: Decimal | None
    decision: ReviewDecision | None
    rank: int | None = None
    passes: bool = False

    @property
    def ready(self) -> bool:
        """Every asked expert has answered (submitted or recused), and at least one sheet is in."""
        return self.open == 0 and self.submitted > 0


@dataclass
class Standings:
    sheet: ScoreSheet
    rows: list


def sheet_standings(*, sheet: ScoreSheet) -> Standings:
    """Every application at the sheet's stage or decided on it: its panel, average, spread, rank and the rule's proposal.

    The rank is by average, highest first, among applications with a finished panel (ties: who
    first submitted the application). Threshold: passes at or above the mark. Quota: the first
    `quota` ranks pass. A decided application shows its recorded decision instead.
    """
    applications = (
        Application.objects.filter(
            Q(status=Application.Status.IN_REVIEW, current_stage_id=sheet.stage_id)
            | Q(review_decisions__sheet=sheet)
        )
        .distinct()
        .select_related("enterprise", "programme", "current_stage")
        .order_by("submitted_at", "pk")
    )
    assignments = (
        Assignment.objects.filter(sheet=sheet, application__in=applications)
        .select_related("expert__user", "sheet")
        .prefetch_related("scores", "sheet__criteria")
        .order_by("pk")
    )
    by_application: dict[int, list] = {}
    for assignment in assignments:
        by_application.setdefault(assignment.application_id, []).append(assignment)
    decisions = {d.application_id: d for d in ReviewDecision.objects.filter(sheet=sheet)}
    rows = []
    for application in applications:
        panel = by_application.get(application.pk, [])
        totals = [a.total for a in panel if a.status == A.SUBMITTED and a.total is not None]
        average, spread = panel_figures(totals)
        rows.append(
            Standing(
                application=application,
                assignments=panel,
                submitted=len(totals),
                open=sum(1 for a in panel if a.status in OPEN),
                recused=sum(1 for a in panel if a.status == A.RECUSED),
                average=average,
                spread=spread,
                decision=decisions.get(application.pk),
            )
        )
    ranked = sorted((row for row in rows if row.decision is None and row.ready), key=lambda r: -r.average)
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
        if sheet.rule == ScoreSheet.Rule.QUOTA:
            places_taken = sum(1 for r in rows if r.decision is not None and r.decision.outcome == "passed")
            row.passes = rank <= max((sheet.quota or 0) - places_taken, 0)
        else:
            row.passes = row.average >= (sheet.threshold or Decimal("0"))
    for row in rows:
        if row.decision is not None:
            row.rank, row.passes = row.decision.rank, row.decision.outcome == ReviewDecision.Outcome.PASSED
    return Standings(sheet=sheet, rows=rows)


def sheet_views_for_admin(*, standing: Standing) -> list[SheetView]:
    """Each expert's sheet with the name, scores and both comments: the park's view."""
    return _sheet_views(standing.assignments, names=True)


def score_sheets_of_park():
    return ScoreSheet.objects.select_related("stage__programme").order_by("-pk")


def score_sheet_get_for_admin(*, stage_id: int) -> ScoreSheet:
    sheet = score_sheets_of_park().filter(stage_id=stage_id).first()
    if sheet is None:
        raise Http404
    return sheet


# ---------------------------------------------------------------------------
# What the enterprise and the public see
# ---------------------------------------------------------------------------


@dataclass
class EnterpriseReview:
    stage_name: str
    outcome: str
    average: Decimal
    comments: list  # (label, text): "专家 1" unless the sheet publishes names


def review_outcomes_for_enterprise(*, application: Application) -> list[EnterpriseReview]:
    """The confirmed outcomes of the application's expert reviews and the experts' public comments.

    The caller has fetched `application` through the enterprise's own scoped selector. Names
    only where the sheet publishes them; internal comments and individual scores never.
    """
    outcomes = []
    for decision in ReviewDecision.objects.filter(application=application).select_related("sheet__stage"):
        sheet = decision.sheet
        submitted = (
            Assignment.objects.filter(sheet=sheet, application=application, status=A.SUBMITTED)
            .select_related("expert__user")
            .order_by("submitted_at", "pk")
        )
        comments = [
            (
                str(a.expert.user) if sheet.publish_expert_names else gettext("Expert %(n)s") % {"n": index},
                a.public_comment,
            )
            for index, a in enumerate(submitted, start=1)
            if a.public_comment
        ]
        outcomes.append(
            EnterpriseReview(
                stage_name=sheet.stage.public_name or sheet.stage.name,
                outcome=decision.get_outcome_display(),
                average=decision.average,
                comments=comments,
            )
        )
    return outcomes


def notice_scores(*, application_ids) -> dict[int, ReviewDecision]:
    """For the public notice (公示): the passed decision of each award whose sheet shows scores there."""
    found = ReviewDecision.objects.filter(
        application_id__in=list(application_ids),
        outcome=ReviewDecision.Outcome.PASSED,
        sheet__show_on_notice=True,
    ).order_by("decided_at")
    return {decision.application_id: decision for decision in found}


def review_stages_of_park():
    """Every review stage of the park's programmes, with its score sheet when it has one (the park's overview)."""
    from tenant_schema.funding.models import Stage

    return (
        Stage.objects.filter(kind=Stage.Kind.REVIEW)
        .select_related("programme", "score_sheet")
        .order_by("-programme__opens_at", "programme_id", "position")
    )


def review_stage_get_for_admin(*, stage_pk: int):
    stage = review_stages_of_park().filter(pk=stage_pk).first()
    if stage is None:
        raise Http404
    return stage


def expert_pool():
    return (
        ExpertProfile.objects.select_related("user")
        .prefetch_related("ties__enterprise")
        .annotate(open_cases=Count("assignments", filter=Q(assignments__status__in=OPEN)))
        .order_by("pk")
    )
