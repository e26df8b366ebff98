"""The expert's, the park's and the enterprise's pages and API: blindness, recusal, names never leaked, outsiders 404."""

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.expert_review import workflow as wf
from tenant_schema.expert_review.models import Assignment, ReviewDecision
from tenant_schema.expert_review.services import assignment_move, assignments_make, expert_add

from ..conftest import BETA, make_user
from .conftest import expert_stage

pytestmark = pytest.mark.django_db


def _full(sheet):
    return {f"score_{c.pk}": c.max_points for c in sheet.criteria.all()}


def test_the_application_is_a_404_until_the_expert_declares_no_conflict(world, admin, client_a):
    case = assignments_make(sheet=world["sheet"], application=world["app_x"], actor=admin)[0]
    client_a.force_login(case.expert.user)
    listing = client_a.get("/expert/")
    assert listing.status_code == 200 and "青岛星海机械有限公司" in listing.content.decode()
    page = client_a.get(f"/expert/cases/{case.pk}/")
    assert page.status_code == 200 and "回避" in page.content.decode()
    assert client_a.get(f"/expert/cases/{case.pk}/application/").status_code == 404
    assert client_a.get(f"/api/v1/expert/cases/{case.pk}/application/").status_code == 404
    assert client_a.get(f"/api/v1/expert/cases/{case.pk}/").json()["application"] is None
    declared = client_a.post(f"/expert/cases/{case.pk}/act/declare_none/", {"expected_status": "invited"})
    assert declared.status_code == 302
    assert client_a.get(f"/expert/cases/{case.pk}/application/").status_code == 200
    # Scoring from the page: a missing score is a 400 on the form, the full sheet is taken.
    assert client_a.post(f"/expert/cases/{case.pk}/act/submit/", {"public_comment": "好"}).status_code == 400
    submitted = client_a.post(
        f"/expert/cases/{case.pk}/act/submit/",
        {**_full(world["sheet"]), "public_comment": "创新突出。", "expected_status": "cleared"},
    )
    assert submitted.status_code == 302
    assert Assignment.objects.get(pk=case.pk).total == 100
    again = client_a.post(
        f"/expert/cases/{case.pk}/act/submit/", {**_full(world["sheet"]), "expected_status": "cleared"}
    )
    assert again.status_code == 409


def test_another_expert_and_the_park_staff_cannot_open_a_case(world, admin, reviewer, client_a):
    first, second = assignments_make(sheet=world["sheet"], application=world["app_x"], actor=admin)[:2]
    for user in (second.expert.user, reviewer, admin, world["x"].user):
        client_a.force_login(user)
        assert client_a.get(f"/expert/cases/{first.pk}/").status_code == 404
        assert client_a.get(f"/api/v1/expert/cases/{first.pk}/").status_code == 404
        assert (
            client_a.post(f"/api/v1/expert/cases/{first.pk}/actions/", {"action": "declare_none"}).status_code
            == 404
        )


def test_a_conflict_declared_through_the_api_reassigns(world, admin, client_a):
    case = assignments_make(sheet=world["sheet"], application=world["app_x"], actor=admin)[0]
    client_a.force_login(case.expert.user)
    missing_reason = client_a.post(
        f"/api/v1/expert/cases/{case.pk}/actions/",
        {"action": "declare_conflict"},
        content_type="application/json",
    )
    assert missing_reason.status_code == 400 and "comment" in missing_reason.json()["fields"]
    recused = client_a.post(
        f"/api/v1/expert/cases/{case.pk}/actions/",
        {"action": "declare_conflict", "comment": "本人曾任该企业技术顾问", "expected_status": "invited"},
        content_type="application/json",
    )
    assert recused.status_code == 200 and recused.json()["status"] == "recused"
    live = Assignment.objects.filter(application=world["app_x"]).exclude(status="recused")
    assert live.count() == 3 and case.expert_id not in set(live.values_list("expert_id", flat=True))


def _decide(world, admin, *, publish=False):
    sheet = world["sheet"]
    if publish:
        type(sheet).objects.filter(pk=sheet.pk).update(publish_expert_names=True)
        sheet.refresh_from_db()
    for case in assignments_make(sheet=sheet, application=world["app_x"], actor=admin):
        user = case.expert.user
        assignment_move(assignment_id=case.pk, action=wf.DECLARE_NONE, actor=user)
        assignment_move(
            assignment_id=case.pk,
            action=wf.SUBMIT,
            actor=user,
            scores={c.pk: c.max_points for c in sheet.criteria.all()},
            public_comment=f"{user.full_name}认为：技术路线清晰。",
            internal_comment="内部：财务数据需核实",
        )


def test_the_park_sees_names_sheets_and_the_average_then_confirms(world, admin, client_a):
    _decide(world, admin)
    stage = expert_stage(world["programme"])
    client_a.force_login(admin)
    page = client_a.get(f"/park/expert-review/stages/{stage.pk}/")
    body = page.content.decode()
    assert (
        page.status_code == 200 and "专家1号" in body and "内部：财务数据需核实" in body and "100.00" in body
    )
    api = client_a.get(f"/api/v1/park/expert-review/stages/{stage.pk}/").json()
    row = next(r for r in api["applications"] if r["application"] == world["app_x"].pk)
    assert (row["average"], row["spread"], row["proposed"]) == ("100.00", "0.00", "passed")
    confirmed = client_a.post(
        f"/park/expert-review/stages/{stage.pk}/confirm/", {"amount_%s" % world["app_x"].pk: "50000"}
    )
    assert confirmed.status_code == 302
    assert ReviewDecision.objects.get(application=world["app_x"]).outcome == "passed"
    world["app_x"].refresh_from_db()
    assert world["app_x"].status == "approved"


