"""Score sheets, blind independent scoring, recusal (回避) and the administrator's decision, through the services."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from saas.workflow import StaleAction, TransitionRefused
from tenant_schema.applications.models import Application, ApplicationEvent
from tenant_schema.expert_review import workflow as wf
from tenant_schema.expert_review.models import Assignment, AssignmentEvent, ExpertTie, ReviewDecision
from tenant_schema.expert_review.scoring import panel_figures, weighted_total
from tenant_schema.expert_review.selectors import experts_eligible, panel_for_expert, sheet_standings
from tenant_schema.expert_review.services import (
    assignment_move,
    assignments_make,
    expert_add,
    expert_tie_declare,
    review_confirm,
    score_sheet_create,
)

from ..applications.conftest import make_programme
from ..conftest import ALPHA
from ..enterprises.conftest import register
from ..factories import verified
from .conftest import CRITERIA, at_expert_stage, expert_stage, make_experts, make_sheet

pytestmark = pytest.mark.django_db


def scores_for(sheet, points: list) -> dict:
    return {c.pk: p for c, p in zip(sheet.criteria.all(), points, strict=True)}


def score(assignment, points, *, public="", internal=""):
    expert = assignment.expert.user
    assignment_move(assignment_id=assignment.pk, action=wf.DECLARE_NONE, actor=expert)
    return assignment_move(
        assignment_id=assignment.pk,
        action=wf.SUBMIT,
        actor=expert,
        scores=scores_for(assignment.sheet, points),
        public_comment=public,
        internal_comment=internal,
    )


def test_a_sheet_scores_each_criterion_by_its_weight_out_of_100():
    # 40% × 8/10 + 35% × 10/20 + 25% × 5/5 = 32 + 17.5 + 25
    assert weighted_total([(8, 10, 40), (10, 20, 35), (5, 5, 25)]) == Decimal("74.50")
    assert weighted_total([(0, 10, 40), (0, 20, 35), (0, 5, 25)]) == Decimal("0.00")
    assert panel_figures([Decimal("74.50"), Decimal("60.00"), Decimal("81.25")]) == (
        Decimal("71.92"),
        Decimal("21.25"),
    )


def test_weights_must_add_up_to_100_and_the_rule_needs_its_number(world, admin):
    stage = world["programme"].stages.get(name="初审")
    with pytest.raises(ValidationError) as error:
        score_sheet_create(
            actor=admin,
            stage=stage,
            criteria=[{"name": "创新", "weight": "60", "max_points": 10}, {"name": "市场", "weight": "30"}],
            rule="quota",
            quota="",
        )
    assert set(error.value.message_dict) == {"criteria", "quota"}
    notice = world["programme"].stages.get(name="公示")
    with pytest.raises(ValidationError) as error:
        score_sheet_create(actor=admin, stage=notice, criteria=CRITERIA, threshold="60")
    assert "stage" in error.value.message_dict


def test_a_panel_of_three_independent_sheets_gives_the_weighted_average_and_spread(world, admin):
    sheet, app = world["sheet"], world["app_x"]
    panel = assignments_make(sheet=sheet, application=app, actor=admin)
    assert len(panel) == 3
    score(panel[0], [8, 10, 5], public="技术路线清晰。", internal="财务数据需核实")  # 74.50
    score(panel[1], [6, 12, 3])  # 24 + 21 + 15 = 60.00
    score(panel[2], [9, 15, 4])  # 36 + 26.25 + 20 = 82.25
    row = next(r for r in sheet_standings(sheet=sheet).rows if r.application.pk == app.pk)
    assert (row.submitted, row.average, row.spread, row.ready, row.passes) == (
        3,
        Decimal("72.25"),
        Decimal("22.25"),
        True,
        True,
    )


def test_an_expert_sees_no_other_sheet_until_submitting_their_own(world, admin):
    panel = assignments_make(sheet=world["sheet"], application=world["app_x"], actor=admin)
    score(panel[0], [8, 10, 5])
    assignment_move(assignment_id=panel[1].pk, action=wf.DECLARE_NONE, actor=panel[1].expert.user)
    second = Assignment.objects.get(pk=panel[1].pk)
    assert panel_for_expert(assignment=second) == []
    score_after = assignment_move(
        assignment_id=second.pk,
        action=wf.SUBMIT,
        actor=second.expert.user,
        scores=scores_for(second.sheet, [1, 1, 1]),
    )
    seen = panel_for_expert(assignment=score_after)
    assert [view.assignment.pk for view in seen] == [panel[0].pk]
    assert seen[0].label == "1"  # not the expert's name


def test_every_criterion_must_be_scored_within_its_maximum(world, admin):
    assignment = assignments_make(sheet=world["sheet"], application=world["app_x"], actor=admin)[0]
    expert = assignment.expert.user
    assignment_move(assignment_id=assignment.pk, action=wf.DECLARE_NONE, actor=expert)
    criteria = list(world["sheet"].criteria.all())
    with pytest.raises(ValidationError) as error:
        assignment_move(
            assignment_id=assignment.pk,
            action=wf.SUBMIT,
            actor=expert,
            scores={criteria[0].pk: 11, criteria[1].pk: "x"},
        )
    assert len(error.value.message_dict["scores"]) == 3
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.CLEARED


def test_only_the_assigned_expert_acts_and_a_repeat_is_stale(world, admin):
    first, second = assignments_make(sheet=world["sheet"], application=world["app_x"], actor=admin)[:2]
    with pytest.raises(TransitionRefused):
        assignment_move(assignment_id=first.pk, action=wf.DECLARE_NONE, actor=second.expert.user)
    with pytest.raises(TransitionRefused):
        assignment_move(assignment_id=first.pk, action=wf.DECLARE_NONE, actor=admin)
    assignment_move(
        assignment_id=first.pk, action=wf.DECLARE_NONE, actor=first.expert.user, expected_status="invited"
    )
    with pytest.raises(StaleAction):
        assignment_move(
            assignment_id=first.pk, action=wf.DECLARE_NONE, actor=first.expert.user, expected_status="invited"
        )


def test_assignment_picks_by_field_and_keeps_tied_experts_off(world, admin):
    sheet, app, x = world["sheet"], world["app_x"], world["x"]
    outsiders = make_experts(admin, 2, field="生物医药")
    employee = expert_add(
        actor=admin,
        email="staff@xinghai.test",
        full_name="星海员工",
        fields=["智能制造"],
        employer=x.enterprise.name,
    )
    pool = world["experts"]
    expert_tie_declare(
        actor=admin, expert=pool[0], enterprise=x.enterprise, kind="service", note="2025年为其做过咨询"
    )
    expert_tie_declare(
        actor=pool[1].user, expert=pool[1], enterprise=x.enterprise, kind="relation", note="亲属任职"
    )
    eligible = {e.pk for e in experts_eligible(sheet=sheet, application=app)}
    assert eligible == {pool[2].pk, pool[3].pk, pool[4].pk}
    assert not eligible & {o.pk for o in outsiders} and employee.pk not in eligible
    # The same experts are eligible for another enterprise's application.
    assert pool[0].pk in {e.pk for e in experts_eligible(sheet=sheet, application=world["app_y"])}


def test_a_declared_conflict_recuses_and_reassigns_the_case_in_the_history(world, admin):
    sheet, app = world["sheet"], world["app_x"]
    panel = assignments_make(sheet=sheet, application=app, actor=admin)
    recusing = panel[0]
    with pytest.raises(ValidationError):  # a reason is required
        assignment_move(assignment_id=recusing.pk, action=wf.DECLARE_CONFLICT, actor=recusing.expert.user)
    assignment_move(
        assignment_id=recusing.pk,
        action=wf.DECLARE_CONFLICT,
        actor=recusing.expert.user,
        comment="曾任该企业顾问",
    )
    live = Assignment.objects.filter(sheet=sheet, application=app).exclude(status="recused")
    assert live.count() == 3
    assert recusing.expert_id not in set(live.values_list("expert_id", flat=True))
    assert ExpertTie.objects.filter(expert=recusing.expert, enterprise_id=app.enterprise_id).exists()
    replacement = live.order_by("-pk").first()
    assert list(replacement.events.values_list("action", flat=True)) == ["assign"]
    assert list(AssignmentEvent.objects.filter(assignment=recusing).values_list("action", "to_status")) == [
        ("assign", "invited"),
        ("declare_conflict", "recused"),
    ]
    # The recused expert is never asked again on this application.
    assert recusing.expert_id not in {e.pk for e in experts_eligible(sheet=sheet, application=app)}
    with connection.cursor() as cursor, pytest.raises(Exception, match="Cannot"):
        cursor.execute("UPDATE expert_review_assignmentevent SET comment = 'x'")


def _all_score(sheet, app, admin, points):
    for assignment in assignments_make(sheet=sheet, application=app, actor=admin):
        score(assignment, points)


def test_threshold_passes_those_at_the_mark_through_the_application_workflow(world, admin):
    sheet, x, y = world["sheet"], world["app_x"], world["app_y"]
    _all_score(sheet, x, admin, [8, 10, 5])  # 74.50 ≥ 60
    _all_score(sheet, y, admin, [5, 10, 2])  # 20 + 17.5 + 10 = 47.50 < 60
    decisions = review_confirm(sheet=sheet, actor=admin, amounts={x.pk: "90000.00"})
    assert {(d.application_id, d.outcome) for d in decisions} == {(x.pk, "passed"), (y.pk, "failed")}
    x.refresh_from_db()
    y.refresh_from_db()
    assert (x.status, x.approved_amount, x.current_stage.name) == ("approved", Decimal("90000.00"), "公示")
    assert y.status == "rejected"
    approve = ApplicationEvent.objects.filter(application=x, action="approve").get()
    assert approve.actor == admin and "74.50" in approve.comment
    with pytest.raises(ValidationError):  # nothing left to decide: a second confirm moves nothing
        review_confirm(sheet=sheet, actor=admin)
    # A sheet cannot arrive after the decision.
    late = Assignment.objects.filter(sheet=sheet, application=x).first()
    with pytest.raises(TransitionRefused):
        assignment_move(assignment_id=late.pk, action=wf.SUBMIT, actor=late.expert.user, scores={})


def test_quota_gives_the_places_by_rank_once_every_panel_is_done(world, admin, reviewer):
    quota_programme = make_programme(title="2026年度科技创新奖励")
    quota_sheet = make_sheet(quota_programme, admin, rule="quota", quota=1, threshold=None)
    a = at_expert_stage(verified(register(ALPHA, name="青岛甲科技有限公司")), quota_programme, reviewer)
    b = at_expert_stage(verified(register(ALPHA, name="青岛乙科技有限公司")), quota_programme, reviewer)
    _all_score(quota_sheet, a, admin, [6, 10, 3])
    panel_b = assignments_make(sheet=quota_sheet, application=b, actor=admin)
    for assignment in panel_b[:2]:
        score(assignment, [9, 18, 5])
    with pytest.raises(ValidationError, match="1"):  # b's panel still scoring
        review_confirm(sheet=quota_sheet, actor=admin)
    score(panel_b[2], [9, 18, 5])
    review_confirm(sheet=quota_sheet, actor=admin)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (b.status, a.status) == ("approved", "rejected")
    assert ReviewDecision.objects.get(application=b).rank == 1
    assert ReviewDecision.objects.get(application=a).rank == 2


def test_only_a_park_administrator_confirms(world, reviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        review_confirm(sheet=world["sheet"], actor=reviewer)
    assert Application.objects.get(pk=world["app_x"].pk).status == "in_review"
    assert expert_stage(world["programme"]).score_sheet == world["sheet"]


def test_a_scored_stage_is_not_passed_by_a_plain_approve_before_the_experts_outcome(world, admin):
    from tenant_schema.applications import workflow as application_wf
    from tenant_schema.applications.services import application_transition

    app = Application.objects.select_related("current_stage").get(pk=world["app_x"].pk)
    assert "approve" not in {t.action for t in application_wf.APPLICATION_WORKFLOW.actions_for(admin, app)}
    assert "reject" in {t.action for t in application_wf.APPLICATION_WORKFLOW.actions_for(admin, app)}
    with pytest.raises(ValidationError, match="专家评审|expert review"):
        application_transition(application_id=app.pk, action="approve", actor=admin, amount="1000.00")
