"""An application's round trip on a phone: submit, returned with a reason, resubmitted, passed on.

Application history is append-only in the database (no DELETE, even for a clean-up), so
this committed test runs in a throwaway park whose whole schema is dropped afterwards.
The reviewer's steps go through the same service the reviewers' pages call.
"""

import shutil
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision
from tenant_schema.applications.models import Application
from tenant_schema.applications.services import application_transition

from ..applications.conftest import make_programme, verified
from ..conftest import PASSWORD, make_user
from ..enterprises.conftest import register
from .wording import assert_reads_in_chinese

pytestmark = pytest.mark.browser

S = Application.Status
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
REASON = "请补充2025年度审计报告"


@pytest.fixture
def flow_park(committed_db, dropped_after):
    """A park of its own, with an open programme, a reviewer and a verified enterprise."""
    slug = f"flow{uuid.uuid4().hex[:8]}"
    dropped_after.append(slug)
    tenant_provision(name="流程测试园区", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"admin@{slug}.test")
    with schema_context(slug):
        programme = make_programme(title="2026年度技术改造补贴", required_documents=["营业执照"])
        reviewer = make_user(slug, role=roles.REVIEWER)
        enterprise = verified(register(slug, name="青岛流程测试机械有限公司"))
    yield {"slug": slug, "programme": programme, "reviewer": reviewer, "enterprise": enterprise}
    shutil.rmtree(Path(settings.MEDIA_ROOT) / slug, ignore_errors=True)  # the uploads the web server stored


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _review(park, application_id, action, **kwargs):
    with schema_context(park["slug"]):
        return application_transition(
            application_id=application_id, action=action, actor=park["reviewer"], **kwargs
        )


def test_an_enterprise_submits_is_returned_with_a_reason_resubmits_and_moves_on(
    page, site_url, flow_park, tmp_path
):
    slug, programme = flow_park["slug"], flow_park["programme"]
    page.goto(site_url(slug, "/accounts/login/"))
    page.locator("#id_username").fill(flow_park["enterprise"].user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(site_url(slug, "/"))

    # Find the programme and start a draft.
    page.locator('main a[href="/programmes/"]').first.click()
    page.wait_for_url(site_url(slug, "/programmes/"))
    assert _fits_the_phone(page)
    page.locator(f'a[href="/applications/new/{programme.pk}/"]').click()
    page.wait_for_url(site_url(slug, f"/applications/new/{programme.pk}/"))
    page.locator("#id_requested_amount").fill("150000")
    page.locator("#id_summary").fill("数控机床产线改造")
    page.locator("form.form-fields button[type=submit]").click()
    page.wait_for_url("**/applications/*/")
    assert page.locator(".app-banner-draft").is_visible()

    # Attach the required document, then submit.
    slot = page.locator(".doc-slot", has_text="营业执照")
    slot.locator("input[type=file]").set_input_files(
        {"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with page.expect_navigation():
        slot.locator(".upload-form button[type=submit]").click()
    assert page.locator(".doc-files a", has_text="营业执照.pdf").is_visible()
    with page.expect_navigation():
        page.locator(".submit-form button").click()
    assert page.locator(".app-banner-in_review").is_visible()
    application_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    current = page.locator('.tl-stage[aria-current="step"]')
    assert current.locator(".tl-name").inner_text() == "受理"
    assert current.locator(".days-badge").is_visible()

    # The reviewer returns it with a reason; the enterprise reads it on its timeline.
    _review(flow_park, application_id, "return", comment=REASON)
    page.reload()
    assert page.locator(".app-banner-returned").is_visible()
    assert REASON in page.locator(".app-banner-returned .reason").inner_text()
    assert REASON in page.locator('.tl-stage[aria-current="step"] .tl-reason').inner_text()
    assert _fits_the_phone(page)
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "timeline-returned-phone.png"), full_page=True)

    with page.expect_navigation():
        page.locator(".submit-form button").click()
    assert page.locator(".app-banner-in_review").is_visible()
    assert page.locator('.tl-stage[aria-current="step"] .tl-name').inner_text() == "受理"

    # The reviewer passes it on; the enterprise's timeline shows the next stage as current.
    _review(flow_park, application_id, "advance")
    page.reload()
    current = page.locator('.tl-stage[aria-current="step"]')
    assert current.count() == 1 and current.locator(".tl-name").inner_text() == "初审"
    assert "tl-current" in current.get_attribute("class")
    assert page.locator(".tl-stage.tl-done .tl-name").all_inner_texts() == ["受理"]
    assert page.locator(".tl-stage").count() == 5
    assert _fits_the_phone(page)
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "timeline-advanced-phone.png"), full_page=True)

    with schema_context(slug):
        application = Application.objects.get(pk=application_id)
        assert application.status == S.IN_REVIEW and application.current_stage.name == "初审"
        assert list(application.events.values_list("action", flat=True)) == [
            "submit",
            "return",
            "submit",
            "advance",
        ]
