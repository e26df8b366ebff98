"""The service pages: an enterprise's catalogue, checkout and subscriptions; the park's management; outsiders get 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_schema.billing.models import Subscription, Voucher
from tenant_schema.billing.services import subscription_checkout, voucher_issue

from ..conftest import ALPHA, BETA, HostClient, host_of, make_user


def _client(slug, user):
    client = HostClient(host_of(slug))
    client.force_login(user)
    return client


@pytest.fixture
def pending(no_stripe, buyer, service):
    with schema_context(ALPHA):
        return subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline"
        ).subscription


def test_an_enterprise_browses_orders_by_transfer_and_sees_its_subscriptions(no_stripe, buyer, service):
    client = _client(ALPHA, buyer.user)
    catalogue = client.get("/services/")
    assert catalogue.status_code == 200 and service.name in catalogue.content.decode()
    assert client.get(f"/services/{service.pk}/").status_code == 200
    form = client.get(f"/services/{service.pk}/checkout/").content.decode()
    assert 'value="offline"' in form and 'value="stripe"' not in form  # no keys: no Stripe option
    response = client.post(f"/services/{service.pk}/checkout/", {"term_months": "3", "method": "offline"})
    assert response.status_code == 302
    with schema_context(ALPHA):
        subscription = Subscription.objects.get(enterprise=buyer.enterprise)
    assert response["Location"] == f"/services/subscriptions/{subscription.pk}/"
    assert client.get(response["Location"]).status_code == 200
    assert service.name in client.get("/services/mine/").content.decode()


def test_the_stripe_option_shows_when_keys_are_set(fake_stripe, buyer, service):
    form = _client(ALPHA, buyer.user).get(f"/services/{service.pk}/checkout/").content.decode()
    assert 'value="stripe"' in form


def test_the_park_confirms_a_transfer_issues_a_voucher_and_reads_revenue(
    pending, park_admin_a, buyer, service
):
    client = _client(ALPHA, park_admin_a)
    for page in (
        "/park/services/",
        "/park/services/new/",
        "/park/services/subscriptions/",
        "/park/services/vouchers/",
        "/park/services/revenue/",
    ):
        assert client.get(page).status_code == 200, page
    assert client.post(f"/park/services/subscriptions/{pending.pk}/confirm-transfer/").status_code == 302
    with schema_context(ALPHA):
        assert Subscription.objects.get(pk=pending.pk).status == Subscription.Status.ACTIVE
    issued = client.post(
        "/park/services/vouchers/",
        {
            "credit_code": buyer.enterprise.credit_code,
            "kind": "amount",
            "value": "50",
            "expires_on": str(timezone.localdate()),
        },
    )
    assert issued.status_code == 302
    with schema_context(ALPHA):
        assert Voucher.objects.filter(enterprise=buyer.enterprise).count() == 1
    assert "¥300.00" in client.get("/park/services/revenue/").content.decode()


def test_an_enterprise_cannot_open_the_park_pages(buyer):
    client = _client(ALPHA, buyer.user)
    assert client.get("/park/services/").status_code == 404
    assert client.get("/park/services/vouchers/").status_code == 404


def test_another_enterprise_and_another_park_get_404(pending, other_buyer, park_admin_a, buyer, tenant_b):
    with schema_context(ALPHA):
        voucher = voucher_issue(
            actor=park_admin_a,
            enterprise=buyer.enterprise,
            kind="amount",
            value=Decimal("1"),
            expires_on=timezone.localdate() + timedelta(days=1),
        )
    neighbour = _client(ALPHA, other_buyer.user)
    assert neighbour.get(f"/services/subscriptions/{pending.pk}/").status_code == 404
    assert neighbour.post(f"/services/subscriptions/{pending.pk}/cancel/").status_code == 404
    outsider = _client(BETA, make_user(BETA, role="park_admin"))
    assert outsider.get(f"/services/subscriptions/{pending.pk}/").status_code == 404
    assert outsider.post(f"/park/services/subscriptions/{pending.pk}/confirm-transfer/").status_code == 404
    assert outsider.post(f"/park/services/vouchers/{voucher.pk}/void/").status_code == 404
    with schema_context(ALPHA):
        assert Subscription.objects.get(pk=pending.pk).status == Subscription.Status.PENDING_PAYMENT
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.AVAILABLE
