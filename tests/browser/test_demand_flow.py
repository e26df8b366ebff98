"""A demand from a phone: the enterprise files it, the park answers it, the enterprise rates the
answer unsatisfied and sees the demand reopened.

Committed rows in a throwaway tenant dropped afterwards: demand history is append-only, so
a test cannot clean it up row by row.
"""

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.demands.models import Demand

from ..conftest import PASSWORD, make_user
from ..enterprises.conftest import register
from .wording import assert_reads_in_chinese

pytestmark = pytest.mark.browser

SLUG = "demandflow"


@pytest.fixture
def park(committed_db, dropped_after):
    from public_schema.tenants.services import tenant_provision

    dropped_after.append(SLUG)
    tenant_provision(name="诉求浏览器测试园区", slug=SLUG, kind="park", admin_email=f"admin@{SLUG}.cn")
    with schema_context(SLUG):
        owner = register(SLUG, name="青岛诉求测试有限公司", email=f"owner@{SLUG}.cn")
        handler = make_user(SLUG, role=roles.REVIEWER, email=f"handler@{SLUG}.cn")
    return owner, handler


def sign_in(page, site_url, email):
    page.goto(site_url(SLUG, "/accounts/login/"))
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(site_url(SLUG, "/"))


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_enterprise_files_staff_answer_and_an_unsatisfied_rating_reopens_it(
    browser, site_url, park, tmp_path
):
    owner, handler = park
    phone = {"locale": "en-US", "viewport": {"width": 390, "height": 844}}
    enterprise_context, staff_context = browser.new_context(**phone), browser.new_context(**phone)
    try:
        # The enterprise files the demand.
        page = enterprise_context.new_page()
        sign_in(page, site_url, owner.user.email)
        page.goto(site_url(SLUG, "/demands/"))
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        page.locator('main a[href="/demands/new/"]').click()
        page.wait_for_url(site_url(SLUG, "/demands/new/"))
        page.locator("#id_category").select_option("utilities")
        page.locator("#id_title").fill("厂区门口道路积水")
        page.locator("#id_description").fill("雨后积水严重，货车无法进出。")
        page.locator("form.demand-form button[type=submit]").click()
        page.wait_for_url("**/demands/*/")
        assert page.locator("h1").inner_text() == "厂区门口道路积水"
        assert page.locator(".page-head .demand-status-submitted").is_visible()
        assert fits_the_phone(page)
        assert_reads_in_chinese(page)
        page.screenshot(path=str(tmp_path / "demand-filed-phone.png"), full_page=True)
        with schema_context(SLUG):
            demand = Demand.objects.get(title="厂区门口道路积水")

        # The park accepts and answers it.
        staff = staff_context.new_page()
        sign_in(staff, site_url, handler.email)
        staff.goto(site_url(SLUG, "/park/demands/?view=new"))
        staff.get_by_role("link", name="厂区门口道路积水").click()
        staff.wait_for_url(site_url(SLUG, f"/park/demands/{demand.pk}/"))
        staff.locator("#id_department").fill("市政公用事业科")
        with staff.expect_navigation():
            staff.locator("form.accept-form button[type=submit]").click()
        assert staff.locator(".page-head .demand-status-accepted").is_visible()
        assert staff.locator(".page-head .rag-green").is_visible()
        staff.locator("form.answer-form textarea[name=comment]").fill("已安排疏通排水管道。")
        with staff.expect_navigation():
            staff.locator("form.answer-form button[type=submit]").click()
        assert staff.locator(".page-head .demand-status-answered").is_visible()
        assert fits_the_phone(staff)
        assert_reads_in_chinese(staff)
        staff.screenshot(path=str(tmp_path / "demand-answered-staff-phone.png"), full_page=True)

        # The enterprise reads the answer, rates it unsatisfied and sees the demand reopened.
        page.reload()
        assert page.locator(".demand-answer").inner_text() == "已安排疏通排水管道。"
        page.locator("input[name=rating][value=unsatisfied]").check()
        page.locator("form.rate-form textarea[name=comment]").fill("仍然积水，问题没有解决。")
        with page.expect_navigation():
            page.locator("form.rate-form button[type=submit]").click()
        assert page.locator(".page-head .demand-status-reopened").is_visible()
        assert page.locator(".demand-banner-reopened").is_visible()
        assert page.locator('.demand-history li[data-action="rate"]').inner_text().count("仍然积水") == 1
        assert fits_the_phone(page)
        assert_reads_in_chinese(page)
        page.screenshot(path=str(tmp_path / "demand-reopened-phone.png"), full_page=True)
    finally:
        enterprise_context.close()
        staff_context.close()
    with schema_context(SLUG):
        demand = Demand.objects.get(pk=demand.pk)
        assert (demand.status, demand.rating, demand.reopen_count) == ("reopened", "unsatisfied", 1)
        assert list(demand.events.values_list("action", flat=True)) == ["file", "accept", "answer", "rate"]
