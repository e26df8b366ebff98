"""The hub home page: every live tenant with its kind and status, for hub operators only."""

from django.contrib.auth import get_user_model

from ..conftest import ALPHA, BETA, make_user

User = get_user_model()


def test_hub_operator_sees_every_tenant_with_kind_and_status(db, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    page = hub_client.get("/")
    assert page.status_code == 200
    slugs = [tenant.schema_name for tenant in page.context["tenants"]]
    assert ALPHA in slugs and BETA in slugs
    assert "public" not in slugs and not any(slug.startswith("spare_") for slug in slugs)
    html = page.content.decode()
    assert "Alpha Park" in html and "特色园区" in html and "正常" in html


def test_anonymous_visitors_are_sent_to_sign_in(db, hub_client):
    response = hub_client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_hub_users_who_are_not_operators_get_a_404(db, hub_client):
    visitor = make_user("public", email="visitor@hub.cn")
    hub_client.force_login(visitor)
    assert hub_client.get("/").status_code == 404


def test_filters_by_kind(db, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    page = hub_client.get("/?kind=district")
    assert all(tenant.kind == "district" for tenant in page.context["tenants"])
    assert ALPHA not in [tenant.schema_name for tenant in page.context["tenants"]]
