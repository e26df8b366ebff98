"""The hub dashboard in a real browser: ECharts (served by the app) draws every chart with data."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from every_schema.accounts import roles

from ..conftest import PASSWORD, make_user
from ..hub.conftest import Park

pytestmark = pytest.mark.browser

User = get_user_model()


@pytest.fixture
def committed_hub(committed_db, dropped_after):
    dropped_after.append("browsereast")
    park = Park("browsereast", budget="800000.00")
    application = park.apply(park.enterprise(verified=True), submitted="2026-03-02")
    park.act(application, "approve", "2026-03-05", amount="60000.00")
    # One demand, accepted and answered, so the demands chart has figures too.
    from django_tenants.utils import schema_context

    from public_schema.hub.rollups import rollup_refresh
    from tenant_schema.demands.services import demand_file, demand_transition

    from ..hub.conftest import at

    owner = park.enterprise(verified=True)
    with schema_context("browsereast"):
        with at("2026-03-03"):
            demand = demand_file(
                enterprise=owner.enterprise,
                filer=owner.user,
                category="financing",
                title="贷款贴息咨询",
                description="想了解贷款贴息政策的申请条件。",
            )
            demand_transition(demand_id=demand.pk, action="accept", actor=park.staff)
        with at("2026-03-04"):
            demand_transition(
                demand_id=demand.pk, action="answer", actor=park.staff, comment="已电话答复并发送政策文件。"
            )
    rollup_refresh(schema_name="browsereast")
    operator = make_user("public", role=roles.HUB_OPERATOR, email="browser-operator@hub.cn")
    yield operator
    # The ORM's cascade would look for tenant-only tables (memberships) in the public schema.
    with connection.cursor() as cursor:
        for table, column in ((User.groups.through._meta.db_table, "user_id"), (User._meta.db_table, "id")):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [operator.pk])


def test_the_dashboard_draws_its_charts_with_data(page, site_url, committed_hub):
    page.goto(site_url("hub", "/accounts/login/?next=/dashboard/"))
    page.locator("#id_username").fill(committed_hub.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(site_url("hub", "/dashboard/"))
    page.wait_for_function("document.querySelectorAll('.hub-chart canvas').length >= 8")
    charts = page.evaluate(
        """() => [...document.querySelectorAll('.hub-chart')].map(el => {
             const chart = echarts.getInstanceByDom(el);
             const series = chart ? chart.getOption().series : [];
             return {key: el.dataset.chart, series: series.length,
                     points: series.reduce((n, s) => n + s.data.filter(v => v !== null).length, 0)};
           })"""
    )
    assert len(charts) >= 8 and all(chart["series"] >= 1 and chart["points"] >= 1 for chart in charts), charts
    funds = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('[data-chart=funds]')).getOption().series[1].data"
    )
    assert 60000 in funds
    # Readable on a phone: nothing wider than the screen but the tables' own scrollers.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # The list of sub-platforms: found by name, ordered (a list on a phone, where the table is
    # shown as cards without headings), leading to the drill-down.
    # The page opens on its overview; the list is in its own section (a tab).
    assert page.locator("#section-overview").is_visible() and not page.locator("#table-tenants").is_visible()
    page.locator(".hub-tabs a[data-section=tenants]").click()
    tenants = page.locator("#table-tenants")
    tenants.locator("input[name=q]").fill("browsereast")
    tenants.locator("select[name=sort]").select_option("-funds_approved")
    tenants.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=browsereast.*sort=-funds_approved|sort=-funds_approved.*q=browsereast"))
    assert page.locator("#table-tenants tbody tr").count() == 1
    assert page.locator("#table-tenants th[aria-sort=descending] a[href*='sort=funds_approved']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#table-tenants tbody a").first.click()
    page.wait_for_url(re.compile(r"/dashboard/tenants/browsereast/"))
    page.wait_for_function("document.querySelectorAll('.hub-chart canvas').length >= 5")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.goto(site_url("hub", "/dashboard/wall/"))
    page.wait_for_function("document.querySelectorAll('.wall-chart canvas').length >= 3")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 18, 32)"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
