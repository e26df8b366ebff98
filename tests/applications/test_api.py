"""The programme and application API: programmes, applications, workflow actions, the
timeline, attachments, and the public notice.

Owner / insider / outsider: enterprise X's owner; park A's reviewer and administrator;
enterprise Y's owner (an outsider to X's files) and park B's people (outsiders to park A).

A role acting outside its stage gets a **409** (code "transition_refused") whose message
says the step belongs to another role: the same person may take the same action at
another stage, so it is the application's state that refuses, not a missing right.
"""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenant_schema.applications.models import Application, Attachment, Objection
from tenant_schema.funding.models import Programme
from tenant_schema.programme_forms.demo import demo_guide

from ..conftest import ALPHA, BETA, HostClient, host_of
from ..enterprises.conftest import register
from ..factories import ApplicationFactory, ProgrammeFactory
from .conftest import act, draft_for, make_programme, verified

S = Application.Status
PROGRAMMES = "/api/programmes/"
APPLICATIONS = "/api/applications/"
NOTICE = "/api/notice/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SHANGHAI_OFFSET = "+08:00"


def app_url(pk, tail=""):
    return f"{APPLICATIONS}{pk}/{tail}"


def action_url(pk, action):
    return app_url(pk, f"actions/{action}/")


def signed_in(user) -> HostClient:
    client = HostClient(host_of(ALPHA))
    client.force_login(user)
    return client


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def upload(name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def owner(enterprise_x) -> HostClient:
    return signed_in(enterprise_x.user)


@pytest.fixture
def reviewing(reviewer) -> HostClient:
    return signed_in(reviewer)


@pytest.fixture
def admin(park_admin) -> HostClient:
    return signed_in(park_admin)


@pytest.fixture
def enterprise_y(db, in_alpha):
    return verified(register(ALPHA, name="青岛远洋食品有限公司"))


@pytest.fixture
def outsider(enterprise_y) -> HostClient:
    return signed_in(enterprise_y.user)


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary folder, not the developer's media root."""
    settings.MEDIA_ROOT = str(tmp_path)
    # django-tenants caches the tenant media root; changing this setting clears that cache.
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
    return tmp_path


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def submitted(programme, enterprise_x):
    return ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------


def test_an_enterprise_lists_only_open_programmes_and_reads_their_stages(owner, programme):
    draft = ProgrammeFactory(
        title="尚未发布的政策",
        budget=Decimal("1000.00"),
        per_enterprise_cap=None,
        opens_at=programme.opens_at,
        closes_at=programme.closes_at,
        opened=False,
    )
    body = ok(owner.get(PROGRAMMES))
    assert [row["title"] for row in body["results"]] == [programme.title]
    assert (
        body["results"][0]["budget"] == "1000000.00"
        and body["results"][0]["per_enterprise_cap"] == "200000.00"
    )
    assert body["results"][0]["closes_at"].endswith(SHANGHAI_OFFSET)

    detail = ok(owner.get(f"{PROGRAMMES}{programme.pk}/"))
    assert [stage["public_name"] for stage in detail["stages"]] == [
        "受理",
        "初审",
        "专家评审",
        "公示",
        "资金拨付",
    ]
    assert detail["stages"][0]["office"] == "园区企业服务中心" and detail["stages"][0]["time_limit_days"] == 3
    assert detail["awarded_total"] is None  # the park's running total is for staff
    assert owner.get(f"{PROGRAMMES}{draft.pk}/").status_code == 404


def test_park_staff_see_every_programme_and_filter_by_status(reviewing, programme):
    ProgrammeFactory(
        title="尚未发布的政策",
        budget=Decimal("1000.00"),
        per_enterprise_cap=None,
        opens_at=programme.opens_at,
        closes_at=programme.closes_at,
        opened=False,
    )
    assert ok(reviewing.get(PROGRAMMES))["count"] == 2
    assert [row["title"] for row in ok(reviewing.get(PROGRAMMES, {"status": "draft"}))["results"]] == [
        "尚未发布的政策"
    ]
    assert ok(reviewing.get(f"{PROGRAMMES}{programme.pk}/"))["awarded_total"] == "0.00"
    assert reviewing.get(PROGRAMMES, {"status": "bogus"}).status_code == 400


def test_park_admin_creates_a_programme_with_its_own_stages_then_opens_and_closes_it(admin, owner):
    payload = {
        "title": "2026年度技术改造补贴",
        "category": "subsidy",
        "budget": "500000.00",
        "per_enterprise_cap": "50000.00",
        "opens_at": "2026-01-01T09:00:00+08:00",
        "closes_at": "2099-12-31T17:30:00+08:00",
        "required_documents": ["营业执照"],
        "stages": [
            {"name": "受理", "office": "企业服务中心", "time_limit_days": 2},
            {"name": "联审", "public_name": "部门联合审查", "role": "park_admin", "time_limit_days": 7},
            {"name": "拨付", "kind": "disbursement", "role": "park_admin", "time_limit_days": 10},
        ],
        "guide": demo_guide(),  # 申兑指南: without it the programme does not open
    }
    created = ok(post_json(admin, PROGRAMMES, payload), 201)
    assert created["status"] == "draft" and created["budget"] == "500000.00"
    assert [(s["position"], s["public_name"]) for s in created["stages"]] == [
        (1, "受理"),
        (2, "部门联合审查"),
        (3, "拨付"),
    ]
    assert created["opens_at"] == "2026-01-01T09:00:00+08:00"
    pk = created["id"]
    assert owner.get(f"{PROGRAMMES}{pk}/").status_code == 404  # a draft is not for enterprises yet

    assert ok(post_json(admin, f"{PROGRAMMES}{pk}/open/"))["status"] == "open"
    assert ok(owner.get(f"{PROGRAMMES}{pk}/"))["title"] == "2026年度技术改造补贴"
    changed = ok(admin.patch(f"{PROGRAMMES}{pk}/", {"budget": "600000.00"}, content_type="application/json"))
    assert changed["budget"] == "600000.00" and len(changed["stages"]) == 3
    assert ok(post_json(admin, f"{PROGRAMMES}{pk}/close/"))["status"] == "closed"


def test_programme_rules_are_400s_on_their_fields(admin):
    base = {"title": "x", "opens_at": "2026-01-01T09:00:00+08:00", "closes_at": "2026-02-01T09:00:00+08:00"}
    assert (
        "budget"
        in admin.post(PROGRAMMES, {**base, "budget": "0"}, content_type="application/json").json()["fields"]
    )
    bad_order = {**base, "budget": "10.00", "stages": [{"name": "拨付", "kind": "disbursement"}]}
    response = post_json(admin, PROGRAMMES, bad_order)
    assert response.status_code == 400 and "stages" in response.json()["fields"]


def test_only_a_park_administrator_creates_or_changes_programmes(reviewing, owner, programme):
    payload = {
        "title": "x",
        "budget": "10.00",
        "opens_at": "2026-01-01T09:00:00+08:00",
        "closes_at": "2099-01-01T09:00:00+08:00",
    }
    for client in (reviewing, owner):
        assert post_json(client, PROGRAMMES, payload).status_code == 403
        response = client.patch(
            f"{PROGRAMMES}{programme.pk}/", {"title": "改"}, content_type="application/json"
        )
        assert response.status_code == 403 and response.json()["message"]
        assert post_json(client, f"{PROGRAMMES}{programme.pk}/close/").status_code == 403
    programme.refresh_from_db()
    assert programme.status == Programme.Status.OPEN and programme.title != "改"


def test_stages_cannot_be_replaced_once_an_application_is_submitted(admin, programme, enterprise_x):
    new_stages = {
        "stages": [{"name": "受理"}, {"name": "拨付", "kind": "disbursement", "role": "park_admin"}]
    }
    draft_for(enterprise_x, programme)  # a draft does not freeze the stages
    assert (
        len(
            ok(admin.patch(f"{PROGRAMMES}{programme.pk}/", new_stages, content_type="application/json"))[
                "stages"
            ]
        )
        == 2
    )

    other = make_programme(title="第二个政策")
    submitted(other, enterprise_x)
    response = admin.patch(
        f"{PROGRAMMES}{other.pk}/", {"title": "改名", **new_stages}, content_type="application/json"
    )
    assert response.status_code == 400 and "stages" in response.json()["fields"]
    other.refresh_from_db()
    assert other.title == "第二个政策" and other.stages.count() == 5  # the title change was rolled back too


# ---------------------------------------------------------------------------
# Applications: draft, edit, list
# ---------------------------------------------------------------------------


def test_an_enterprise_starts_a_draft_and_edits_it(owner, programme, enterprise_x):
    created = ok(
        post_json(
            owner,
            APPLICATIONS,
            {"programme": programme.pk, "requested_amount": "120000.5", "answers": {"q1": "是"}},
        ),
        201,
    )
    assert created["status"] == "draft" and created["requested_amount"] == "120000.50"
    assert created["enterprise"] == {"id": enterprise_x.enterprise.pk, "name": enterprise_x.enterprise.name}
    assert created["created_at"].endswith(SHANGHAI_OFFSET)
    assert [a["action"] for a in created["actions"]] == ["submit", "withdraw"]

    changed = ok(
        owner.patch(
            app_url(created["id"]),
            {"answers": {"q1": "否"}, "requested_amount": "90000"},
            content_type="application/json",
        )
    )
    assert changed["answers"] == {"q1": "否"} and changed["requested_amount"] == "90000.00"


def test_a_draft_over_the_cap_or_for_a_programme_not_open_is_a_400_on_the_field(owner, programme):
    over = post_json(owner, APPLICATIONS, {"programme": programme.pk, "requested_amount": "999999.00"})
    assert over.status_code == 400 and "requested_amount" in over.json()["fields"]
    draft = ProgrammeFactory(
        title="未开放",
        budget=Decimal("10.00"),
        per_enterprise_cap=None,
        opens_at=programme.opens_at,
        closes_at=programme.closes_at,
        opened=False,
    )
    closed = post_json(owner, APPLICATIONS, {"programme": draft.pk, "requested_amount": "1.00"})
    assert closed.status_code == 400 and "programme" in closed.json()["fields"]


def test_park_staff_cannot_apply_or_edit_an_enterprises_draft(reviewing, admin, programme, enterprise_x):
    assert (
        post_json(admin, APPLICATIONS, {"programme": programme.pk, "requested_amount": "1.00"}).status_code
        == 403
    )
    application = draft_for(enterprise_x, programme)
    response = reviewing.patch(app_url(application.pk), {"answers": {}}, content_type="application/json")
    assert response.status_code == 403


def test_a_submitted_application_can_no_longer_be_edited(owner, programme, enterprise_x):
    application = submitted(programme, enterprise_x)
    response = owner.patch(
        app_url(application.pk), {"requested_amount": "1.00"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_staff_list_filters_by_status_programme_and_queue(
    reviewing, reviewer, admin, programme, enterprise_x, enterprise_y
):
    draft_for(enterprise_y, programme)
    at_intake = submitted(programme, enterprise_x)
    other_programme = make_programme(title="第二个政策")
    elsewhere = submitted(other_programme, enterprise_y)
    act(elsewhere, "advance", reviewer)
    act(elsewhere, "advance", reviewer)  # now at 专家评审, the administrator's stage

    def ids(client, **params):
        return [row["id"] for row in ok(client.get(APPLICATIONS, params))["results"]]

    assert len(ids(reviewing)) == 3
    assert ids(reviewing, status="in_review", programme=programme.pk) == [at_intake.pk]
    assert ids(reviewing, queue="mine") == [at_intake.pk]
    assert ids(admin, queue="mine") == [elsewhere.pk]
    assert ids(reviewing, queue="overdue") == []
    # Time passes: the intake check falls overdue.
    Application.objects.filter(pk=at_intake.pk).update(
        stage_due_at=at_intake.stage_due_at - dt.timedelta(days=30)
    )
    assert ids(reviewing, queue="overdue") == [at_intake.pk]
    Application.objects.filter(pk=at_intake.pk).update(
        stage_due_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)
    )
    assert ids(reviewing, queue="due_soon") == [at_intake.pk]
    assert reviewing.get(APPLICATIONS, {"queue": "everything"}).status_code == 400


def test_an_enterprise_lists_only_its_own_applications(
    owner, outsider, programme, enterprise_x, enterprise_y
):
    mine = draft_for(enterprise_x, programme)
    theirs = draft_for(enterprise_y, programme)
    assert [row["id"] for row in ok(owner.get(APPLICATIONS))["results"]] == [mine.pk]
    assert [row["id"] for row in ok(outsider.get(APPLICATIONS))["results"]] == [theirs.pk]


# ---------------------------------------------------------------------------
# Workflow actions
# ---------------------------------------------------------------------------


def test_every_legal_action_through_the_api_from_draft_to_disbursed(
    owner, reviewing, admin, programme, enterprise_x
):
    pk = draft_for(enterprise_x, programme).pk

    def take(client, action, **data):
        return ok(post_json(client, action_url(pk, action), data))

    body = take(owner, "submit")
    assert body["status"] == "in_review" and body["current_stage"]["name"] == "受理"
    assert body["stage_due_at"].endswith("17:30:00+08:00") and body["submitted_at"].endswith(SHANGHAI_OFFSET)
    assert take(reviewing, "advance")["current_stage"]["name"] == "初审"

    returned = post_json(reviewing, action_url(pk, "return"), {"comment": "  "})
    assert returned.status_code == 400 and "comment" in returned.json()["fields"]
    body = take(reviewing, "return", comment="请补充2025年度审计报告")
    assert body["status"] == "returned" and body["stage_due_at"] is None
    body = take(owner, "submit")
    assert body["status"] == "in_review" and body["current_stage"]["name"] == "初审"
    assert take(reviewing, "advance")["current_stage"]["name"] == "专家评审"

    no_amount = post_json(admin, action_url(pk, "approve"))
    assert no_amount.status_code == 400 and "amount" in no_amount.json()["fields"]
    body = take(admin, "approve", amount="80000", comment="评审通过")
    assert body["status"] == "approved" and body["approved_amount"] == "80000.00"
    assert body["current_stage"]["kind"] == "notice"
    assert take(admin, "advance")["current_stage"]["kind"] == "disbursement"
    body = take(admin, "disburse", amount="80000.00", disbursed_on="2026-03-02")
    assert (
        body["status"] == "disbursed"
        and body["disbursed_amount"] == "80000.00"
        and body["disbursed_on"] == "2026-03-02"
    )
    assert body["actions"] == []


def test_an_enterprise_withdraws_and_a_reviewer_rejects_with_a_reason(
    owner, reviewing, programme, enterprise_x, enterprise_y
):
    pk = draft_for(enterprise_x, programme).pk
    assert ok(post_json(owner, action_url(pk, "withdraw")))["status"] == "withdrawn"

    other = submitted(programme, enterprise_y).pk
    no_reason = post_json(reviewing, action_url(other, "reject"))
    assert no_reason.status_code == 400 and "comment" in no_reason.json()["fields"]
    assert (
        ok(post_json(reviewing, action_url(other, "reject"), {"comment": "不符合申报条件"}))["status"]
        == "rejected"
    )


def test_an_illegal_move_is_a_409_that_says_why(owner, reviewing, programme, enterprise_x):
    pk = submitted(programme, enterprise_x).pk
    owner.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_json(owner, action_url(pk, "submit"))
    assert response.status_code == 409
    assert response.json() == {
        "code": "transition_refused",
        "message": "“Submit” is not possible while the item is “In review”.",
        "fields": {},
    }
    assert Application.objects.get(pk=pk).status == S.IN_REVIEW


def test_a_role_acting_outside_its_stage_is_a_409_naming_the_reason(
    owner, reviewing, programme, enterprise_x
):
    pk = submitted(programme, enterprise_x).pk
    # The enterprise cannot move its own file on.
    response = post_json(owner, action_url(pk, "advance"))
    assert response.status_code == 409 and response.json()["code"] == "transition_refused"
    post_json(reviewing, action_url(pk, "advance"))
    post_json(reviewing, action_url(pk, "advance"))
    # 专家评审 belongs to the park administrator: a reviewer cannot approve there.
    reviewing.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_json(reviewing, action_url(pk, "approve"), {"amount": "1000.00"})
    assert response.status_code == 409
    assert response.json() == {
        "code": "transition_refused",
        "message": "You cannot take this step at this stage: it belongs to another role or person.",
        "fields": {},
    }
    application = Application.objects.get(pk=pk)
    assert application.status == S.IN_REVIEW and application.current_stage.name == "专家评审"


def test_an_unknown_action_is_a_404(reviewing, programme, enterprise_x):
    pk = submitted(programme, enterprise_x).pk
    assert post_json(reviewing, action_url(pk, "fast-track")).status_code == 404


def test_a_bad_amount_is_a_400_on_the_field(admin, reviewing, programme, enterprise_x):
    pk = submitted(programme, enterprise_x).pk
    post_json(reviewing, action_url(pk, "advance"))
    post_json(reviewing, action_url(pk, "advance"))
    assert "amount" in post_json(admin, action_url(pk, "approve"), {"amount": "很多"}).json()["fields"]
    over = post_json(admin, action_url(pk, "approve"), {"amount": "150000.00"})  # more than requested
    assert over.status_code == 400 and "amount" in over.json()["fields"]


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------


def test_the_enterprise_sees_its_timeline_with_the_reason_and_who_holds_it(
    owner, reviewing, programme, enterprise_x
):
    pk = submitted(programme, enterprise_x).pk
    post_json(reviewing, action_url(pk, "advance"))
    post_json(reviewing, action_url(pk, "return"), {"comment": "请补充审计报告"})

    timeline = ok(owner.get(app_url(pk, "timeline/")))
    assert timeline["reason"] == "请补充审计报告" and timeline["application"]["status"] == "returned"
    intake, review, *later = timeline["stages"]
    assert intake["state"] == "done" and intake["entered_at"].endswith(SHANGHAI_OFFSET) and intake["done_at"]
    assert intake["due_at"].endswith("17:30:00+08:00")
    assert review["current"] and review["office"] == "园区经济发展部"
    assert review["comments"][0]["comment"] == "请补充审计报告"
    assert all(stage["state"] == "waiting" for stage in later)
    assert [e["action"] for e in timeline["events"]] == ["submit", "advance", "return"]
    assert all(e["actor"] is None for e in timeline["events"])  # the enterprise sees offices, not officials

    post_json(owner, action_url(pk, "submit"))
    timeline = ok(owner.get(app_url(pk, "timeline/")))
    current = next(stage for stage in timeline["stages"] if stage["current"])
    assert current["name"] == "初审" and timeline["holder"] == "园区经济发展部"
    assert isinstance(current["working_days_left"], int) and current["working_days_left"] >= 0
    assert current["overdue"] is False and timeline["reason"] == ""


def test_park_staff_see_who_took_each_step(reviewing, reviewer, programme, enterprise_x):
    pk = submitted(programme, enterprise_x).pk
    post_json(reviewing, action_url(pk, "advance"))
    events = ok(reviewing.get(app_url(pk, "timeline/")))["events"]
    assert events[-1]["actor"] == (reviewer.full_name or reviewer.email)


# ---------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------


def test_an_enterprise_uploads_lists_downloads_and_removes_documents(
    owner, reviewing, programme, enterprise_x, media
):
    pk = draft_for(enterprise_x, programme).pk
    pdf = ok(
        owner.post(
            app_url(pk, "attachments/"), {"file": upload("审计报告.pdf", PDF), "document": "审计报告"}
        ),
        201,
    )
    assert (
        pdf["content_type"] == "application/pdf" and pdf["size"] == len(PDF) and pdf["document"] == "审计报告"
    )
    word = ok(owner.post(app_url(pk, "attachments/"), {"file": upload("申报书.docx", docx_bytes())}), 201)
    assert word["content_type"].endswith("wordprocessingml.document")
    assert [a["id"] for a in ok(reviewing.get(app_url(pk, "attachments/")))] == [pdf["id"], word["id"]]

    download = reviewing.get(pdf["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF  # reading it to the end also closes the file

    assert reviewing.delete(app_url(pk, f"attachments/{word['id']}/")).status_code == 403  # staff only read
    assert owner.delete(app_url(pk, f"attachments/{word['id']}/")).status_code == 204
    assert owner.get(app_url(pk, f"attachments/{word['id']}/")).status_code == 404


def test_a_renamed_text_file_is_refused_on_the_file_field(owner, programme, enterprise_x, media):
    pk = draft_for(enterprise_x, programme).pk
    response = owner.post(
        app_url(pk, "attachments/"), {"file": upload("营业执照.pdf", b"just some text, not a PDF\n")}
    )
    assert response.status_code == 400
    assert response.json()["fields"]["file"] and "PDF" in response.json()["fields"]["file"][0]
    assert not Attachment.objects.filter(application_id=pk).exists()
    missing = owner.post(app_url(pk, "attachments/"), {})
    assert missing.status_code == 400 and "file" in missing.json()["fields"]


def test_park_staff_cannot_upload_to_an_enterprises_application(reviewing, programme, enterprise_x, media):
    pk = draft_for(enterprise_x, programme).pk
    assert reviewing.post(app_url(pk, "attachments/"), {"file": upload("a.pdf", PDF)}).status_code == 403


# ---------------------------------------------------------------------------
# Public notice
# ---------------------------------------------------------------------------


def _on_notice(programme, enterprise_x, reviewer, park_admin):
    application = submitted(programme, enterprise_x)
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    return act(application, "approve", park_admin, amount="80000.00")


def test_anyone_reads_the_public_notice_without_private_fields(
    client_a, programme, enterprise_x, reviewer, park_admin
):
    application = _on_notice(programme, enterprise_x, reviewer, park_admin)
    body = ok(client_a.get(NOTICE))
    assert body["count"] == 1
    (row,) = body["results"]
    assert row == {
        "application_id": application.pk,
        "programme": programme.title,
        "enterprise": enterprise_x.enterprise.name,
        "approved_amount": "80000.00",
        "notice_from": row["notice_from"],
        "notice_until": row["notice_until"],
    }
    assert row["notice_from"].endswith(SHANGHAI_OFFSET) and row["notice_until"].endswith("17:30:00+08:00")
    assert "requested_amount" not in client_a.get(NOTICE).content.decode()
    # A bad token does not stop anyone reading a public page.
    assert client_a.get(NOTICE, HTTP_AUTHORIZATION="Token nonsense").status_code == 200


def test_anyone_files_an_objection_during_the_notice_and_not_otherwise(
    client_a, programme, enterprise_x, reviewer, park_admin, enterprise_y
):
    application = _on_notice(programme, enterprise_x, reviewer, park_admin)
    url = f"{NOTICE}{application.pk}/objections/"
    receipt = ok(
        post_json(client_a, url, {"name": "李四", "contact": "13900000000", "text": "该企业不符合条件"}), 201
    )
    assert set(receipt) == {"id", "created_at"}
    assert Objection.objects.get(pk=receipt["id"]).application_id == application.pk
    blank = post_json(client_a, url, {"name": "李四", "contact": "13900000000", "text": " "})
    assert blank.status_code == 400 and "text" in blank.json()["fields"]

    # After the notice period (passed on to disbursement) an objection is refused with a reason.
    act(application, "advance", park_admin)
    late = post_json(client_a, url, {"name": "李四", "contact": "13900000000", "text": "迟到的异议"})
    assert late.status_code == 400 and late.json()["message"]
    assert Objection.objects.filter(application=application).count() == 1

    in_review = submitted(programme, enterprise_y)
    assert (
        post_json(
            client_a, f"{NOTICE}{in_review.pk}/objections/", {"name": "a", "contact": "b", "text": "c"}
        ).status_code
        == 404
    )


# ---------------------------------------------------------------------------
# Outsiders
# ---------------------------------------------------------------------------


def test_outsider_enterprise_gets_404_for_another_enterprises_application(
    owner, outsider, programme, enterprise_x, media
):
    pk = draft_for(enterprise_x, programme).pk
    attachment = ok(owner.post(app_url(pk, "attachments/"), {"file": upload("a.pdf", PDF)}), 201)
    missing = (Application.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    not_found = outsider.get(app_url(missing))
    assert not_found.status_code == 404

    attempts = [
        outsider.get(app_url(pk)),
        outsider.patch(app_url(pk), {"answers": {"x": 1}}, content_type="application/json"),
        outsider.get(app_url(pk, "timeline/")),
        post_json(outsider, action_url(pk, "withdraw")),
        post_json(outsider, action_url(pk, "submit")),
        outsider.get(app_url(pk, "attachments/")),
        outsider.post(app_url(pk, "attachments/"), {"file": upload("b.pdf", PDF)}),
        outsider.get(attachment["download_url"]),
        outsider.delete(attachment["download_url"]),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert response.json() == not_found.json()  # "not yours" reads exactly like "does not exist"
    application = Application.objects.get(pk=pk)
    assert application.status == S.DRAFT and application.answers == {}
    assert application.attachments.count() == 1


def test_park_b_ids_are_404s_on_park_a(admin, programme, media):
    with schema_context(ALPHA):
        alpha_max = Application.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        alpha_programmes = Programme.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with schema_context(BETA):
        with connection.cursor() as cursor:  # ids are per schema: make B's ones unknown to A
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('applications_application', 'id'), %s)",
                [alpha_max + 1000],
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('funding_programme', 'id'), %s)",
                [alpha_programmes + 1000],
            )
        b_programme = make_programme(title="乙园政策")
        b_enterprise = register(BETA)
        b_application = draft_for(b_enterprise, b_programme)
    for response in (
        admin.get(app_url(b_application.pk)),
        admin.get(app_url(b_application.pk, "timeline/")),
        admin.get(app_url(b_application.pk, "attachments/")),
        post_json(admin, action_url(b_application.pk, "advance")),
        admin.get(f"{PROGRAMMES}{b_programme.pk}/"),
        post_json(admin, f"{PROGRAMMES}{b_programme.pk}/close/"),
    ):
        assert response.status_code == 404
    assert "乙园政策" not in admin.get(PROGRAMMES).content.decode()
    with schema_context(BETA):
        assert Programme.objects.get(pk=b_programme.pk).status == Programme.Status.OPEN


def test_anonymous_gets_401_everywhere_but_the_public_notice(client_a, programme, enterprise_x):
    pk = draft_for(enterprise_x, programme).pk
    responses = [
        client_a.get(PROGRAMMES),
        post_json(client_a, PROGRAMMES, {"title": "x"}),
        client_a.get(f"{PROGRAMMES}{programme.pk}/"),
        client_a.patch(f"{PROGRAMMES}{programme.pk}/", {"title": "x"}, content_type="application/json"),
        post_json(client_a, f"{PROGRAMMES}{programme.pk}/open/"),
        client_a.get(APPLICATIONS),
        post_json(client_a, APPLICATIONS, {"programme": programme.pk, "requested_amount": "1"}),
        client_a.get(app_url(pk)),
        client_a.patch(app_url(pk), {"answers": {}}, content_type="application/json"),
        post_json(client_a, action_url(pk, "submit")),
        client_a.get(app_url(pk, "timeline/")),
        client_a.get(app_url(pk, "attachments/")),
        client_a.get(app_url(pk, "attachments/1/")),
    ]
    for response in responses:
        assert response.status_code == 401, response.request["PATH_INFO"]
    assert client_a.get(NOTICE).status_code == 200
    assert Application.objects.get(pk=pk).status == S.DRAFT


def test_park_a_session_is_refused_on_park_b(tenant_b, park_admin):
    client = signed_in(park_admin)
    stolen = HostClient(host_of(BETA))
    stolen.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert stolen.get(APPLICATIONS).status_code in (401, 403)
    assert stolen.get(PROGRAMMES).status_code in (401, 403)
