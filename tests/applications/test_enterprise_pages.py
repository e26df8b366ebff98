"""The enterprise's pages: open programmes, applying, the timeline, documents; the public notice.

Pages are in Chinese by default and translations come later, so these tests check what the
pages do (status codes, rows, classes, names, what is stored) rather than English wording.
"""

import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from tenant_schema.applications.models import Application, Attachment, Objection

from ..conftest import ALPHA, BETA
from ..enterprises.conftest import register
from ..factories import ApplicationFactory
from .conftest import PDF, act, draft_for, make_programme

S = Application.Status
pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def documented_programme(db, in_alpha):
    return make_programme(title="2026年度技术改造补贴", required_documents=["营业执照", "项目申报书"])


def pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def reload(application) -> Application:
    with schema_context(ALPHA):
        return Application.objects.get(pk=application.pk)


def to_notice(application, reviewer, park_admin, amount="80000.00"):
    act(application, "submit", application.applicant)
    act(application, "advance", reviewer)  # 受理 → 初审
    act(application, "advance", reviewer)  # 初审 → 专家评审
    return act(application, "approve", park_admin, amount=amount)  # → 公示


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------


def test_anyone_sees_open_programmes_with_budget_cap_closing_date_and_documents(
    client_a, documented_programme
):
    page = client_a.get("/programmes/")
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["programme"].pk == documented_programme.pk)
    assert 29 <= row["days_left"] <= 30
    html = page.content.decode()
    assert documented_programme.title in html and "营业执照" in html and "项目申报书" in html
    assert "1000000.00" in html.replace(",", "") and "200000.00" in html.replace(",", "")
    assert "1,000,000.00" in html  # grouped in threes on the Chinese page too, as amounts are read
    assert f'href="/applications/new/{documented_programme.pk}/"' in html
    detail = client_a.get(f"/programmes/{documented_programme.pk}/")
    assert detail.status_code == 200
    assert [stage.public_name for stage in detail.context["stages"]] == [
        "受理",
        "初审",
        "专家评审",
        "公示",
        "资金拨付",
    ]


def test_a_closed_programme_is_not_listed_and_its_page_is_a_404(db, client_a, in_alpha):
    from tenant_schema.funding.services import programme_close

    closed = programme_close(programme=make_programme(title="已截止的项目"))
    assert closed.title not in client_a.get("/programmes/").content.decode()
    assert client_a.get(f"/programmes/{closed.pk}/").status_code == 404


# ---------------------------------------------------------------------------
# Applying: draft, documents, submit
# ---------------------------------------------------------------------------


