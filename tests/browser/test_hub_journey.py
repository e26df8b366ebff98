"""The city hub's journey in a real browser, on a desktop and on a phone.

An operator signs in, reads the dashboard's overview, goes to the tenants, opens a new one
from the pool (and is shown the administrator's one-time link), suspends it with a reason
after a confirmation, and reaches the city-wide programmes, all through the navigation.
Every page must read in Chinese: a run of English words or a raw code (`pending_payment`,
`suspended`) on the page fails the walk.

With PARKHUB_SCREENSHOTS=1 the desktop walk saves the overview to docs/screenshots/.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from every_schema.accounts import roles
from public_schema.installation.selectors import installation_identity
from public_schema.tenants.models import Tenant, TenantStatusHistory
from public_schema.tenants.services import tenant_drop

from ..conftest import PASSWORD, make_user
from ..hub.conftest import Park

pytestmark = pytest.mark.browser

User = get_user_model()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Latin text a Chinese page may carry: the language switch, the API's and the files' names, the logo.
ALLOWED_WORDS = {"English", "API", "CSV", "Excel", "P"}
# Hosts, addresses, e-mails and a national standard's number (GB/T 4754) are not words to translate.
NOT_TEXT = re.compile(r"\S+@\S+|https?://\S+|\b[\w-]+(?:\.[\w-]+)+(?::\d+)?\S*|GB/T\s*\d+")


def untranslated(page, *, names: list[str]) -> list[str]:
    """Latin words on the page (an untranslated string, a raw code), names of tenants and people aside."""
    text = page.evaluate("document.body.innerText")
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    text = NOT_TEXT.sub(" ", text)
    # A single capital is a code the reader is meant to see (an industry section, "e.g. C").
    return [
        word
        for word in re.findall(r"[A-Za-z][A-Za-z_]*", text)
        if word not in ALLOWED_WORDS and not re.fullmatch(r"[A-Z]", word)
    ]


@pytest.fixture
def journey(committed_db):
    # One sub-platform with an approved application, so the overview has figures to show.
    made: list[str] = ["hubwalkseed"]
    park = Park("hubwalkseed", budget="800000.00")
    application = park.apply(park.enterprise(verified=True), submitted="2026-03-02")
    park.act(application, "approve", "2026-03-05", amount="60000.00")
    park.apply(park.enterprise(verified=True), submitted="2026-03-03")
    operator = make_user("public", role=roles.HUB_OPERATOR, email="journey-operator@hub.cn")
    yield operator, made
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(schema_name__in=made):
        tenant_drop(tenant=tenant)
    # The ORM's cascade would look for tenant-only tables (memberships) in the public schema.
    with connection.cursor() as cursor:
        for table, column in ((User.groups.through._meta.db_table, "user_id"), (User._meta.db_table, "id")):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [operator.pk])


def go(page, label: str) -> None:
    """Follow a link of the hub's navigation (behind the 菜单 toggle on a phone)."""
    toggle = page.locator(".nav-toggle-label")
    if toggle.is_visible():
        toggle.click()
    page.locator(".nav-links").get_by_role("link", name=label, exact=True).click()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_an_operator_walks_the_hub_in_chinese(browser, site_url, journey, device):
    operator, made = journey
    slug = f"hubwalk{device}"
    made.append(slug)
    tenant_name = f"胶东新区{'一' if device == 'desktop' else '二'}号街道"
    # The phone runs an English system (the site must not follow it); the desktop a Chinese one.
    context = browser.new_context(
        locale="en-US" if device == "phone" else "zh-CN", viewport=VIEWPORTS[device]
    )
    page = context.new_page()

    identity = installation_identity()

    def names() -> list[str]:
        # What the installation and its people are called is theirs, in whatever script.
        return [
            *Tenant.objects.live().values_list("name", flat=True),
            operator.get_short_name(),
            identity.platform_name,
            identity.hub_name,
        ]

    def check(where: str) -> None:
        assert untranslated(page, names=names()) == [], where
        assert fits(page), where

    try:
        page.goto(site_url("hub", "/accounts/login/?next=/dashboard/"))
        page.locator("#id_username").fill(operator.email)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(site_url("hub", "/dashboard/"))

        # The overview: headline figures first, the other sections behind their tabs.
        page.wait_for_function("document.querySelectorAll('#section-overview .hub-chart canvas').length >= 1")
        assert page.locator(".hub-kpis").is_visible() and not page.locator("#section-funds").is_visible()
        assert page.locator(".hub-tabs a[aria-current]").inner_text() == "概览"
        check("dashboard overview")
        if device == "desktop" and os.environ.get("PARKHUB_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "hub-dashboard.png"))
        page.locator(".hub-tabs a[data-section=funds]").click()
        assert page.locator("#section-funds").is_visible() and not page.locator(".hub-kpis").is_visible()

        go(page, "成员单位")
        page.wait_for_url(site_url("hub", "/"))
        check("tenants")

        page.get_by_role("link", name="新建成员单位").first.click()
        page.wait_for_url(site_url("hub", "/tenants/new/"))
        check("create a tenant")
        page.locator("#id_name").fill(tenant_name)
        page.locator("#id_slug").fill("Bad Address")
        page.locator("#id_kind").select_option("district")
        page.locator("#id_admin_email").fill(f"admin@{slug}.test")
        page.locator("#id_admin_name").fill("王主任")
        page.get_by_role("button", name="创建成员单位").click()
        assert "小写字母" in page.locator(".field.has-error").inner_text()  # refused on its field, in Chinese
        check("create a tenant, refused")
        page.locator("#id_slug").fill(slug)
        page.get_by_role("button", name="创建成员单位").click()
        page.wait_for_selector("[data-testid=tenant-created]")
        assert "/accounts/password/set/" in page.locator("#password-set-link").input_value()
        check("tenant created")

        page.get_by_role("link", name="返回成员单位列表").click()
        page.wait_for_url(site_url("hub", "/"))
        page.locator("tr", has_text=tenant_name).get_by_role("link", name="暂停…").click()
        page.wait_for_url(site_url("hub", f"/tenants/{slug}/suspend/"))
        check("confirm the suspension")
        page.get_by_role("button", name="确认暂停该平台").click()  # no reason: refused
        assert page.locator(".field.has-error").count() == 1
        assert Tenant.objects.get(schema_name=slug).status == Tenant.Status.ACTIVE
        page.locator("#id_reason").fill("区划调整，暂停服务")
        page.get_by_role("button", name="确认暂停该平台").click()
        page.wait_for_url(site_url("hub", "/"))
        assert f"{tenant_name} 已暂停" in page.locator(".messages").inner_text()
        assert "已暂停" in page.locator("tr", has_text=tenant_name).inner_text()
        check("suspended")
        entry = TenantStatusHistory.objects.get(tenant__schema_name=slug)
        assert entry.comment == "区划调整，暂停服务" and entry.actor_id == operator.pk

        go(page, "全市统一项目")
        page.wait_for_url(site_url("hub", "/city-programmes/"))
        assert page.locator("[name=conditions-0-field]").count() == 1  # the rules editor, not JSON
        check("city-wide programmes")
    finally:
        context.close()
