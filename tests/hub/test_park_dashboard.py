"""A park's own dashboard: the hub's figure definitions over its one schema, on its administrator's home."""

import json
import re

from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.hub.selectors import hub_stats_live
from public_schema.hub.selectors.tenants import HubFilters
from tenant_schema.enterprises.dashboard import HEADLINE_KEYS, dashboard_period, park_dashboard

from ..conftest import HostClient, host_of, make_user
from .conftest import at


def _client(slug, user):
    client = HostClient(host_of(slug))
    client.force_login(user)
    return client


def test_the_park_counts_what_the_hub_counts_for_it(seeded):
    east = seeded.east
    # Read long after the seeded March (its enterprises were registered on the real clock).
    with at("2099-01-04"):
        hub = hub_stats_live(filters=HubFilters(slug="east")).row_for(east.tenant.pk).values
        with schema_context("east"):
            park = park_dashboard(period=dashboard_period("all"), with_revenue=True)
    assert {key: park["headline"][key] for key in HEADLINE_KEYS} == {key: hub[key] for key in HEADLINE_KEYS}
    # By hand (tests/hub/conftest.py): four enterprises, three verified, three applications,
    # one approved, E3 overdue since 03-10.
    assert (park["headline"]["enterprises"], park["headline"]["enterprises_verified"]) == (4, 3)
    assert (park["headline"]["applications"], park["headline"]["overdue_now"]) == (3, 1)
    stages = next(chart for chart in park["charts"] if chart["key"] == "stages")
    assert stages["categories"] == ["审核"] and stages["series"][0]["data"] == [1]


def test_this_years_figures_leave_out_last_years(seeded):
    with at("2099-02-01"), schema_context("east"):
        park = park_dashboard(period=dashboard_period("year"), with_revenue=True)
    assert park["headline"]["applications"] == 0 and park["headline"]["enterprises"] == 4


def test_the_administrator_sees_charts_and_revenue_a_reviewer_no_revenue(seeded):
    page = (
        _client("east", seeded.east.staff)
        .get("/?period=all", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert (
        "园区数据概览" in page and 'data-chart="stages"' in page and "vendor/echarts/echarts.min.js" in page
    )
    charts = json.loads(
        re.search(r'<script id="hub-charts" type="application/json">(.*?)</script>', page, re.S)[1]
    )
    assert {chart["key"] for chart in charts} == {"stages", "statuses", "monthly", "demands", "revenue"}
    reviewer = make_user("east", role=roles.REVIEWER)
    page = _client("east", reviewer).get("/?period=all").content.decode()
    assert 'data-chart="stages"' in page and 'data-chart="revenue"' not in page
    assert "kpi-revenue" not in page
    # The reviewer's menu has no register of enterprises and no public near-duplicates.
    nav = page.split('class="nav-links"', 1)[1].split("</div>", 1)[0]
    assert "/park/enterprises/" not in nav and 'href="/services/"' not in nav
    assert _client("east", reviewer).get("/park/services/revenue/").status_code == 403


def test_overdue_now_links_to_every_overdue_application_in_the_park(seeded):
    with at("2026-03-20"):
        page = _client("east", seeded.east.staff).get("/park/applications/?tab=all&overdue=on&sort=due")
    assert page.status_code == 200
    assert page.content.decode().count('class="name-cell"') == 1  # E3 only, whoever's stage it is at
