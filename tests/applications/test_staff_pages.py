"""The park's pages: programmes with their stage editor, the reviewers' queue and the application page.

Pages are in Chinese by default and translations arrive later, so these tests check what
the pages do (status codes, rows, forms with errors, what changed in the database) rather
than English wording.
"""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.applications.attachments import attachment_add
from tenant_schema.applications.models import Application
from tenant_schema.funding.models import Programme
from tenant_schema.programme_forms.demo import demo_guide

from ..conftest import ALPHA, BETA, make_user
from ..enterprises.conftest import register
from ..factories import ApplicationFactory, ProgrammeFactory
from .conftest import act, draft_for, make_programme

S = Application.Status


@pytest.fixture
def as_reviewer(client_a, reviewer):
    client_a.force_login(reviewer)
    return client_a


@pytest.fixture
def as_park_admin(client_a, park_admin):
    client_a.force_login(park_admin)
    return client_a


def submitted(registration, programme, amount="100000.00"):
    return ApplicationFactory(
        registration=registration, programme=programme, requested_amount=amount, submitted=True
    )


def refreshed(application) -> Application:
    with schema_context(ALPHA):
        return Application.objects.select_related("current_stage").get(pk=application.pk)


@contextlib.contextmanager
def clock(monkeypatch, moment):
    """The services, selectors and pages all read timezone.now(): set it to `moment` for a while."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def stage_form_data(stages, *, extra=None, prefix="stages") -> dict:
    """POST data for the stage editor: `stages` are dicts (with ORDER/DELETE as wanted), plus the empty row."""
    # The empty row as a browser sends it: the selects and the time limit keep their defaults.
    blank = {
        "name": "",
        "public_name": "",
        "kind": "review",
        "role": "reviewer",
        "office": "",
        "time_limit_days": 5,
        "ORDER": "",
    }
    rows = list(stages) + [extra or blank]
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(stages)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if name == "DELETE":
                if value:
                    data[f"{prefix}-{index}-DELETE"] = "on"
            else:
                data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)
    return data


def current_stages(programme) -> list[dict]:
    with schema_context(ALPHA):
        return [
            {
                "name": stage.name,
                "public_name": stage.public_name,
                "kind": stage.kind,
                "role": stage.role,
                "office": stage.office,
                "time_limit_days": stage.time_limit_days,
                "ORDER": stage.position,
            }
            for stage in Programme.objects.get(pk=programme.pk).stages.all()
        ]


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------


def test_park_admin_creates_a_programme_with_the_default_stages(as_park_admin):
    response = as_park_admin.post(
        "/park/programmes/new/",
        {
            "title": "2026年度研发费用补助",
            "category": "subsidy",
            "description": "按研发投入的10%给予补助。",
            "policy_document": "胶政发〔2026〕3号",
            "budget": "5000000.00",
            "per_enterprise_cap": "300000.00",
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-04-30T17:30",
            "required_documents": "营业执照\n2025年度审计报告\n\n  研发费用专项审计报告  \n营业执照",
        },
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        programme = Programme.objects.get(title="2026年度研发费用补助")
        assert response["Location"] == f"/park/programmes/{programme.pk}/"
        assert programme.status == Programme.Status.DRAFT
        assert programme.required_documents == ["营业执照", "2025年度审计报告", "研发费用专项审计报告"]
        assert list(programme.stages.values_list("name", "role")) == [
            ("受理", "reviewer"),
            ("初审", "reviewer"),
            ("专家评审", "park_admin"),
            ("公示", "park_admin"),
            ("拨付", "park_admin"),
        ]
    listing = as_park_admin.get("/park/programmes/")
    assert listing.status_code == 200 and "2026年度研发费用补助" in listing.content.decode()
    # Without its guide (申兑指南) it does not open: the administrator is sent to write it.
    refused = as_park_admin.post(f"/park/programmes/{programme.pk}/open/")
    assert refused["Location"] == f"/park/programmes/{programme.pk}/guide/"
    assert as_park_admin.post(refused["Location"], demo_guide()).status_code == 302
    assert as_park_admin.post(f"/park/programmes/{programme.pk}/open/").status_code == 302
    with schema_context(ALPHA):
        assert Programme.objects.get(pk=programme.pk).status == Programme.Status.OPEN


def test_the_programme_form_shows_the_services_refusal_on_its_field(as_park_admin):
    response = as_park_admin.post(
        "/park/programmes/new/",
        {
            "title": "超额上限",
            "category": "award",
            "budget": "100000",
            "per_enterprise_cap": "200000",
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-04-30T17:30",
        },
    )
    assert response.status_code == 200
    assert "per_enterprise_cap" in response.context["form"].errors
    with schema_context(ALPHA):
        assert not Programme.objects.filter(title="超额上限").exists()


def test_the_list_shows_awarded_total_and_applications_by_status(
    as_reviewer, programme, enterprise_x, reviewer, park_admin
):
    application = submitted(enterprise_x, programme)
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    act(application, "approve", park_admin, amount="80000.00")
    draft_for(register(ALPHA), programme)  # drafts are the enterprise's own business
    response = as_reviewer.get("/park/programmes/")
    assert response.status_code == 200
    row = next(p for p in response.context["programmes"] if p.pk == programme.pk)
    assert row.awarded_total == Decimal("80000.00") and row.awarded_percent == 8
    assert [(status, number) for status, _label, number in row.status_counts] == [("approved", 1)]


def test_a_reviewer_may_look_at_programmes_but_not_change_them(as_reviewer, programme):
    assert as_reviewer.get("/park/programmes/").status_code == 200
    assert as_reviewer.get(f"/park/programmes/{programme.pk}/").status_code == 200
    assert as_reviewer.get("/park/programmes/new/").status_code == 403
    assert as_reviewer.get(f"/park/programmes/{programme.pk}/edit/").status_code == 403
    assert as_reviewer.post(f"/park/programmes/{programme.pk}/close/").status_code == 403
    assert (
        as_reviewer.post(
            f"/park/programmes/{programme.pk}/stages/", stage_form_data(current_stages(programme))
        ).status_code
        == 403
    )


def test_the_stage_editor_renames_removes_reorders_and_adds_before_any_submission(as_park_admin, programme):
    page = as_park_admin.get(f"/park/programmes/{programme.pk}/stages/")
    assert page.status_code == 200 and page.context["can_change"]
    stages = current_stages(programme)
    stages[0].update(name="形式审查", public_name="受理", time_limit_days=2)
    stages[1]["DELETE"] = True  # 初审 goes
    new_review = {
        "name": "现场核查",
        "public_name": "现场核查",
        "kind": "review",
        "role": "reviewer",
        "office": "园区经济发展部",
        "time_limit_days": 4,
        "ORDER": 2,
    }
    stages[2]["ORDER"] = 3
    response = as_park_admin.post(
        f"/park/programmes/{programme.pk}/stages/", stage_form_data(stages, extra=new_review)
    )
    assert response.status_code == 302, response.context and response.context.get("service_errors")
    with schema_context(ALPHA):
        assert list(
            Programme.objects.get(pk=programme.pk).stages.values_list("position", "name", "time_limit_days")
        ) == [
            (1, "形式审查", 2),
            (2, "现场核查", 4),
            (3, "专家评审", 10),
            (4, "公示", 5),
            (5, "拨付", 10),
        ]


def test_a_stage_goes_between_two_others_with_an_order_between_theirs(as_park_admin, programme):
    """2.5 puts it after the second stage; the stages are numbered 1, 2, 3... again, nobody renumbers by hand."""
    stages = current_stages(programme)
    new_review = {
        "name": "现场核查",
        "public_name": "现场核查",
        "kind": "review",
        "role": "reviewer",
        "office": "",
        "time_limit_days": 3,
        "ORDER": "2.5",
    }
    response = as_park_admin.post(
        f"/park/programmes/{programme.pk}/stages/", stage_form_data(stages, extra=new_review)
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        names = list(Programme.objects.get(pk=programme.pk).stages.values_list("position", "name"))
    assert names[:4] == [(1, "受理"), (2, "初审"), (3, "现场核查"), (4, "专家评审")]


def test_the_stage_editor_shows_the_services_rule_when_the_order_of_kinds_is_wrong(as_park_admin, programme):
    stages = current_stages(programme)
    stages[0]["ORDER"], stages[3]["ORDER"] = 4, 1  # the public notice first
    response = as_park_admin.post(f"/park/programmes/{programme.pk}/stages/", stage_form_data(stages))
    assert response.status_code == 400, response.context["formset"].errors
    assert response.context["service_errors"], (
        response.context["formset"].errors,
        response.context["formset"].non_form_errors(),
    )
    with schema_context(ALPHA):
        assert Programme.objects.get(pk=programme.pk).stages.first().name == "受理"


def test_the_stage_editor_is_refused_once_an_application_is_submitted(as_park_admin, programme, enterprise_x):
    submitted(enterprise_x, programme)
    page = as_park_admin.get(f"/park/programmes/{programme.pk}/stages/")
    assert page.status_code == 200
    assert page.context["locked"] and not page.context["can_change"]
    assert "stages-TOTAL_FORMS" not in page.content.decode()  # shown read-only
    stages = current_stages(programme)
    stages[1]["DELETE"] = True
    response = as_park_admin.post(f"/park/programmes/{programme.pk}/stages/", stage_form_data(stages))
    assert response.status_code == 409
    assert response.context["locked"]
    with schema_context(ALPHA):
        assert Programme.objects.get(pk=programme.pk).stages.count() == 5


# ---------------------------------------------------------------------------
# The work queue
# ---------------------------------------------------------------------------


def test_the_queue_tabs_list_mine_due_soon_and_overdue(monkeypatch, client_a, reviewer, park_admin, in_alpha):
    now = timezone.now()
    programme = ProgrammeFactory(
        title="长期开放的奖励",
        budget=Decimal("10000000"),
        per_enterprise_cap=None,
        opens_at=now - dt.timedelta(days=60),
        closes_at=now + dt.timedelta(days=60),
    )
    soon = submitted(
        register(ALPHA, name="青岛临期科技有限公司"), programme
    )  # at 受理, due in 3 working days
    moment = soon.stage_due_at - dt.timedelta(hours=1)  # the time we look at the queue
    with clock(monkeypatch, moment - dt.timedelta(days=20)):
        late = submitted(register(ALPHA, name="青岛逾期机械有限公司"), programme)
    with clock(monkeypatch, moment + dt.timedelta(days=1)):
        later = submitted(register(ALPHA, name="青岛从容食品有限公司"), programme)
    expert = submitted(register(ALPHA, name="青岛专家评审有限公司"), programme)
    act(expert, "advance", reviewer)
    act(expert, "advance", reviewer)  # now at 专家评审, the park administrator's stage
    draft_for(register(ALPHA, name="青岛草稿有限公司"), programme)

    def names(tab, **params):
        response = client_a.get("/park/applications/", {"tab": tab, **params})
        assert response.status_code == 200
        return {application.enterprise.name for application in response.context["applications"]}, response

    with clock(monkeypatch, moment):  # sessions last 8 hours: sign in at the time we look
        client_a.force_login(reviewer)
        mine, response = names("mine")
        assert mine == {"青岛临期科技有限公司", "青岛逾期机械有限公司", "青岛从容食品有限公司"}
        assert names("due_soon")[0] == {"青岛临期科技有限公司"}
        overdue, response = names("overdue")
        assert overdue == {"青岛逾期机械有限公司"}
        row = response.context["applications"][0]
        assert row.due.state == "overdue" and row.due.days_overdue > 0
        assert {key: count for key, _label, count in response.context["tabs"] if count is not None} == {
            "mine": 3,
            "due_soon": 1,
            "overdue": 1,
        }
        everything = names("all")[0]
        assert everything == {
            "青岛临期科技有限公司",
            "青岛逾期机械有限公司",
            "青岛从容食品有限公司",
            "青岛专家评审有限公司",
        }
        assert names("all", q="专家")[0] == {"青岛专家评审有限公司"}
        assert names("all", status="in_review", programme=programme.pk)[0] == everything
        assert names("all", status="approved")[0] == set()

    with clock(monkeypatch, moment):
        client_a.force_login(park_admin)
        assert names("mine")[0] == {"青岛专家评审有限公司"}
    assert late.pk and later.pk


def test_the_home_page_shows_staff_their_queue_counts(as_reviewer, programme, enterprise_x):
    submitted(enterprise_x, programme)
    response = as_reviewer.get("/")
    assert response.status_code == 200
    assert "/park/applications/?tab=overdue" in response.content.decode()


# ---------------------------------------------------------------------------
# The application page and its actions
# ---------------------------------------------------------------------------


def test_the_application_page_shows_the_enterprise_answers_documents_and_history(
    as_reviewer, programme, enterprise_x
):
    application = draft_for(enterprise_x, programme)
    with schema_context(ALPHA):
        Application.objects.filter(pk=application.pk).update(
            answers={"研发投入（万元）": "320", "项目简介": "数控机床"}
        )
        attachment = attachment_add(
            application=application,
            actor=enterprise_x.user,
            document="营业执照",
            upload=SimpleUploadedFile("营业执照.pdf", b"%PDF-1.4\n% test\n", content_type="application/pdf"),
        )
    act(application, "submit", enterprise_x.user)
    try:
        response = as_reviewer.get(f"/park/applications/{application.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        for text in (
            "青岛星海机械有限公司",
            enterprise_x.enterprise.credit_code,
            "研发投入（万元）",
            "数控机床",
            "营业执照.pdf",
        ):
            assert text in html
        assert [event.action for event in response.context["history"]] == ["submit"]
        assert [transition.action for transition, _form in response.context["action_forms"]] == [
            "advance",
            "return",
            "reject",
        ]
        download = as_reviewer.get(f"/park/applications/{application.pk}/documents/{attachment.pk}/")
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content).startswith(b"%PDF-")
    finally:
        with schema_context(ALPHA):
            attachment.file.delete(save=False)


def test_a_reviewer_returns_with_a_reason_and_not_without(as_reviewer, programme, enterprise_x):
    application = submitted(enterprise_x, programme)
    url = f"/park/applications/{application.pk}/act/return/"
    response = as_reviewer.post(url, {"comment": "   "})
    assert response.status_code == 400
    form = dict((t.action, f) for t, f in response.context["action_forms"])["return"]
    assert "comment" in form.errors
    assert response.context["open_action"] == "return"
    assert refreshed(application).status == S.IN_REVIEW

    response = as_reviewer.post(url, {"comment": "请补充2025年度审计报告"})
    assert response.status_code == 302 and response["Location"] == f"/park/applications/{application.pk}/"
    application = refreshed(application)
    assert application.status == S.RETURNED
    assert application.events.last().comment == "请补充2025年度审计报告"
    page = as_reviewer.get(f"/park/applications/{application.pk}/")
    assert "请补充2025年度审计报告" in page.content.decode()
    assert page.context["action_forms"] == []  # nothing for the park to do until the enterprise resubmits


def test_a_reviewer_advances_to_the_next_stage(as_reviewer, programme, enterprise_x):
    application = submitted(enterprise_x, programme)
    response = as_reviewer.post(f"/park/applications/{application.pk}/act/advance/", {"comment": "材料齐全"})
    assert response.status_code == 302
    application = refreshed(application)
    assert application.status == S.IN_REVIEW and application.current_stage.name == "初审"
    assert application.stage_due_at is not None


def test_a_reviewer_cannot_approve_at_the_expert_review(as_reviewer, programme, enterprise_x, reviewer):
    application = submitted(enterprise_x, programme)
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)  # 专家评审 belongs to the park administrator
    page = as_reviewer.get(f"/park/applications/{application.pk}/")
    assert page.status_code == 200 and page.context["action_forms"] == []
    response = as_reviewer.post(f"/park/applications/{application.pk}/act/approve/", {"amount": "80000.00"})
    assert response.status_code == 409
    assert response.context["refused"]
    assert response.context["refused"] in response.content.decode()
    application = refreshed(application)
    assert application.status == S.IN_REVIEW and application.approved_amount is None


def test_approving_over_the_budget_shows_what_is_left(client_a, park_admin, reviewer, in_alpha):
    programme = make_programme(budget="100000.00", cap=None)
    first = submitted(register(ALPHA), programme, amount="80000.00")
    second = submitted(register(ALPHA), programme, amount="50000.00")
    for application in (first, second):
        act(application, "advance", reviewer)
        act(application, "advance", reviewer)
    act(first, "approve", park_admin, amount="80000.00")
    client_a.force_login(park_admin)
    page = client_a.get(f"/park/applications/{second.pk}/")
    forms = dict((t.action, f) for t, f in page.context["action_forms"])
    assert forms["approve"].initial["amount"] == Decimal("50000.00")  # prefilled with the request
    assert page.context["budget_left"] == Decimal("20000.00")
    response = client_a.post(f"/park/applications/{second.pk}/act/approve/", {"amount": "50000.00"})
    assert response.status_code == 400
    form = dict((t.action, f) for t, f in response.context["action_forms"])["approve"]
    assert "20000.00" in " ".join(form.errors["amount"])
    assert refreshed(second).status == S.IN_REVIEW
    response = client_a.post(f"/park/applications/{second.pk}/act/approve/", {"amount": "20000.00"})
    assert response.status_code == 302
    assert refreshed(second).approved_amount == Decimal("20000.00")


def test_the_park_administrator_takes_it_through_notice_to_disbursement(
    as_park_admin, programme, enterprise_x, reviewer
):
    application = submitted(enterprise_x, programme)
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    base = f"/park/applications/{application.pk}/act"
    assert as_park_admin.post(f"{base}/approve/", {"amount": "90000.00"}).status_code == 302
    early = as_park_admin.post(f"{base}/disburse/", {"amount": "90000.00", "disbursed_on": "2026-05-08"})
    assert early.status_code == 400  # still on public notice
    assert "disburse" not in {t.action for t, _form in early.context["action_forms"]}
    assert (
        early.context["refused"] and early.context["refused"] in early.content.decode()
    )  # the service's reason
    assert as_park_admin.post(f"{base}/advance/", {}).status_code == 302
    response = as_park_admin.post(f"{base}/disburse/", {"amount": "90000.00", "disbursed_on": "2026-05-08"})
    assert response.status_code == 302
    application = refreshed(application)
    assert application.status == S.DISBURSED and application.disbursed_on == dt.date(2026, 5, 8)


# ---------------------------------------------------------------------------
# Outsiders
# ---------------------------------------------------------------------------


def test_an_enterprise_user_gets_404_on_the_park_pages(client_a, programme, enterprise_x):
    application = submitted(enterprise_x, programme)
    client_a.force_login(enterprise_x.user)
    for url in (
        "/park/applications/",
        f"/park/applications/{application.pk}/",
        "/park/programmes/",
        f"/park/programmes/{programme.pk}/",
        f"/park/programmes/{programme.pk}/stages/",
        "/park/programmes/new/",
        f"/park/applications/{application.pk}/documents/1/",
    ):
        assert client_a.get(url).status_code == 404, url
    assert client_a.post(f"/park/applications/{application.pk}/act/advance/", {}).status_code == 404
    assert client_a.post(f"/park/programmes/{programme.pk}/close/").status_code == 404
    assert refreshed(application).current_stage.name == "受理"


def test_park_b_staff_get_404_for_park_a_applications_and_programmes(
    client_b, tenant_b, programme, enterprise_x
):
    application = submitted(enterprise_x, programme)
    with schema_context(BETA):
        assert not Application.objects.filter(pk=application.pk).exists()  # so a 404 means "not yours"
        assert not Programme.objects.filter(pk=programme.pk).exists()
    client_b.force_login(make_user(BETA, role=roles.REVIEWER))
    assert client_b.get(f"/park/applications/{application.pk}/").status_code == 404
    assert client_b.post(f"/park/applications/{application.pk}/act/advance/", {}).status_code == 404
    assert client_b.get(f"/park/programmes/{programme.pk}/").status_code == 404
    queue = client_b.get("/park/applications/", {"tab": "all"})
    assert queue.status_code == 200 and list(queue.context["applications"]) == []


def test_the_reviewer_is_warned_of_an_award_for_the_same_category_in_another_sub_platform(
    as_park_admin, programme, enterprise_x, tenant_b
):
    from public_schema.hub.models import AwardRecord

    application = submitted(enterprise_x, programme)
    page = as_park_admin.get(f"/park/applications/{application.pk}/")
    assert "duplicate-warning" not in page.content.decode()
    AwardRecord.objects.create(
        tenant=tenant_b,
        application_id=999,
        credit_code=enterprise_x.enterprise.credit_code,
        enterprise_name=enterprise_x.enterprise.name,
        category=programme.category,
        programme_title="乙园同类奖励",
        amount=Decimal("50000.00"),
        approved_at=timezone.now() - dt.timedelta(days=30),
    )
    AwardRecord.objects.create(
        tenant=tenant_b,
        application_id=1000,
        credit_code=enterprise_x.enterprise.credit_code,
        enterprise_name=enterprise_x.enterprise.name,
        category="loan_interest",
        programme_title="乙园贷款贴息",
        amount=Decimal("8000.00"),
        approved_at=timezone.now() - dt.timedelta(days=30),
    )
    page = as_park_admin.get(f"/park/applications/{application.pk}/").content.decode()
    assert "duplicate-warning" in page and "乙园同类奖励" in page and "Beta Park" in page
    assert "乙园贷款贴息" not in page  # another category is no double award
