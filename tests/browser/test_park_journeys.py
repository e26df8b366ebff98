"""Two journeys walked in chromium, on a desktop (1366×900) and a phone (390×844):

- an enterprise buys a service by bank transfer and finds where to pay: payee, bank,
  account, amount, the reference to quote and the deadline;
- the park administrator reads the park's dashboard, finds the order by the enterprise's
  name, confirms the money arrived, and checks the bank account enterprises see.

Each page fails the walk on an untranslated English word or a raw status code. With
PARKHUB_SCREENSHOTS=1 the pages are saved to docs/screenshots/ (for the README).
"""

import os
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.billing.models import Subscription, TransferAccount
from tenant_schema.billing.services import service_create, transfer_account_save
from tenant_schema.enterprises.credit_code import credit_code_make
from tenant_schema.enterprises.services import enterprise_register

from ..billing.conftest import committed_cleanup
from ..conftest import ALPHA, PASSWORD, make_user
from .wording import page_problems

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
_page_problems = page_problems  # the walks' one check (tests/browser/wording.py)


def _check(page, name: str, viewport: str) -> None:
    assert not _page_problems(page), (page.url, _page_problems(page))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} overflows"
    if os.environ.get("PARKHUB_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)


def _sign_in(page, site_url, email: str) -> None:
    page.goto(site_url(ALPHA, "/accounts/login/"))
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def park(committed_db, tenant_a):
    """Committed in park A: an administrator with a name, the park's bank account, a ¥100/month service, a buyer."""
    tag = uuid.uuid4().hex[:6]
    admin = make_user(ALPHA, role=roles.PARK_ADMIN, email=f"browser-park-{tag}@alpha.cn")
    code = credit_code_make(f"91370281MF{uuid.uuid4().int % 10**7:07d}")
    email = f"browser-transfer-{code[-8:].lower()}@example.cn"
    with schema_context(ALPHA):
        admin.full_name = "王主任"
        admin.save(update_fields=["full_name"])
        had_account = TransferAccount.objects.exists()
        account = transfer_account_save(
            actor=admin,
            payee="青岛高新区企业服务中心",
            bank="中国工商银行青岛高新区支行",
            account_number="3803020109001234567",
            days_to_pay=5,
            note="",
        )
        registration = enterprise_register(
            credit_code=code,
            name=f"青岛转账测试{code[-5:-1]}有限公司",
            contact_name="周九",
            email=email,
            password=PASSWORD,
        )
        service = service_create(
            actor=admin,
            name=f"财税咨询{code[-4:]}",
            price=Decimal("100.00"),
            term_options=[3, 6, 12],
            description="代理记账、税务筹划",
        )
    yield type(
        "Park",
        (),
        {
            "admin": admin,
            "email": email,
            "enterprise": registration.enterprise,
            "service": service,
            "account": account,
        },
    )
    committed_cleanup(enterprises=[registration.enterprise], users=[registration.user], services=[service])
    with schema_context(ALPHA):
        if not had_account:
            TransferAccount.objects.all().delete()
        type(admin).objects.filter(pk=admin.pk).delete()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_enterprise_orders_by_transfer_and_the_park_confirms_it(browser, site_url, park, viewport):
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[viewport])
    page = context.new_page()
    try:
        # The enterprise: checkout by bank transfer, and the order says where and how to pay.
        _sign_in(page, site_url, park.email)
        page.goto(site_url(ALPHA, f"/services/{park.service.pk}/checkout/"))
        page.locator('input[name="term_months"][value="6"]').check()
        method = page.locator('input[name="method"][value="offline"]')
        if method.count():
            method.check()
        _check(page, "checkout", viewport)
        page.locator("form.checkout-form button[type=submit]").click()
        page.wait_for_url("**/services/subscriptions/*/")
        with schema_context(ALPHA):
            order = Subscription.objects.get(enterprise=park.enterprise, service=park.service)
        if page.locator(".transfer-details").count() == 0:  # not chosen at checkout: choose it on the order
            page.locator('form[action$="/transfer/"] button').click()
            page.wait_for_url(f"**/services/subscriptions/{order.pk}/")
        details = page.locator(".transfer-details")
        assert details.is_visible()
        for shown in (
            "青岛高新区企业服务中心",
            "中国工商银行青岛高新区支行",
            "3803020109001234567",
            "¥600.00",
        ):
            assert shown in details.inner_text()
        assert order.order_reference in details.locator(".transfer-reference").inner_text()
        assert details.locator(".transfer-deadline time").is_visible()
        _check(page, "order-by-transfer", viewport)
        context.clear_cookies()  # signed out: the next person signs in on the same device

        # The park administrator: the dashboard, the order found by name, the receipt confirmed.
        _sign_in(page, site_url, park.admin.email)
        page.goto(site_url(ALPHA, "/"))
        assert page.locator(".park-dashboard .kpi-overdue_now").is_visible()
        page.locator('.hub-chart[data-chart="statuses"] canvas').first.wait_for()  # ECharts drew it
        nav = page.locator(".nav-links").text_content()  # folded behind 菜单 on the phone: read it anyway
        assert "项目管理" in nav and "政策项目" not in nav and "增值服务" not in nav
        _check(page, "park-dashboard", viewport)

        page.goto(site_url(ALPHA, "/park/services/subscriptions/"))
        search = page.locator("#id_q")
        search.fill(park.enterprise.name[:8])
        # No Enter: the list follows the typing.
        page.wait_for_url(re.compile(r".*[?&]q=.*"))
        rows = page.locator(".subscription-table tbody tr")
        assert rows.count() >= 1 and park.enterprise.name in rows.first.inner_text()
        assert "6 个月" in rows.first.inner_text()
        _check(page, "park-subscriptions", viewport)
        page.locator(".awaiting-transfers li", has_text=park.enterprise.name).locator("button").click()
        page.wait_for_url("**/park/services/subscriptions/")
        assert park.enterprise.name in page.locator(".messages").inner_text()
        with schema_context(ALPHA):
            order.refresh_from_db()
        assert order.status == Subscription.Status.ACTIVE

        page.goto(site_url(ALPHA, "/park/services/transfer-account/"))
        assert page.locator("#id_account_number").input_value() == "3803020109001234567"
        _check(page, "park-transfer-account", viewport)
    finally:
        context.close()
