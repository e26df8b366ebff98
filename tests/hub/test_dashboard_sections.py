"""The dashboard in sections: an overview first, then one section per question, every table in one."""

import pytest


@pytest.fixture
def operator_client(hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    return hub_client


def test_the_dashboard_opens_on_an_overview_and_puts_every_table_in_one_section(seeded, operator_client):
    page = operator_client.get("/dashboard/?kind=district")
    sections = page.context["sections"]
    assert [section["key"] for section in sections] == [
        "overview",
        "applications",
        "funds",
        "demands",
        "enterprises",
        "tenants",
    ]
    placed = [table.key for section in sections for table in section["tables"]]
    assert sorted(placed) == sorted(table.key for table in page.context["tables"])
    assert [table.key for table in sections[0]["tables"]] == ["kinds"]
    html = page.content.decode()
    # The tabs, in Chinese, each leading to its section; the headline figures are in the overview.
    for label, key in [("概览", "overview"), ("申报与审批", "applications"), ("资金与服务", "funds")]:
        assert f'<a href="#section-{key}" data-section="{key}">{label}</a>' in html
    overview = html[html.index('id="section-overview"') : html.index('id="section-applications"')]
    assert "hub-kpis" in overview and 'id="table-kinds"' in overview
    assert "js/hub-tabs.js" in html


def test_a_tenants_drill_down_has_the_sections_but_no_list_of_sub_platforms(seeded, operator_client):
    page = operator_client.get("/dashboard/tenants/east/")
    keys = [section["key"] for section in page.context["sections"]]
    assert keys[0] == "overview" and "tenants" not in keys
