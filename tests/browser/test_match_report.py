"""An enterprise opens its match report on a phone and sees why it does not qualify for a programme.

Committed data in a throwaway park (application history is append-only, so the whole schema
is dropped afterwards rather than rows deleted).
"""

import uuid

import pytest
from django_tenants.utils import schema_context

from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision
from tenant_schema.eligibility.services import programme_rules_set

from ..conftest import PASSWORD
from ..eligibility.conftest import RD_RULES, make_programme, profiled
from .wording import assert_reads_in_chinese

pytestmark = pytest.mark.browser


@pytest.fixture
def match_park(committed_db, dropped_after):
    slug = f"match{uuid.uuid4().hex[:8]}"
    dropped_after.append(slug)
    tenant_provision(name="匹配测试园区", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"admin@{slug}.test")
    with schema_context(slug):
        rd = make_programme(title="研发投入后补助")
        programme_rules_set(programme=rd, rules=RD_RULES)
        everyone = make_programme(title="小微企业稳岗补贴")
        registration = profiled(
            "青岛研发偏弱有限公司",
            above_designated_size=True,
            size_class="small",
            industry="C",
            figures={2025: {"revenue": 10_000_000, "rd_spend": 100_000}},
        )
    return {"slug": slug, "rd": rd, "everyone": everyone, "registration": registration}


def test_an_enterprise_sees_why_it_does_not_qualify(page, site_url, match_park, tmp_path):
    slug = match_park["slug"]
    page.goto(site_url(slug, "/accounts/login/"))
    page.locator("#id_username").fill(match_park["registration"].user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(site_url(slug, "/"))

    page.goto(site_url(slug, "/matching/"))
    card = page.locator(f'.match-card[data-programme="{match_park["rd"].pk}"]')
    assert "match-does_not_qualify" in card.get_attribute("class")
    assert card.locator(".match-badge-does_not_qualify").is_visible()
    unmet = card.locator(".cond-not_met")
    assert unmet.count() == 1
    # The park's language is Chinese by default: the rule reads in plain Chinese.
    assert unmet.locator(".cond-text").inner_text() == "2025 年研发投入占营业收入比例 ≥ 3%"
    assert "1%" in unmet.locator(".cond-actual").inner_text()
    assert card.locator(".cond-met").count() == 1  # above designated size: met

    other = page.locator(f'.match-card[data-programme="{match_park["everyone"].pk}"]')
    assert other.locator(".match-badge-qualifies").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_reads_in_chinese(page)
    page.screenshot(path=str(tmp_path / "match-report-phone.png"), full_page=True)

    with page.expect_download() as download:
        page.locator('a[href="/matching/report.pdf"]').click()
    assert download.value.suggested_filename == "policy-match-report.pdf"
