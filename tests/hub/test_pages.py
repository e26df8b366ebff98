"""Dashboard pages, exports and the stats API: hub operators only; everybody else gets a 404."""

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from accounts import roles

from ..conftest import ALPHA, PASSWORD, make_user

User = get_user_model()

HUB_PAGES = ["/dashboard/", "/dashboard/wall/", "/dashboard/duplicate-awards/", "/dashboard/tenants/alpha/",
             "/dashboard/?format=csv&table=funds", "/dashboard/?format=xlsx", "/api/hub/stats/"]


@pytest.fixture
def operator_client(hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    return hub_client


def test_operator_sees_every_table_with_its_chart_data(seeded, operator_client):
    page = operator_client.get("/dashboard/?kind=district")
    assert page.status_code == 200
    keys = [table.key for table in page.context["tables"]]
    assert keys == ["enterprises", "applications", "stages", "decisions", "timeliness", "deadlines", "funds",
                    "services", "demands", "ranking"]
    html = page.content.decode()
    assert html.count('class="hub-chart"') >= 8 and 'id="hub-charts"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/hub-charts.js" in html
    funds = next(spec for spec in page.context["charts"] if spec["key"] == "funds")
    assert funds["categories"][:3] == ["East 街道", "West 街道", "North 街道"]
    assert funds["series"][1]["data"][:2] == [100000.0, 50000.0]


def test_suspended_tenants_are_marked_and_the_status_filter_hides_them(seeded, operator_client):
    from tenants.services import tenant_suspend

    tenant_suspend(tenant=seeded.north.tenant)
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
    assert lines[1].startswith("East 街道,") and "100000.00" in lines[1] and len(lines) == 5  # 3 tenants + city
    workbook = load_workbook(io.BytesIO(operator_client.get("/dashboard/?kind=district&format=xlsx").content))
    assert len(workbook.sheetnames) == 10
    duplicates = operator_client.get("/dashboard/duplicate-awards/?format=xlsx")
    assert load_workbook(io.BytesIO(duplicates.content)).active.max_row == 1  # header only
    assert operator_client.get("/dashboard/?format=csv&table=nosuch").status_code == 404


def test_wall_screen_shows_the_city_figures(seeded, operator_client):
    page = operator_client.get("/dashboard/wall/?kind=district")
    html = page.content.decode()
    assert page.status_code == 200 and 'http-equiv="refresh"' in html and "hub-wall" in html
    assert page.context["city"]["funds_approved"] == 150000


def test_stats_api_gives_the_same_figures_with_the_same_filters(seeded, operator_client):
    body = operator_client.get("/api/hub/stats/?kind=district").json()
    assert [tenant["slug"] for tenant in body["tenants"]] == ["east", "west", "north"]
    assert body["city"]["approval_rate"] == 50.0 and body["city"]["funds_approved"] == "150000.00"
    assert body["tenants"][0]["figures"]["p90_days"] == 4.8
    narrowed = operator_client.get("/api/hub/stats/?kind=district&date_from=2026-03-01&date_to=2026-03-06").json()
    assert narrowed["city"]["median_days"] == 2.5
    assert operator_client.get("/api/hub/stats/?date_from=tomorrow").status_code == 400


def test_stats_api_is_in_the_openapi_schema(db, operator_client):
    schema = operator_client.get("/api/schema/?format=json").json()
    assert "/api/hub/stats/" in schema["paths"] and "/api/hub/tenants/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/hub/stats/"]["get"]["parameters"]}
    assert {"date_from", "date_to", "kind", "status"} <= parameters


@pytest.mark.parametrize("path", HUB_PAGES)
def test_hub_users_who_are_not_operators_get_404(db, hub_client, path):
    hub_client.force_login(User.objects.create_user(email="visitor@hub.cn", password=PASSWORD))
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
    from rest_framework.authtoken.models import Token

    with schema_context(ALPHA):
        token = Token.objects.create(user=park_admin_a)
    response = hub_client.get("/api/hub/stats/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401


def test_hub_operator_role_in_a_tenant_means_nothing_on_the_hub(db, client_a):
    someone = make_user(ALPHA, role=roles.PARK_ADMIN)
    client_a.force_login(someone)
    assert client_a.get("/api/hub/stats/").status_code == 404
