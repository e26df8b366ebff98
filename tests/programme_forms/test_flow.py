"""Programme forms end to end: the builder pages, versions, drafts and submissions, the reviewer's
marks on a return, the Excel export, the API (outsiders get 404) and the guide rule."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from tenant_schema.applications.services import application_transition
from tenant_schema.funding.models import Programme
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_form_publish, demo_guide
from tenant_schema.programme_forms.models import FiledForm, FormVersion
from tenant_schema.programme_forms.services import (
    filed_form_save,
    filed_form_start,
    form_field_save,
    form_item_remove,
    form_publish,
    form_section_save,
)

from ..conftest import ALPHA, BETA, HostClient, host_of
from ..enterprises.conftest import register
from ..factories import ApplicationFactory, ProgrammeFactory, verified

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def signed_in(user, *, language: str = "zh-hans") -> HostClient:
    client = HostClient(host_of(ALPHA))
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # pages: the language the user chose
    return client


def simple_form(programme, *fields):
    """A one-section form of `fields` published as the next version; returns it."""
    draft = form_section_save(programme=programme, actor=None, title="项目情况")
    section = draft.schema["sections"][-1]["key"]
    for field in fields:
        form_field_save(programme=programme, actor=None, section=section, field=dict(field))
    return form_publish(programme=programme, actor=None)


NAME = {"label": "项目名称", "type": "text", "required": True}
STAFF = {"label": "从业人数", "type": "number", "required": True, "min": "1", "prefill": "employees"}


@pytest.fixture
def formed(programme):
    simple_form(programme, NAME, STAFF)
    return programme


def draft(enterprise_x, programme):
    return ApplicationFactory(registration=enterprise_x, programme=programme)


# ---------------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------------


def test_an_application_keeps_the_version_it_was_started_under(formed, enterprise_x, park_admin):
    with schema_context(ALPHA):
        enterprise_x.enterprise.employees = 56
        enterprise_x.enterprise.save()
        application = draft(enterprise_x, formed)
        filed = filed_form_start(application=application)
        assert filed.version.number == 1
        assert filed.answers == {"f2": "56"}  # pre-filled from the profile
        filed_form_save(
            application=application, actor=enterprise_x.user, answers={"f1": "新产线", "f2": "56"}
        )
        # Version 2: the name question removed, a required budget added.
        form_item_remove(programme=formed, actor=None, key="f1")
        form_field_save(
            programme=formed,
            actor=None,
            section="s1",
            field={"label": "预算", "type": "money", "required": True},
        )
        assert form_publish(programme=formed, actor=None).number == 2
        # The old application still validates, submits and shows under version 1.
        application = application_transition(
            application_id=application.pk, action="submit", actor=enterprise_x.user
        )
        assert application.status == "in_review"
        assert FiledForm.objects.get(application=application).version.number == 1
    page = signed_in(park_admin, language="en").get(f"/park/applications/{application.pk}/")
    assert page.status_code == 200
    assert "新产线" in page.content.decode() and "v1" in page.content.decode()
    with schema_context(ALPHA):
        # A new application gets version 2, whose keys never reuse an old one.
        other = verified(register(ALPHA, name="青岛远洋食品有限公司"))
        second = filed_form_start(application=draft(other, formed))
        assert second.version.number == 2
        assert [f["key"] for f in second.version.schema["sections"][0]["fields"]] == ["f2", "f3"]
        # A published version is never changed, in the database itself.
        version = FormVersion.objects.get(programme=formed, number=1)
        with pytest.raises((InternalError, IntegrityError, ProgrammingError)), transaction.atomic():
            FormVersion.objects.filter(pk=version.pk).update(schema={"sections": []})


def test_publishing_nothing_new_or_a_broken_form_is_refused(programme):
    with schema_context(ALPHA):
        with pytest.raises(ValidationError) as empty:
            form_publish(programme=programme, actor=None)
        assert "form" in empty.value.message_dict
        simple_form(programme, NAME)
        with pytest.raises(ValidationError):
            form_publish(programme=programme, actor=None)  # nothing changed since version 1
        with pytest.raises(ValidationError):  # a condition looking forward
            form_field_save(
                programme=programme,
                actor=None,
                section="s1",
                field={"label": "说明", "type": "text", "show_if": {"field": "f9", "equals": "x"}},
            )
        with pytest.raises(ValidationError):  # removing a field another one depends on
            form_field_save(
                programme=programme,
                actor=None,
                section="s1",
                field={"label": "说明", "type": "text", "show_if": {"field": "f1", "equals": "x"}},
            )
            form_item_remove(programme=programme, actor=None, key="f1")
            raise AssertionError("not refused")


# ---------------------------------------------------------------------------------------------
# The pages: builder, filling in, draft against submission, the reviewer's marks
# ---------------------------------------------------------------------------------------------


def test_an_administrator_builds_and_publishes_a_form_on_the_pages(programme, park_admin, reviewer):
    admin = signed_in(park_admin, language="en")
    base = f"/park/programmes/{programme.pk}/form/"
    assert admin.post(base, {"title": "企业基本情况"}).status_code == 302
    response = admin.post(
        f"{base}field/",
        {
            "section": "s1",
            "label": "项目类别",
            "type": "choice",
            "choices": "技术改造\n研发创新\n",
            "required": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    response = admin.post(
        f"{base}field/",
        {"section": "s1", "label": "预算", "type": "table", "columns": "支出科目 | 文本\n金额 | 金额"},
    )
    assert response.status_code == 302
    response = admin.post(
        f"{base}field/",
        {
            "section": "s1",
            "label": "改造内容",
            "type": "textarea",
            "show_if_field": "f1",
            "show_if_equals": "技术改造",
        },
    )
    assert response.status_code == 302
    refused = admin.post(
        f"{base}field/", {"section": "s1", "label": "类别", "type": "choice", "choices": "一"}
    )
    assert refused.status_code == 400 and "A choice needs at least two options." in refused.content.decode()
    assert admin.post(f"{base}publish/").status_code == 302
    assert admin.get(base).status_code == 200
    with schema_context(ALPHA):
        version = FormVersion.objects.get(programme=programme)
    fields = version.schema["sections"][0]["fields"]
    assert [f["type"] for f in fields] == ["choice", "table", "textarea"]
    assert fields[1]["columns"][1] == {"key": "c2", "label": "金额", "type": "money"}
    assert fields[2]["show_if"] == {"field": "f1", "equals": "技术改造"}
    # A reviewer reads the builder, and may not change it.
    reading = signed_in(reviewer)
    assert reading.get(base).status_code == 200
    assert reading.post(f"{base}publish/").status_code == 403


def test_a_draft_keeps_partial_answers_and_a_submission_shows_field_errors(
    formed, enterprise_x, owner_client
):
    application = draft(enterprise_x, formed)
    url = f"/applications/{application.pk}/form/"
    assert owner_client.get(url).status_code == 200
    saved = owner_client.post(url, {"f1": "新产线", "f2": ""})
    assert saved.status_code == 302
    with schema_context(ALPHA):
        assert FiledForm.objects.get(application=application).answers == {"f1": "新产线"}
    wrong = owner_client.post(url, {"f1": "新产线", "f2": "很多"}, **ZH)
    assert wrong.status_code == 400 and "请输入数字" in wrong.content.decode()
    refused = owner_client.post(url, {"f1": "新产线", "f2": "", "and_submit": "1"}, **ZH)
    assert refused.status_code == 400 and "该字段是必填项。" in refused.content.decode()
    with schema_context(ALPHA):
        application.refresh_from_db()
        assert application.status == "draft"
        with pytest.raises(ValidationError) as by_service:
            application_transition(application_id=application.pk, action="submit", actor=enterprise_x.user)
        assert "answers" in by_service.value.message_dict
    sent = owner_client.post(url, {"f1": "新产线", "f2": "56", "and_submit": "1"})
    assert sent.status_code == 302
    with schema_context(ALPHA):
        application.refresh_from_db()
        assert application.status == "in_review"


def test_a_returned_application_highlights_what_the_reviewer_ticked(
    formed, enterprise_x, owner_client, reviewer
):
    with schema_context(ALPHA):
        application = draft(enterprise_x, formed)
        filed_form_save(application=application, actor=enterprise_x.user, answers={"f1": "新产线", "f2": "5"})
        application_transition(application_id=application.pk, action="submit", actor=enterprise_x.user)
    staff = signed_in(reviewer, language="en")
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = staff.get(f"/park/applications/{application.pk}/")
    assert "Answers to correct" in page.content.decode()
    returned = staff.post(
        f"/park/applications/{application.pk}/act/return/",
        {"comment": "从业人数与社保缴纳人数不符", "to_fix_fields": ["f2"]},
    )
    assert returned.status_code == 302
    with schema_context(ALPHA):
        filed = FiledForm.objects.get(application=application)
        assert filed.to_fix_fields == ["f2"] and filed.application.status == "returned"
    form_page = owner_client.get(f"/applications/{application.pk}/form/").content.decode()
    assert form_page.count(" to-fix") == 1 and "The park asks you to correct this." in form_page
    assert (
        "they are highlighted in the form"
        in owner_client.get(f"/applications/{application.pk}/").content.decode()
    )
    again = owner_client.post(
        f"/applications/{application.pk}/form/", {"f1": "新产线", "f2": "48", "and_submit": "1"}
    )
    assert again.status_code == 302
    with schema_context(ALPHA):
        filed.refresh_from_db()
        assert filed.to_fix_fields == [] and filed.application.status == "in_review"


def test_the_answers_export_to_excel(formed, enterprise_x, park_admin):
    with schema_context(ALPHA):
        application = draft(enterprise_x, formed)
        filed_form_save(
            application=application, actor=enterprise_x.user, answers={"f1": "新产线", "f2": "56"}
        )
        application_transition(application_id=application.pk, action="submit", actor=enterprise_x.user)
    response = signed_in(park_admin).get(f"/park/programmes/{formed.pk}/form/answers.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("项目名称", "从业人数")
    assert rows[1][0] == "青岛星海机械有限公司" and rows[1][-2:] == ("新产线", 56)


def test_the_demo_form_has_every_field_type(programme):
    with schema_context(ALPHA):
        demo_form_publish(programme)
        types = {
            f["type"]
            for s in FormVersion.objects.get(programme=programme).schema["sections"]
            for f in s["fields"]
        }
    assert types >= {"text", "number", "money", "date", "choice", "yesno", "textarea", "table"}


# ---------------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_answers_and_outsiders_get_404(formed, enterprise_x, reviewer):
    with schema_context(ALPHA):
        application = draft(enterprise_x, formed)
        other = verified(register(ALPHA, name="青岛远洋食品有限公司"))
    url = f"/api/v1/applications/{application.pk}/form/"
    owner = signed_in(enterprise_x.user)
    body = owner.get(url).json()
    assert (
        body["version"]["number"] == 1
        and body["problems"] == {"f1": ["该字段是必填项。"]}
        or body["problems"]
    )
    put = owner.put(url, {"answers": {"f1": "新产线"}}, content_type="application/json")
    assert put.status_code == 200 and put.json()["answers"] == {"f1": "新产线"}
    patched = owner.patch(url, {"answers": {"f2": "9"}}, content_type="application/json")
    assert patched.json()["answers"] == {"f1": "新产线", "f2": "9"} and patched.json()["problems"] == {}
    bad = owner.patch(
        url, {"answers": {"f2": "-"}}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 400 and "f2" in bad.json()["fields"]
    assert owner.get(f"/api/v1/programmes/{formed.pk}/form/").json()["number"] == 1
    # Another enterprise of the park: the same 404 as for an application that does not exist.
    outsider = signed_in(other.user)
    assert outsider.get(url).status_code == 404
    assert outsider.put(url, {"answers": {}}, content_type="application/json").status_code == 404
    assert outsider.get("/api/v1/applications/999999/form/").status_code == 404
    # The park's reviewer reads it, and may not write it.
    staff = signed_in(reviewer)
    assert staff.get(url).status_code == 200
    assert staff.put(url, {"answers": {}}, content_type="application/json").status_code == 403


def test_another_parks_people_get_404_for_the_form(formed, enterprise_x, tenant_b):
    with schema_context(ALPHA):
        application = draft(enterprise_x, formed)
        filed_form_start(application=application)
        top = Programme.objects.order_by("-pk").first().pk
    with schema_context(BETA):
        with connection.cursor() as cursor:  # no id of park A exists in park B
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('applications_application', 'id'), %s)",
                [application.pk + 1000],
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('funding_programme', 'id'), %s)", [top + 1000]
            )
        b_admin_owner = verified(register(BETA))
    beta = HostClient(host_of(BETA))
    beta.force_login(b_admin_owner.user)
    assert beta.get(f"/api/v1/applications/{application.pk}/form/").status_code == 404
    assert beta.get(f"/api/v1/programmes/{formed.pk}/form/").status_code == 404
    assert beta.get(f"/applications/{application.pk}/form/").status_code == 404


def test_the_openapi_schema_documents_the_form_routes(owner_client):
    paths = owner_client.get("/api/v1/schema/?format=json").json()["paths"]
    assert {"get", "put", "patch"} <= set(paths["/api/v1/applications/{id}/form/"])
    assert "get" in paths["/api/v1/programmes/{id}/form/"]


# ---------------------------------------------------------------------------------------------
# The guide (申兑指南)
# ---------------------------------------------------------------------------------------------


def _draft_programme(**extra):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    return programme_create(
        actor=None,
        title="2026年度研发费用补助",
        budget=Decimal("100000.00"),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        **extra,
    )


def test_a_programme_opens_only_with_its_guide(db, in_alpha, park_admin):
    programme = _draft_programme()
    with pytest.raises(ValidationError) as refused:
        programme_open(programme=programme)
    assert "guide" in refused.value.message_dict
    assert Programme.objects.get(pk=programme.pk).status == "draft"
    with pytest.raises(ValidationError) as bad_phone:
        _draft_programme(guide={**demo_guide(), "contact_phone": "call us"})
    assert "contact_phone" in bad_phone.value.message_dict
    admin = signed_in(park_admin, language="en")
    # The API: 400 on `guide`; the page: back to the guide's page with the reason.
    api = admin.post(f"/api/v1/programmes/{programme.pk}/open/", content_type="application/json")
    assert api.status_code == 400 and "guide" in api.json()["fields"]
    page = admin.post(f"/park/programmes/{programme.pk}/open/")
    assert page.status_code == 302 and page["Location"] == f"/park/programmes/{programme.pk}/guide/"
    missing = admin.post(f"/park/programmes/{programme.pk}/guide/", {**demo_guide(), "amounts": ""})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    assert admin.post(f"/park/programmes/{programme.pk}/guide/", demo_guide()).status_code == 302
    assert admin.post(f"/park/programmes/{programme.pk}/open/").status_code == 302
    assert Programme.objects.get(pk=programme.pk).status == "open"
    shown = HostClient(host_of(ALPHA)).get(f"/programmes/{programme.pk}/").content.decode()
    assert "0532-87200000" in shown and "公示结束后20个工作日内拨付" in shown


def test_the_api_writes_the_guide_with_the_programme(db, in_alpha, park_admin):
    admin = signed_in(park_admin)
    payload = {
        "title": "2026年度技术改造补贴",
        "budget": "500000.00",
        "opens_at": "2026-01-01T09:00:00+08:00",
        "closes_at": "2099-12-31T17:30:00+08:00",
    }
    created = admin.post("/api/v1/programmes/", payload, content_type="application/json").json()
    assert created["guide"] is None
    assert admin.post(f"/api/v1/programmes/{created['id']}/open/").status_code == 400
    changed = admin.patch(
        f"/api/v1/programmes/{created['id']}/", {"guide": demo_guide()}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["guide"]["contact_phone"] == "0532-87200000"
    assert admin.post(f"/api/v1/programmes/{created['id']}/open/").json()["status"] == "open"


def test_factories_give_open_programmes_a_guide(db, in_alpha):
    assert ProgrammeFactory().guide.contact_phone


def test_the_demo_seeds_a_programme_with_its_form_filled_in(in_alpha, reviewer):
    from tenant_schema.programme_forms.demo import DEMO_FORM_PROGRAMME, programme_forms_seed_demo

    for name in ("青岛星海机械有限公司", "青岛远洋食品有限公司", "胶州宏达电子有限公司"):
        verified(register(ALPHA, name=name))
    assert programme_forms_seed_demo() == 3
    assert programme_forms_seed_demo() == 0  # once
    programme = Programme.objects.get(title=DEMO_FORM_PROGRAMME)
    assert programme.status == "open" and programme.guide.contact_phone
    filed = FiledForm.objects.filter(application__programme=programme).order_by("application__pk")
    assert [(f.application.status, f.version.number) for f in filed] == [
        ("returned", 1),
        ("in_review", 1),
        ("draft", 1),
    ]
    assert filed[0].to_fix_fields == ["f3", "f11"]
    assert FormVersion.objects.filter(programme=programme).count() == 2


def test_the_api_return_points_at_fields_and_documents(in_alpha, enterprise_x, reviewer, private_media):
    programme = ProgrammeFactory(title="带材料的项目", required_documents=["营业执照"])
    simple_form(programme, NAME)
    application = draft(enterprise_x, programme)
    filed_form_save(application=application, actor=enterprise_x.user, answers={"f1": "新产线"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_schema.applications.attachments import attachment_add

    from ..applications.conftest import PDF

    attachment_add(
        application=application,
        actor=enterprise_x.user,
        upload=SimpleUploadedFile("执照.pdf", PDF, content_type="application/pdf"),
        document="营业执照",
    )
    application_transition(application_id=application.pk, action="submit", actor=enterprise_x.user)
    response = signed_in(reviewer).post(
        f"/api/v1/applications/{application.pk}/actions/return/",
        {"comment": "执照已过期", "to_fix_fields": ["f1", "f99"], "to_fix_documents": ["营业执照", "不存在"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = signed_in(enterprise_x.user).get(f"/api/v1/applications/{application.pk}/form/").json()
    assert body["to_fix_fields"] == ["f1"] and body["to_fix_documents"] == ["营业执照"]


def test_the_form_page_hides_a_conditional_field_until_its_answer_matches(
    programme, enterprise_x, owner_client
):
    simple_form(
        programme,
        {"label": "是否获得过其他财政资金支持", "type": "yesno", "required": True},
        {
            "label": "已获支持的项目",
            "type": "textarea",
            "required": True,
            "show_if": {"field": "f1", "equals": "yes"},
        },
    )
    application = draft(enterprise_x, programme)
    url = f"/applications/{application.pk}/form/"
    page = owner_client.get(url).content.decode()
    assert 'data-show-if-field="f1" data-show-if-equals="yes" hidden' in page
    # Answered "yes" without the project: the field shows, with its error, and nothing is sent.
    refused = owner_client.post(url, {"f1": "yes", "f2": "", "and_submit": "1"})
    assert refused.status_code == 400
    assert 'data-show-if-equals="yes">' in refused.content.decode()
    # Answered "no": the hidden answer is dropped and the application goes in.
    assert owner_client.post(url, {"f1": "no", "f2": "旧答案", "and_submit": "1"}).status_code == 302
    with schema_context(ALPHA):
        assert FiledForm.objects.get(application=application).answers == {"f1": False}
