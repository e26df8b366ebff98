"""Dashboard pages, exports and the stats API: hub operators only; everybody else gets a 404."""

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from every_schema.accounts import roles

from ..conftest import ALPHA, PASSWORD, make_user

User = get_user_model()

HUB_PAGES = [
    "/dashboard/",
    "/dashboard/wall/",
    "/dashboard/duplicate-awards/",
    "/dashboard/tenants/alpha/",
    "/dashboard/?format=csv&table=funds",
    "/dashboard/?format=xlsx",
    "/api/hub/stats/",
]


@pytest.fixture
def operator_client(hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    return hub_client


def test_operator_sees_every_table_with_its_chart_data(seeded, operator_client):
    page = operator_client.get("/dashboard/?kind=district")
    assert page.status_code == 200
    keys = [table.key for table in page.context["tables"]]
    assert keys == [
        "kinds",
        "enterprises",
        "applications",
        "stages",
        "decisions",
        "timeliness",
        "deadlines",
        "funds",
        "services",
        "demands",
        "ranking",
    ]
    html = page.content.decode()
    assert html.count('class="hub-chart"') >= 9 and 'id="hub-charts"' in html and 'id="table-tenants"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/hub-charts.js" in html
    funds = next(spec for spec in page.context["charts"] if spec["key"] == "funds")
    assert funds["categories"][:3] == ["East 街道", "West 街道", "North 街道"]
    assert funds["series"][1]["data"][:2] == [100000.0, 50000.0]


def test_suspended_tenants_are_marked_and_the_status_filter_hides_them(seeded, operator_client):
    from public_schema.tenants.services import tenant_suspend

    tenant_suspend(tenant=seeded.north.tenant, reason="合同到期")
    html = operator_client.get("/dashboard/?kind=district").content.decode()
    assert "hub-suspended-row" in html and "badge-suspended" in html
    page = operator_client.get("/dashboard/?kind=district&status=active")
    assert "North 街道" not in page.content.decode()


def test_drill_down_shows_one_tenants_aggregates_only(seeded, operator_client):
    page = operator_client.get("/dashboard/tenants/east/")
    assert page.status_code == 200
    assert [row.tenant.schema_name for row in page.context["stats"].rows] == ["east"]
    assert page.context["headline"]["approval_rate"] == 50.0
    html = page.content.decode()
    # No enterprise names or credit codes: aggregates only.
    assert "有限公司" not in html and "91370281" not in html
    assert operator_client.get("/dashboard/tenants/nosuch/").status_code == 404


def test_every_table_exports_as_csv_and_excel(seeded, operator_client):
    response = operator_client.get("/dashboard/?kind=district&format=csv&table=funds")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert (
        lines[1].startswith("East 街道,") and "100000.00" in lines[1] and len(lines) == 5
    )  # 3 tenants + city
    workbook = load_workbook(io.BytesIO(operator_client.get("/dashboard/?kind=district&format=xlsx").content))
    assert len(workbook.sheetnames) == 12  # by kind, the list of sub-platforms and the ten figure tables
    duplicates = operator_client.get("/dashboard/duplicate-awards/?format=xlsx")
    assert load_workbook(io.BytesIO(duplicates.content)).active.max_row == 1  # header only
    assert operator_client.get("/dashboard/?format=csv&table=nosuch").status_code == 404


def test_the_page_shows_each_tables_top_tenants_and_exports_them_all(seeded, operator_client, monkeypatch):
    from public_schema.hub import dashboard_views, tables

    monkeypatch.setattr(dashboard_views, "TOP_N", 2)
    monkeypatch.setattr(tables, "RANKING_TOP_N", 2)
    page = operator_client.get("/dashboard/?kind=district&rank_by=median_days")
    by_key = {table.key: table for table in page.context["tables"]}
    funds = by_key["funds"]
    assert [row["tenant"] for row in funds.rows][:2] == ["East 街道", "West 街道"] and funds.rows[2]["_city"]
    assert len(funds.rows) == 3
    assert funds.rows[-1]["funds_approved"] == 150000  # the city total counts every tenant, shown or not
    assert "2" in funds.note and "3" in funds.note
    assert [row["tenant"] for row in by_key["ranking"].rows] == [
        "North 街道",
        "East 街道",
    ]  # 2 and 4 working days
    chart = next(spec for spec in page.context["charts"] if spec["key"] == "funds")
    assert chart["categories"] == ["East 街道", "West 街道"]
    html = page.content.decode()
    assert funds.note in html
    lines = operator_client.get("/dashboard/?kind=district&format=csv&table=funds").content.decode(
        "utf-8-sig"
    )
    assert len(lines.splitlines()) == 5 and "North 街道" in lines  # every tenant and the city


def test_the_list_of_sub_platforms_sorts_searches_and_pages(seeded, operator_client, monkeypatch):
    def names(query):
        page = operator_client.get(f"/dashboard/?kind=district&{query}")
        assert page.status_code == 200
        return [row["tenant"] for row in page.context["tenant_list"]["table"].rows]

    assert names("") == ["East 街道", "West 街道", "North 街道"]  # registry order
    assert names("sort=-funds_approved") == ["East 街道", "West 街道", "North 街道"]
    assert names("sort=median_days") == ["North 街道", "East 街道", "West 街道"]  # 2, 4, 8 working days
    assert names("sort=-median_days") == ["West 街道", "East 街道", "North 街道"]
    assert names("sort=tenant") == sorted(["East 街道", "West 街道", "North 街道"])
    assert names("sort=nonsense") == ["East 街道", "West 街道", "North 街道"]
    assert names("q=west") == ["West 街道"] and names("q=WEST") == ["West 街道"]
    assert names("q=nobody") == []
    html = operator_client.get("/dashboard/?kind=district&sort=-funds_approved").content.decode()
    assert 'aria-sort="descending"' in html and "sort=funds_approved" in html  # a second click reverses
    from public_schema.hub import dashboard_views

    monkeypatch.setattr(dashboard_views, "TENANTS_PER_PAGE", 2)
    assert names("page=2") == ["North 街道"]
    page = operator_client.get("/dashboard/?kind=district")
    assert page.context["tenant_list"]["matched"] == 3 and 'rel="next"' in page.content.decode()
    csv_lines = operator_client.get("/dashboard/?kind=district&q=west&format=csv&table=tenants").content
    assert len(csv_lines.decode("utf-8-sig").splitlines()) == 4  # the export has every tenant


def test_the_kinds_of_sub_platform_side_by_side(seeded, operator_client):
    from public_schema.hub.selectors import HubFilters, hub_stats

    stats = hub_stats(filters=HubFilters(), breakdown=False)
    kinds = {group.kind: group for group in stats.by_kind}
    assert set(kinds) == {"district", "park"}  # east, west, north; alpha and beta
    district = kinds["district"].values
    assert kinds["district"].tenants == 3 and district["approval_rate"] == 50.0
    assert district["median_days"] == 4.0 and district["funds_approved"] == 150000  # 2, 3, 5, 8 working days
    assert stats.city.values["applications"] == sum(group.values["applications"] for group in kinds.values())
    page = operator_client.get("/dashboard/")
    table = page.context["tables"][0]
    assert table.key == "kinds" and len(table.rows) == 3 and table.rows[-1]["_city"]
    assert any(spec["key"] == "kinds" for spec in page.context["charts"])


def test_the_new_parts_of_the_page_speak_chinese_by_default(seeded, operator_client, monkeypatch):
    from public_schema.hub import dashboard_views

    monkeypatch.setattr(dashboard_views, "TOP_N", 2)
    html = operator_client.get("/dashboard/?kind=district&sort=-enterprises").content.decode()
    for english in (
        "Sub-platforms",
        "Name contains",
        "Sort by",
        "highest first",
        "lowest first",
        "Find a sub-platform",
        "By kind of sub-platform",
        "Number of sub-platforms",
        "Click a column heading",
        "All of them",
        "The best",
    ):
        assert english not in html, english
    assert "分平台列表" in html and "按分平台类型" in html and "从高到低" in html


def test_wall_screen_shows_the_city_figures(seeded, operator_client):
    page = operator_client.get("/dashboard/wall/?kind=district")
    html = page.content.decode()
    assert page.status_code == 200 and 'http-equiv="refresh"' in html and "hub-wall" in html
    assert page.context["city"]["funds_approved"] == 150000
    assert {spec["key"] for spec in page.context["charts"]} == {
        "kinds",
        "applications",
        "decisions",
        "funds",
        "timeliness",
        "demands",
    }


def test_stats_api_gives_the_same_figures_with_the_same_filters(seeded, operator_client):
    body = operator_client.get("/api/hub/stats/?kind=district").json()
    assert [tenant["slug"] for tenant in body["tenants"]] == ["east", "west", "north"]
    assert body["city"]["approval_rate"] == 50.0 and body["city"]["funds_approved"] == "150000.00"
    assert body["tenants"][0]["figures"]["p90_days"] == 4.8
    narrowed = operator_client.get(
        "/api/hub/stats/?kind=district&date_from=2026-03-01&date_to=2026-03-06"
    ).json()
    assert narrowed["city"]["median_days"] == 2.5
    assert operator_client.get("/api/hub/stats/?date_from=tomorrow").status_code == 400


def test_stats_api_payload_is_what_the_serializer_gives(seeded):
    from public_schema.hub.api import HubStatsSerializer, stats_payload
    from public_schema.hub.selectors import HubFilters, hub_stats

    for filters in (
        HubFilters(),
        HubFilters(kind="district", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 6)),
    ):
        stats = hub_stats(filters=filters)
        slugs = {row.tenant.pk: row.tenant.schema_name for row in stats.rows}
        by_serializer = HubStatsSerializer(
            {
                "tenants": stats.rows,
                "city": stats.city.values,
                "applications_by_status": [
                    {
                        "tenant": slugs.get(row["tenant_id"]),
                        "status": row["status"],
                        "stage": row["stage"],
                        "count": row["n"],
                    }
                    for row in stats.by_status
                ],
                "stage_timeliness": [
                    {
                        "tenant": slugs.get(row["tenant_id"]),
                        "stage": row["stage"],
                        "completed": row["exits"],
                        "on_time": row["on_time"],
                        "on_time_rate": row["rate"],
                    }
                    for row in stats.timeliness
                ],
            }
        ).data
        assert json.dumps(stats_payload(stats), sort_keys=True) == json.dumps(by_serializer, sort_keys=True)
        assert any(row["tenant"] for row in by_serializer["applications_by_status"])