def test_the_enterprise_sees_outcome_and_public_comments_never_names_or_internal_notes(
    world, admin, client_a
):
    _decide(world, admin)
    from tenant_schema.expert_review.services import review_confirm

    review_confirm(sheet=world["sheet"], actor=admin)
    client_a.force_login(world["x"].user)
    page = client_a.get(f"/applications/{world['app_x'].pk}/expert-review/").content.decode()
    api = client_a.get(f"/api/v1/applications/{world['app_x'].pk}/expert-review/")
    assert "技术路线清晰" in page and "内部" not in page
    assert api.status_code == 200 and api.json()[0]["outcome"]
    text = page + api.content.decode()
    for expert in world["experts"]:
        assert expert.user.email not in text
    # Names only in the public comments' own text here; the labels are numbers.
    assert {c["expert"] for c in api.json()[0]["comments"]} == {"专家 1", "专家 2", "专家 3"} or {
        c["expert"] for c in api.json()[0]["comments"]
    } == {"Expert 1", "Expert 2", "Expert 3"}
    # Another enterprise of the park: the same 404 as a missing application.
    client_a.force_login(world["y"].user)
    assert client_a.get(f"/applications/{world['app_x'].pk}/expert-review/").status_code == 404
    assert client_a.get(f"/api/v1/applications/{world['app_x'].pk}/expert-review/").status_code == 404


def test_names_are_shown_when_the_programme_publishes_them(world, admin, client_a):
    _decide(world, admin, publish=True)
    from tenant_schema.expert_review.services import review_confirm

    review_confirm(sheet=world["sheet"], actor=admin)
    client_a.force_login(world["x"].user)
    labels = {
        c["expert"]
        for c in client_a.get(f"/api/v1/applications/{world['app_x'].pk}/expert-review/").json()[0][
            "comments"
        ]
    }
    assert labels == {"专家1号", "专家2号", "专家3号"}


def test_outsiders_of_another_park_get_404(world, admin, client_b, tenant_b):
    case = assignments_make(sheet=world["sheet"], application=world["app_x"], actor=admin)[0]
    stage = expert_stage(world["programme"])
    with schema_context(BETA):
        beta_admin = make_user(BETA, role=roles.PARK_ADMIN)
        beta_expert = expert_add(
            actor=beta_admin, email="expert@beta.test", full_name="乙园专家", fields=["智能制造"]
        )
    for user in (beta_admin, beta_expert.user):
        client_b.force_login(user)
        assert client_b.get(f"/api/v1/expert/cases/{case.pk}/").status_code == 404
        assert client_b.get(f"/expert/cases/{case.pk}/").status_code == 404
        assert client_b.get(f"/api/v1/park/expert-review/stages/{stage.pk}/").status_code == 404
        assert client_b.get(f"/park/expert-review/stages/{stage.pk}/").status_code == 404
        assert client_b.get(f"/api/v1/applications/{world['app_x'].pk}/expert-review/").status_code == 404


def test_the_park_sets_a_sheet_and_adds_experts_from_its_pages(world, admin, client_a):
    client_a.force_login(admin)
    stage = world["programme"].stages.get(name="初审")
    bad = client_a.post(
        f"/park/expert-review/stages/{stage.pk}/sheet/",
        {
            "experts_per_application": 2,
            "rule": "threshold",
            "threshold": "60",
            "criterion_1_name": "创新",
            "criterion_1_weight": "50",
        },
    )
    assert bad.status_code == 400 and "100" in bad.content.decode()
    good = client_a.post(
        f"/park/expert-review/stages/{stage.pk}/sheet/",
        {
            "experts_per_application": 2,
            "rule": "quota",
            "quota": "5",
            "criterion_1_name": "创新",
            "criterion_1_weight": "50",
            "criterion_1_max_points": "10",
            "criterion_2_name": "市场",
            "criterion_2_weight": "50",
            "criterion_2_max_points": "10",
        },
    )
    assert good.status_code == 302
    assert client_a.get("/park/expert-review/").status_code == 200
    added = client_a.post(
        "/park/expert-review/experts/",
        {"email": "new@experts.test", "full_name": "新专家", "fields": "新材料, 智能制造"},
    )
    assert added.status_code == 302
    assert client_a.get("/park/expert-review/experts/").status_code == 200


def test_the_staff_application_page_sends_the_administrator_to_the_scores(world, admin, client_a):
    client_a.force_login(admin)
    page = client_a.get(f"/park/applications/{world['app_x'].pk}/")
    stage = expert_stage(world["programme"])
    assert f"/park/expert-review/stages/{stage.pk}/" in page.content.decode()
    assert "approve" not in [t.action for t, _form in page.context["action_forms"]]
