"""A park administrator signs in on their tenant's site in a real browser."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from every_schema.accounts import roles

from ..conftest import ALPHA, PASSWORD, make_user

pytestmark = pytest.mark.browser

User = get_user_model()


@pytest.fixture
def committed_park_admin(committed_db, tenant_a):
    user = make_user(ALPHA, role=roles.PARK_ADMIN, email="browser-admin@alpha.cn")
    yield user
    with schema_context(ALPHA):
        User.objects.filter(pk=user.pk).delete()


def test_tenant_login_page_renders_in_chinese_and_a_park_administrator_logs_in(
    page, site_url, committed_park_admin, tmp_path
):
    page.goto(site_url(ALPHA, "/accounts/login/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="登录").is_visible()
    # The stylesheet comes from the app itself.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"
    )

    page.locator("#id_username").fill(committed_park_admin.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(site_url(ALPHA, "/"))
    assert page.get_by_text("园区管理员").is_visible()
    page.screenshot(path=str(tmp_path / "alpha-home-phone.png"), full_page=True)
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_wrong_password_is_answered_in_chinese(page, site_url, committed_park_admin):
    page.goto(site_url(ALPHA, "/accounts/login/"))
    page.locator("#id_username").fill(committed_park_admin.email)
    page.locator("#id_password").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.locator(".form-errors").is_visible()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in page.locator(".form-errors").inner_text())
