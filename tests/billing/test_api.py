"""The billing API: owner / other enterprise / other park (outsider) for every kind of object, and the flows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_schema.billing.models import Subscription, Voucher
from tenant_schema.billing.services import subscription_checkout, voucher_issue

from ..conftest import ALPHA, BETA, HostClient, host_of, make_user
from ..enterprises.conftest import register


@pytest.fixture
def owner_client(buyer):
    client = HostClient(host_of(ALPHA))
    client.force_login(buyer.user)
    return client


@pytest.fixture
def other_client(other_buyer):
    client = HostClient(host_of(ALPHA))
    client.force_login(other_buyer.user)
    return client


@pytest.fixture
def admin_client(park_admin_a):
    client = HostClient(host_of(ALPHA))
    client.force_login(park_admin_a)
    return client


@pytest.fixture
def outsider_client(db, tenant_b):
    """Park B's administrator and, separately, an enterprise of park B: neither may see anything of park A."""
    client = HostClient(host_of(BETA))
    client.force_login(make_user(BETA, role="park_admin"))
    return client


@pytest.fixture
def voucher(buyer, park_admin_a):
    with schema_context(ALPHA):
        return voucher_issue(
            actor=park_admin_a,
            enterprise=buyer.enterprise,
            kind="amount",
            value=Decimal("300.00"),
            expires_on=timezone.localdate() + timedelta(days=10),
        )


@pytest.fixture
def pending(no_stripe, buyer, service):
    with schema_context(ALPHA):
        return subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline"
        ).subscription


def test_an_enterprise_buys_with_a_covering_voucher_through_the_api(
    no_stripe, owner_client, service, voucher
):
    response = owner_client.post(
        "/api/billing/subscriptions/",
        {"service": service.pk, "term_months": 3, "voucher_code": voucher.code},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["redirect_url"] == ""
    assert body["subscription"]["status"] == "active" and body["subscription"]["amount_due"] == "0.00"
    assert body["subscription"]["voucher_code"] == voucher.code and body["subscription"]["days_left"] >= 89
    entitlement = owner_client.get(f"/api/billing/services/{service.pk}/entitlement/").json()
    assert entitlement["entitled"] is True and entitlement["access_ends_at"]
    again = owner_client.post(
        "/api/billing/subscriptions/",
        {"service": service.pk, "term_months": 3, "voucher_code": voucher.code},
        content_type="application/json",
    )
    assert again.status_code == 400 and "voucher_code" in again.json()["fields"]


def test_online_checkout_answers_with_stripes_payment_page(fake_stripe, owner_client, service):
    response = owner_client.post(
        "/api/billing/subscriptions/",
        {"service": service.pk, "term_months": 6, "method": "stripe"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["redirect_url"].startswith(fake_stripe.url)
    assert response.json()["subscription"]["amount_due"] == "600.00"


def test_the_catalogue_shows_prices_ratings_and_subscribers(owner_client, service):
    rows = owner_client.get("/api/billing/services/").json()["results"]
    row = next(r for r in rows if r["id"] == service.pk)
    assert row["price"] == "100.00" and row["term_options"] == [3, 6, 12]
    assert row["subscriber_count"] == 0 and row["average_rating"] is None


def test_the_park_confirms_a_transfer_and_an_enterprise_cannot(pending, owner_client, admin_client):
    assert owner_client.post(f"/api/billing/subscriptions/{pending.pk}/confirm-transfer/").status_code == 403
    response = admin_client.post(
        f"/api/billing/subscriptions/{pending.pk}/confirm-transfer/",
        {"reference": "ICBC-1"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "active"


def test_only_the_park_manages_the_catalogue_and_issues_vouchers(owner_client, admin_client, buyer):
    created = admin_client.post(
        "/api/billing/services/",
        {"name": "知识产权代理", "price": "80.00", "term_options": [6, 12]},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["term_options"] == [6, 12]
    assert (
        owner_client.post(
            "/api/billing/services/", {"name": "x", "price": "1"}, content_type="application/json"
        ).status_code
        == 403
    )
    voucher = {
        "enterprise": buyer.enterprise.pk,
        "kind": "percent",
        "value": "50",
        "expires_on": str(timezone.localdate()),
    }
    assert (
        owner_client.post("/api/billing/vouchers/", voucher, content_type="application/json").status_code
        == 403
    )
    issued = admin_client.post("/api/billing/vouchers/", voucher, content_type="application/json")
    assert issued.status_code == 201 and issued.json()["code"].startswith("FWQ-")
    assert owner_client.get("/api/billing/vouchers/").json()["count"] == 1
    assert admin_client.get("/api/billing/revenue/").status_code == 200
    assert owner_client.get("/api/billing/revenue/").status_code == 403


def test_another_enterprise_of_the_same_park_gets_404_for_my_subscription_and_voucher(
    pending, voucher, other_client
):
    assert other_client.get(f"/api/billing/subscriptions/{pending.pk}/").status_code == 404
    assert other_client.post(f"/api/billing/subscriptions/{pending.pk}/cancel/").status_code == 404
    assert other_client.get(f"/api/billing/vouchers/{voucher.pk}/").status_code == 404
    assert other_client.get("/api/billing/subscriptions/").json()["count"] == 0


def test_outsider_gets_404(pending, voucher, service, outsider_client):
    """Park B's administrator asking for park A's subscription, voucher or service: each a 404, nothing changes."""
    assert outsider_client.get(f"/api/billing/subscriptions/{pending.pk}/").status_code == 404
    assert (
        outsider_client.post(f"/api/billing/subscriptions/{pending.pk}/confirm-transfer/").status_code == 404
    )
    assert outsider_client.post(f"/api/billing/subscriptions/{pending.pk}/refund/").status_code == 404
    assert outsider_client.get(f"/api/billing/vouchers/{voucher.pk}/").status_code == 404
    assert outsider_client.post(f"/api/billing/vouchers/{voucher.pk}/void/").status_code == 404
    assert outsider_client.get(f"/api/billing/services/{service.pk}/").status_code == 404
    with schema_context(ALPHA):
        assert Subscription.objects.get(pk=pending.pk).status == Subscription.Status.PENDING_PAYMENT
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.AVAILABLE


def test_an_enterprise_of_another_park_cannot_use_a_voucher_code_from_this_one(
    no_stripe, voucher, tenant_b, park_admin_b
):
    from tenant_schema.billing.services import service_create

    outsider = register(BETA)
    with schema_context(BETA):
        service_b = service_create(actor=park_admin_b, name="乙园服务", price=Decimal("100.00"))
    client = HostClient(host_of(BETA))
    client.force_login(outsider.user)
    response = client.post(
        "/api/billing/subscriptions/",
        {"service": service_b.pk, "term_months": 3, "voucher_code": voucher.code, "method": "offline"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "voucher_code" in response.json()["fields"]


def test_anonymous_callers_get_401(client_a, db):
    assert client_a.get("/api/billing/services/").status_code == 401


def test_the_openapi_schema_documents_billing(admin_client):
    schema = admin_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    for endpoint in (
        "/api/v1/billing/subscriptions/",
        "/api/v1/billing/vouchers/",
        "/api/v1/billing/services/{id}/entitlement/",
        "/api/v1/billing/revenue/",
    ):
        assert endpoint in schema
