"""An enterprise buys a 3-month service on a phone with a voucher that covers it, and sees it active until its end date."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.billing.models import Subscription, Voucher
from tenant_schema.billing.services import add_months, service_create, voucher_issue
from tenant_schema.enterprises.credit_code import credit_code_make
from tenant_schema.enterprises.services import enterprise_register

from ..billing.conftest import committed_cleanup
from ..conftest import ALPHA, PASSWORD, make_user
from .wording import assert_reads_in_chinese

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(committed_db, tenant_a):
    """Committed in park A: an administrator, a ¥100/month service, an enterprise with a ¥300 voucher."""
    admin = make_user(ALPHA, role=roles.PARK_ADMIN, email=f"browser-billing-{uuid.uuid4().hex[:6]}@alpha.cn")
    code = credit_code_make(f"91370281ME{uuid.uuid4().int % 10**7:07d}")
    email = f"browser-buyer-{code[-8:].lower()}@example.cn"
    with schema_context(ALPHA):
        registration = enterprise_register(
            credit_code=code,
            name=f"青岛服务券测试{code[-5:-1]}有限公司",
            contact_name="孙八",
            email=email,
            password=PASSWORD,
        )
        service = service_create(
            actor=admin,
            name=f"企业法律顾问{code[-4:]}",
            price=Decimal("100.00"),
            term_options=[3, 6, 12],
            description="合同审查、劳动用工咨询",
        )
        voucher = voucher_issue(
            actor=admin,
            enterprise=registration.enterprise,
            kind="amount",
            value=Decimal("300.00"),
            expires_on=timezone.localdate() + timedelta(days=30),
        )
    yield type(
        "Shop",
        (),
        {"email": email, "service": service, "voucher": voucher, "enterprise": registration.enterprise},
    )
    # Billing's histories refuse DELETE: the shared clean-up lifts that for these committed test rows only.
    committed_cleanup(
        enterprises=[registration.enterprise], users=[registration.user, admin], services=[service]
    )


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_enterprise_buys_three_months_with_a_covering_voucher_and_sees_it_active(
    page, site_url, shop, tmp_path
):
    page.goto(site_url(ALPHA, "/accounts/login/"))
    page.locator("#id_username").fill(shop.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(site_url(ALPHA, "/services/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator(".service-card h2 a", has_text=shop.service.name).click()
    page.wait_for_url(site_url(ALPHA, f"/services/{shop.service.pk}/"))
    assert _fits_the_phone(page)
    page.locator(f'main a[href="/services/{shop.service.pk}/checkout/"]').click()
    page.wait_for_url(site_url(ALPHA, f"/services/{shop.service.pk}/checkout/"))

    page.locator('input[name="term_months"][value="3"]').check()
    page.locator("#id_voucher_code").select_option(shop.voucher.code)
    assert _fits_the_phone(page)
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "checkout-phone.png"), full_page=True)
    page.locator("form.checkout-form button[type=submit]").click()
    page.wait_for_url("**/services/subscriptions/*/")

    with schema_context(ALPHA):
        subscription = Subscription.objects.get(enterprise=shop.enterprise, service=shop.service)
    assert subscription.status == Subscription.Status.ACTIVE and subscription.amount_due == 0
    assert subscription.ends_at == add_months(subscription.starts_at, 3)
    end_date = timezone.localtime(subscription.ends_at).date().isoformat()

    assert page.locator(".page-head .badge-sub-active").is_visible()
    assert page.locator(f'.ends-on time[datetime="{end_date}"]').is_visible()
    assert end_date in page.locator(".ends-on").inner_text()
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "subscription-active-phone.png"), full_page=True)

    # "My subscriptions" shows it with its end date and the days left.
    page.goto(site_url(ALPHA, "/services/mine/"))
    row = page.locator(f'.subscription-table tr[data-subscription="{subscription.pk}"]')
    assert row.locator(".badge-sub-active").is_visible()
    assert end_date in row.locator(".ends-on").inner_text()
    assert int(row.locator(".days-left").inner_text()) >= 89
    assert _fits_the_phone(page)
    with schema_context(ALPHA):
        assert Voucher.objects.get(pk=shop.voucher.pk).status == Voucher.Status.USED