def test_an_enterprise_applies_attaches_a_pdf_per_document_and_submits(
    owner_client, documented_programme, enterprise_x
):
    form = owner_client.get(f"/applications/new/{documented_programme.pk}/")
    assert form.status_code == 200
    response = owner_client.post(
        f"/applications/new/{documented_programme.pk}/",
        {
            "requested_amount": "150000.00",
            "summary": "数控机床产线改造",
            "results": "",
            "use_of_funds": "购置设备",
        },
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        application = Application.objects.get(
            enterprise=enterprise_x.enterprise, programme=documented_programme
        )
    assert response["Location"] == f"/applications/{application.pk}/"
    assert application.status == S.DRAFT and application.requested_amount == Decimal("150000.00")
    assert application.answers == {"summary": "数控机床产线改造", "use_of_funds": "购置设备"}

    # Submitting before the documents are there is refused with the names of what is missing.
    refused = owner_client.post(f"/applications/{application.pk}/submit/")
    assert refused.status_code == 400
    assert "营业执照" in refused.context["error"] and reload(application).status == S.DRAFT

    for document in ("营业执照", "项目申报书"):
        upload = owner_client.post(
            f"/applications/{application.pk}/attachments/",
            {"document": document, "file": pdf(f"{document}.pdf")},
        )
        assert upload.status_code == 302
    with schema_context(ALPHA):
        assert sorted(application.attachments.values_list("document", "content_type")) == [
            ("营业执照", "application/pdf"),
            ("项目申报书", "application/pdf"),
        ]
    page = owner_client.get(f"/applications/{application.pk}/")
    assert page.content.decode().count('class="doc-slot"') == 3  # two required documents and "other"

    submitted = owner_client.post(f"/applications/{application.pk}/submit/")
    assert submitted.status_code == 302
    application = reload(application)
    assert application.status == S.IN_REVIEW and application.current_stage.name == "受理"

    listing = owner_client.get("/applications/")
    assert [row["application"].pk for row in listing.context["rows"]] == [application.pk]
    assert "受理" in listing.content.decode()


def test_a_renamed_text_file_is_refused_with_a_message(owner_client, documented_programme, enterprise_x):
    application = draft_for(enterprise_x, documented_programme)
    fake = SimpleUploadedFile(
        "营业执照.pdf", b"just some text, not a PDF at all\n", content_type="application/pdf"
    )
    response = owner_client.post(
        f"/applications/{application.pk}/attachments/", {"document": "营业执照", "file": fake}
    )
    assert response.status_code == 400
    assert "营业执照.pdf" in response.context["error"]
    assert 'class="message error action-error"' in response.content.decode()
    with schema_context(ALPHA):
        assert not Attachment.objects.filter(application_id=application.pk).exists()


def test_an_attachment_downloads_for_its_enterprise_and_can_be_removed_from_a_draft(
    owner_client, documented_programme, enterprise_x, private_media
):
    application = draft_for(enterprise_x, documented_programme)
    owner_client.post(f"/applications/{application.pk}/attachments/", {"document": "营业执照", "file": pdf()})
    with schema_context(ALPHA):
        attachment = Attachment.objects.get(application_id=application.pk)
    assert (private_media / ALPHA / attachment.file.name).exists()  # under the tenant's own prefix
    download = owner_client.get(f"/applications/{application.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    removed = owner_client.post(f"/applications/{application.pk}/attachments/{attachment.pk}/remove/")
    assert removed.status_code == 302
    with schema_context(ALPHA):
        assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_an_enterprise_awaiting_verification_is_told_it_cannot_apply_yet(client_a, programme):
    enterprise_x = register(ALPHA, name="青岛待审企业有限公司")  # registered, not yet verified
    client_a.force_login(enterprise_x.user)
    listing = client_a.get("/programmes/")
    assert listing.context["awaiting_verification"] and not listing.context["may_apply"]
    assert f'href="/applications/new/{programme.pk}/"' not in listing.content.decode()
    form = client_a.get(f"/applications/new/{programme.pk}/")
    assert form.status_code == 200 and form.context["verified"] is False
    refused = client_a.post(f"/applications/new/{programme.pk}/", {"requested_amount": "1000"})
    assert refused.status_code == 400
    with schema_context(ALPHA):
        assert not Application.objects.filter(enterprise=enterprise_x.enterprise).exists()


def test_a_second_application_for_the_same_programme_leads_to_the_first(
    owner_client, programme, enterprise_x
):
    application = draft_for(enterprise_x, programme)
    response = owner_client.get(f"/applications/new/{programme.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"


def test_an_amount_over_the_cap_is_shown_on_its_field(owner_client, programme):
    response = owner_client.post(f"/applications/new/{programme.pk}/", {"requested_amount": "300000.00"})
    assert response.status_code == 400
    assert response.context["form"].errors["requested_amount"]


# ---------------------------------------------------------------------------
# The timeline
# ---------------------------------------------------------------------------


def test_the_timeline_shows_every_stage_with_due_dates_and_highlights_the_current_one(
    owner_client, programme, enterprise_x, reviewer
):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    application = act(application, "advance", reviewer)  # now at 初审
    page = owner_client.get(f"/applications/{application.pk}/")
    assert page.status_code == 200
    stages = page.context["timeline"].stages
    assert [row.stage.public_name for row in stages] == ["受理", "初审", "专家评审", "公示", "资金拨付"]
    assert [row.state for row in stages] == ["done", "current", "waiting", "waiting", "waiting"]
    assert stages[0].entered_at and stages[0].due_at and stages[0].done_at
    assert stages[1].due_at == application.stage_due_at and stages[1].clock["days"] == 5
    html = page.content.decode()
    assert html.count('class="tl-stage ') == 5
    assert html.count('aria-current="step"') == 1
    assert 'class="tl-stage tl-current"' in html and "园区经济发展部" in html  # the office holding it now
    assert stages[1].due_at.astimezone(stages[1].due_at.tzinfo).strftime("%Y-%m-%d") in html
    assert "app-banner-in_review" in html
    assert page.context["holder"] == "园区经济发展部"


def test_after_a_return_the_timeline_shows_the_reason_and_the_enterprise_resubmits(
    owner_client, programme, enterprise_x, reviewer
):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    act(application, "advance", reviewer)
    act(application, "return", reviewer, comment="请补充2025年度审计报告")
    page = owner_client.get(f"/applications/{application.pk}/")
    html = page.content.decode()
    assert page.context["timeline"].reason == "请补充2025年度审计报告"
    assert "app-banner-returned" in html and html.count("请补充2025年度审计报告") >= 2  # banner and the stage
    assert page.context["can_submit"] and page.context["editable"]

    edit = owner_client.post(
        f"/applications/{application.pk}/edit/", {"requested_amount": "90000", "summary": "已补充"}
    )
    assert edit.status_code == 302
    assert owner_client.post(f"/applications/{application.pk}/submit/").status_code == 302
    application = reload(application)
    assert application.status == S.IN_REVIEW and application.current_stage.name == "初审"
    assert application.requested_amount == Decimal("90000.00")


def test_a_refused_transition_is_a_409_with_the_message(owner_client, programme, enterprise_x):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    response = owner_client.post(f"/applications/{application.pk}/submit/")
    assert response.status_code == 409
    assert response.context["error"]


def test_the_enterprise_withdraws_after_confirming(owner_client, programme, enterprise_x):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    confirm = owner_client.get(f"/applications/{application.pk}/withdraw/")
    assert confirm.status_code == 200 and reload(application).status == S.IN_REVIEW  # asking changes nothing
    done = owner_client.post(f"/applications/{application.pk}/withdraw/", {"comment": "项目延期"})
    assert done.status_code == 302
    assert reload(application).status == S.WITHDRAWN
    page = owner_client.get(f"/applications/{application.pk}/")
    assert "app-banner-withdrawn" in page.content.decode()
    assert not page.context["can_submit"] and not page.context["can_withdraw"]


# ---------------------------------------------------------------------------
# Who may see what
# ---------------------------------------------------------------------------


def test_another_enterprise_gets_404_for_the_application_and_its_attachment(
    client_a, documented_programme, enterprise_x
):
    application = draft_for(enterprise_x, documented_programme)
    with schema_context(ALPHA):
        from tenant_schema.applications.attachments import attachment_add

        attachment = attachment_add(
            application=application, actor=enterprise_x.user, upload=pdf(), document="营业执照"
        )
        other = register(ALPHA, name="青岛远洋食品有限公司")
    client_a.force_login(other.user)
    base = f"/applications/{application.pk}/"
    assert client_a.get(base).status_code == 404
    assert client_a.get(f"{base}attachments/{attachment.pk}/").status_code == 404
    assert client_a.get(f"{base}edit/").status_code == 404
    assert client_a.post(f"{base}submit/").status_code == 404
    assert client_a.post(f"{base}withdraw/").status_code == 404
    assert client_a.post(f"{base}attachments/{attachment.pk}/remove/").status_code == 404
    assert client_a.get("/applications/").context["rows"] == []
    assert reload(application).status == S.DRAFT


def test_park_b_enterprise_gets_404_on_park_a(client_a, client_b, programme, enterprise_x, tenant_b):
    application = draft_for(enterprise_x, programme)
    outsider = register(BETA, name="胶州乙园科技有限公司")
    client_b.force_login(outsider.user)
    assert client_b.get(f"/applications/{application.pk}/").status_code == 404  # park A's id on park B's site
    # Park B's session cookie means nothing on park A's site: sent to sign in, never shown the page.
    client_a.cookies = client_b.cookies
    response = client_a.get(f"/applications/{application.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_park_staff_are_sent_to_their_own_pages(client_a, programme, enterprise_x, reviewer):
    application = draft_for(enterprise_x, programme)
    client_a.force_login(reviewer)
    response = client_a.get(f"/applications/{application.pk}/")
    assert response.status_code == 302 and "/applications/new/" not in response["Location"]
    assert client_a.get(f"/applications/new/{programme.pk}/").status_code == 404
    assert client_a.post(f"/applications/{application.pk}/submit/").status_code == 404


def test_a_visitor_is_asked_to_sign_in(client_a, programme, enterprise_x):
    application = draft_for(enterprise_x, programme)
    for url in ("/applications/", f"/applications/{application.pk}/", f"/applications/new/{programme.pk}/"):
        response = client_a.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_home_page_counts_my_applications(owner_client, programme, enterprise_x):
    draft_for(enterprise_x, programme)
    page = owner_client.get("/")
    html = page.content.decode()
    assert "home-applications" in html and 'href="/applications/"' in html


def test_the_home_page_points_visitors_to_programmes_and_the_notice(db, client_a):
    html = client_a.get("/").content.decode()
    assert 'href="/programmes/"' in html and 'href="/notice/"' in html


# ---------------------------------------------------------------------------
# Public notice (公示)
# ---------------------------------------------------------------------------


def test_the_public_notice_lists_awards_without_private_fields(
    client_a, programme, enterprise_x, reviewer, park_admin
):
    application = to_notice(draft_for(enterprise_x, programme), reviewer, park_admin)
    other = draft_for(register(ALPHA), make_programme(title="另一个项目"))  # a draft: never on the notice
    page = client_a.get("/notice/")  # no sign-in
    assert page.status_code == 200
    html = page.content.decode()
    assert [award.pk for award in page.context["awards"]] == [application.pk]
    assert "青岛星海机械有限公司" in html and "80000.00" in html.replace(",", "") and programme.title in html
    assert application.stage_due_at.strftime("%Y-%m-%d") in html
    enterprise = enterprise_x.enterprise
    for private in (enterprise.credit_code, enterprise.contact_phone, enterprise_x.user.email, "100000.00"):
        assert private not in html.replace(",", "")
    assert f"/notice/{other.pk}/object/" not in html
    assert client_a.get(f"/notice/{other.pk}/object/").status_code == 404


def test_anyone_may_object_during_the_notice_period(client_a, programme, enterprise_x, reviewer, park_admin):
    application = to_notice(draft_for(enterprise_x, programme), reviewer, park_admin)
    form = client_a.get(f"/notice/{application.pk}/object/")
    assert form.status_code == 200 and form.context["on_notice"]
    assert enterprise_x.enterprise.credit_code not in form.content.decode()
    missing = client_a.post(
        f"/notice/{application.pk}/object/", {"name": "李四", "contact": "", "text": "重复申报"}
    )
    assert missing.status_code == 400 and missing.context["form"].errors["contact"]
    response = client_a.post(
        f"/notice/{application.pk}/object/",
        {"name": "李四", "contact": "13900000000", "text": "该企业已获同类奖励"},
    )
    assert response.status_code == 302 and response["Location"] == "/notice/"
    with schema_context(ALPHA):
        objection = Objection.objects.get(application_id=application.pk)
    assert (objection.name, objection.contact, objection.text) == (
        "李四",
        "13900000000",
        "该企业已获同类奖励",
    )


def test_an_objection_after_the_notice_period_is_refused(
    client_a, programme, enterprise_x, reviewer, park_admin
):
    application = to_notice(draft_for(enterprise_x, programme), reviewer, park_admin)
    act(application, "advance", park_admin)  # 公示 → 资金拨付: the notice is over
    assert client_a.get("/notice/").context["awards"] == []
    page = client_a.get(f"/notice/{application.pk}/object/")
    assert page.status_code == 200 and not page.context["on_notice"]
    refused = client_a.post(
        f"/notice/{application.pk}/object/", {"name": "李四", "contact": "13900000000", "text": "迟到的异议"}
    )
    assert refused.status_code == 409
    assert refused.context["form"].non_field_errors()
    with schema_context(ALPHA):
        assert not Objection.objects.filter(application_id=application.pk).exists()


# ---------------------------------------------------------------------------
# Cost per page: constant whatever the number of applications, stages and history rows
# ---------------------------------------------------------------------------


def _queries(client, path, enterprise) -> int:
    """Queries of the page as it is built, not as it is kept (tenant_schema.applications.page_cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenant_schema.enterprises.models import Enterprise

    client.get(path)  # warm: content types, translations, the cached navigation
    with schema_context(ALPHA):  # a change the page shows, so that the next request builds it
        Enterprise.objects.filter(pk=enterprise.pk).update(
            name=f"{enterprise.name}（{uuid.uuid4().hex[:6]}）"
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_list_and_the_timeline_cost_the_same_queries_however_long_the_history(
    owner_client, programme, enterprise_x, reviewer
):
    first = draft_for(enterprise_x, programme)
    act(first, "submit", enterprise_x.user)
    act(first, "advance", reviewer)  # a notice from the park: the unread count shows from the start
    short_timeline = _queries(owner_client, f"/applications/{first.pk}/", enterprise_x.enterprise)
    short_list = _queries(owner_client, "/applications/", enterprise_x.enterprise)

    for number in range(2, 5):  # three more applications, one of them returned and resubmitted 6 times
        with schema_context(ALPHA):
            other = make_programme(title=f"2026年度第{number}批补贴")
        draft_for(enterprise_x, other)
    for round_ in range(6):
        act(first, "return", reviewer, comment=f"第{round_ + 1}次退回")
        act(first, "submit", enterprise_x.user)
    with schema_context(ALPHA):
        assert Application.objects.get(pk=first.pk).events.count() >= 14

    assert _queries(owner_client, "/applications/", enterprise_x.enterprise) == short_list
    assert _queries(owner_client, f"/applications/{first.pk}/", enterprise_x.enterprise) == short_timeline
    # Tenant, session, user with its enterprise and roles, the page's own reads, the unread
    # count and a SET search_path or two (they were 20 and 26 when every cursor sent one).
    assert short_list <= 8 and short_timeline <= 11


def test_a_reviewer_whose_role_is_withdrawn_loses_the_staff_pages_on_the_next_request(client_a, reviewer):
    client_a.force_login(reviewer)
    assert client_a.get("/park/applications/").status_code == 200
    assert "/park/applications/" in client_a.get("/programmes/").content.decode()  # the navigation's link
    with schema_context(ALPHA):
        reviewer.groups.clear()
    assert client_a.get("/park/applications/").status_code in (302, 403, 404)
    assert "/park/applications/" not in client_a.get("/programmes/").content.decode()