def test_stats_api_is_in_the_openapi_schema(db, operator_client):
    schema = operator_client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/hub/stats/" in schema["paths"] and "/api/v1/hub/tenants/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/hub/stats/"]["get"]["parameters"]}
    assert {"date_from", "date_to", "kind", "status"} <= parameters


@pytest.mark.parametrize("path", HUB_PAGES)
def test_hub_users_who_are_not_operators_get_404(db, hub_client, path):
    hub_client.force_login(make_user("public", email="visitor@hub.cn"))
    assert hub_client.get(path).status_code == 404


@pytest.mark.parametrize("path", HUB_PAGES)
def test_tenant_hosts_do_not_have_hub_pages(db, client_a, park_admin_a, path):
    client_a.force_login(park_admin_a)
    assert client_a.get(path).status_code == 404


def test_a_park_administrator_cannot_sign_in_on_the_hub(db, hub_client, park_admin_a):
    page = hub_client.post("/accounts/login/", {"username": park_admin_a.email, "password": PASSWORD})
    assert page.status_code == 200 and "_auth_user_id" not in hub_client.session  # no such account on the hub
    for path in HUB_PAGES:
        response = hub_client.get(path)
        assert response.status_code in (302, 401), path
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")


def test_a_tenant_token_is_worthless_on_the_hub(db, hub_client, park_admin_a):
    from django_tenants.utils import schema_context

    from every_schema.accounts.services import api_token_create

    with schema_context(ALPHA):
        _token, secret = api_token_create(user=park_admin_a, name="test")
    response = hub_client.get("/api/v1/hub/stats/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_hub_operator_role_in_a_tenant_means_nothing_on_the_hub(db, client_a):
    someone = make_user(ALPHA, role=roles.PARK_ADMIN)
    client_a.force_login(someone)
    assert client_a.get("/api/hub/stats/").status_code == 404


def test_the_filter_button_says_filter_not_apply_for_funding(seeded, operator_client):
    """“Apply” of the filter form is 筛选; 申报 (apply for a programme) misled the operators."""
    html = operator_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<button type="submit">筛选</button>' in html
    assert '<button type="submit">申报</button>' not in html
