"""An enterprise registers on its park's site from a phone; the park finds and verifies it.

Pages are checked for language and structure (lang attribute, names, status classes), not
for wording: the Chinese translations of our own strings are added separately.
"""

import uuid
from types import SimpleNamespace

import pgtrigger
import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.enterprises.credit_code import credit_code_make
from tenant_schema.enterprises.models import Enterprise, VerificationEvent
from tenant_schema.enterprises.services import enterprise_register

from ..conftest import ALPHA, PASSWORD, make_user
from .wording import assert_reads_in_chinese

pytestmark = pytest.mark.browser

User = get_user_model()


def _unique_enterprise() -> SimpleNamespace:
    # "MB" + 7 random digits: apart from the codes the in-transaction fixtures count up from "MA".
    code = credit_code_make(f"91370281MB{uuid.uuid4().int % 10**7:07d}")
    return SimpleNamespace(
        code=code,
        name=f"青岛浏览器测试{code[-5:-1]}有限公司",
        email=f"browser-{code[-8:].lower()}@example.cn",
    )


def _delete(enterprise: SimpleNamespace) -> None:
    """Remove what registration made in alpha: the enterprise (its memberships go with it) and the account."""
    with schema_context(ALPHA), _history_deletable():
        VerificationEvent.objects.filter(enterprise__credit_code=enterprise.code).delete()
        Enterprise.objects.filter(credit_code=enterprise.code).delete()
        User.objects.filter(email=enterprise.email).delete()


def _history_deletable():
    """The verification history refuses DELETE (and protects its enterprise and actor); only the
    clean-up of this module's committed test rows lifts it, for those rows."""
    return pgtrigger.ignore("enterprises.VerificationEvent:verification_event_no_delete")


@pytest.fixture
def new_enterprise(committed_db, tenant_a):
    enterprise = _unique_enterprise()
    yield enterprise
    _delete(enterprise)


@pytest.fixture
def registered_enterprise(committed_db, tenant_a):
    enterprise = _unique_enterprise()
    with schema_context(ALPHA):
        enterprise_register(
            credit_code=enterprise.code,
            name=enterprise.name,
            contact_name="赵六",
            email=enterprise.email,
            password=PASSWORD,
            contact_phone="13700000000",
        )
    yield enterprise
    _delete(enterprise)


@pytest.fixture
def committed_park_admin(committed_db, tenant_a):
    user = make_user(ALPHA, role=roles.PARK_ADMIN, email="browser-enterprises-admin@alpha.cn")
    yield user
    from tenant_schema.enterprises.models import VerificationEvent

    with (
        schema_context(ALPHA),
        pgtrigger.ignore("enterprises.VerificationEvent:verification_event_no_delete"),
    ):
        # The verification history refuses DELETE (and protects its actor); only this clean-up
        # of a committed test account lifts it, for its own rows.
        VerificationEvent.objects.filter(actor_id=user.pk).delete()
        User.objects.filter(pk=user.pk).delete()


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_enterprise_registers_on_a_phone_and_sees_its_pending_profile(
    page, site_url, new_enterprise, tmp_path
):
    page.goto(site_url(ALPHA, "/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator('main a[href="/register/"]').first.click()
    page.wait_for_url(site_url(ALPHA, "/register/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert _fits_the_phone(page)

    wrong_check = new_enterprise.code[:-1] + ("0" if new_enterprise.code[-1] != "0" else "1")
    page.locator("#id_credit_code").fill(wrong_check)
    page.locator("#id_name").fill(new_enterprise.name)
    page.locator("#id_contact_name").fill("赵六")
    page.locator("#id_contact_phone").fill("13700000000")
    page.locator("#id_email").fill(new_enterprise.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password_confirm").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.form-fields button[type=submit]").click()

    # A typo in the code is answered on that field; what was typed stays.
    code_field = page.locator(".field.has-error", has=page.locator("#id_credit_code"))
    assert code_field.locator(".errorlist").is_visible()
    assert page.locator("#id_name").input_value() == new_enterprise.name
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "register-error-phone.png"), full_page=True)

    page.locator("#id_credit_code").fill(new_enterprise.code.lower())
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password_confirm").fill(PASSWORD)
    page.locator("form.form-fields button[type=submit]").click()
    page.wait_for_url(site_url(ALPHA, "/enterprise/"))

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == new_enterprise.name
    assert page.locator(".page-head .badge-pending").is_visible()
    assert page.locator(".banner-pending").is_visible()
    assert page.get_by_text(new_enterprise.code).is_visible()
    assert _fits_the_phone(page)
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "enterprise-profile-phone.png"), full_page=True)

    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(credit_code=new_enterprise.code)
        assert enterprise.status == Enterprise.Status.PENDING
        assert enterprise.memberships.get().user.email == new_enterprise.email


def test_the_park_finds_and_verifies_a_new_enterprise_on_a_phone(
    page, site_url, committed_park_admin, registered_enterprise, tmp_path
):
    page.goto(site_url(ALPHA, "/accounts/login/"))
    page.locator("#id_username").fill(committed_park_admin.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(site_url(ALPHA, "/"))

    page.locator('main a[href="/park/enterprises/"]').first.click()
    page.wait_for_url(site_url(ALPHA, "/park/enterprises/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("#id_q").fill(registered_enterprise.code[-8:])
    page.locator(".search-row button[type=submit]").click()
    page.wait_for_url("**/park/enterprises/?*")
    row = page.locator(".enterprise-table tbody tr", has_text=registered_enterprise.name)
    assert row.count() == 1 and row.locator(".badge-pending").is_visible()
    assert _fits_the_phone(page)
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "park-enterprises-phone.png"), full_page=True)

    row.get_by_role("link", name=registered_enterprise.name).click()
    page.wait_for_url("**/park/enterprises/*/")
    assert _fits_the_phone(page)
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "park-enterprise-detail-phone.png"), full_page=True)
    with page.expect_navigation():
        page.locator('form[action$="/verify/"] button').click()
    assert page.locator(".page-head .badge-verified").is_visible()
    with schema_context(ALPHA):
        assert (
            Enterprise.objects.get(credit_code=registered_enterprise.code).status
            == Enterprise.Status.VERIFIED
        )
