"""Suspending a tenant closes its pages and API with a 503; its data stays; reactivation restores it."""

from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from public_schema.tenants.models import Tenant

from ..conftest import ALPHA, PASSWORD

User = get_user_model()


def test_a_suspended_tenant_answers_503_on_pages_and_api_with_its_data_intact(
    db, hub_client, hub_operator, client_a, park_admin_a
):
    hub_client.force_login(hub_operator)
    assert hub_client.post(f"/api/hub/tenants/{ALPHA}/suspend/").status_code == 400  # no reason given
    response = hub_client.post(f"/api/hub/tenants/{ALPHA}/suspend/", {"reason": "合同到期未续签"})
    assert response.status_code == 200 and response.json()["status"] == "suspended"

    page = client_a.get("/")
    assert page.status_code == 503
    assert "暂停" in page.content.decode()  # the page says, in Chinese, that the platform is suspended
    login = client_a.post("/accounts/login/", {"username": park_admin_a.email, "password": PASSWORD})
    assert login.status_code == 503
    api = client_a.get("/api/me/")
    assert api.status_code == 503 and api.json()["code"] == "tenant_suspended"
    with schema_context(ALPHA):
        assert User.objects.filter(pk=park_admin_a.pk).exists()

    assert hub_client.post(f"/api/hub/tenants/{ALPHA}/reactivate/").json()["status"] == "active"
    assert client_a.get("/").status_code == 200
    assert (
        client_a.post("/accounts/login/", {"username": park_admin_a.email, "password": PASSWORD}).status_code
        == 302
    )


def test_the_hub_page_suspends_and_reactivates_and_shows_the_status(db, hub_client, hub_operator, client_a):
    hub_client.force_login(hub_operator)
    hub_client.post(f"/tenants/{ALPHA}/suspend/", {"reason": "合同到期未续签", "expected_status": "active"})
    assert Tenant.objects.get(schema_name=ALPHA).status == Tenant.Status.SUSPENDED
    listing = hub_client.get("/?status=suspended")
    assert [t.schema_name for t in listing.context["tenants"]] == [ALPHA]
    assert client_a.get("/").status_code == 503
    hub_client.post(f"/tenants/{ALPHA}/reactivate/", {"reason": "已续签", "expected_status": "suspended"})
    assert Tenant.objects.get(schema_name=ALPHA).status == Tenant.Status.ACTIVE


def test_only_hub_operators_can_suspend(db, hub_client, client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    # The hub API does not exist on a tenant's host at all.
    assert client_a.post(f"/api/hub/tenants/{ALPHA}/suspend/").status_code == 404
    visitor = User.objects.create_user(email="visitor@hub.cn", password=PASSWORD)
    hub_client.force_login(visitor)
    assert hub_client.post(f"/api/hub/tenants/{ALPHA}/suspend/", {"reason": "x"}).status_code == 403
    assert hub_client.post(f"/tenants/{ALPHA}/suspend/", {"reason": "x"}).status_code == 404
    assert Tenant.objects.get(schema_name=ALPHA).status == Tenant.Status.ACTIVE


def test_unknown_or_spare_slugs_are_a_404_for_operators(db, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    assert hub_client.post("/api/hub/tenants/nosuch/suspend/").status_code == 404
    assert hub_client.post("/api/hub/tenants/tenant_template/suspend/").status_code == 404
    assert hub_client.get("/api/hub/tenants/public/").status_code == 404
