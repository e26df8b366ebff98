"""Roles are checked by the billing services themselves, not only by the views (#14 item 7).

A reviewer sees every order of the park (read-only on billing) but may not cancel,
pay or transfer for one: the service refuses, so the page, the API and any other
caller give the same 403.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.billing.models import Subscription
from tenant_schema.billing.services import (
    subscription_cancel,
    subscription_checkout,
    subscription_request_transfer,
)

from ..conftest import ALPHA, HostClient, host_of, make_user


@pytest.fixture
def pending(no_stripe, buyer, service):
    with schema_context(ALPHA):
        return subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline"
        ).subscription


@pytest.fixture
def reviewer_client(db, tenant_a):
    client = HostClient(host_of(ALPHA))
    client.force_login(make_user(ALPHA, role=roles.REVIEWER))
    return client


def status_of(subscription) -> str:
    with schema_context(ALPHA):
        return Subscription.objects.get(pk=subscription.pk).status


def test_a_reviewer_cannot_cancel_an_enterprises_order_through_the_api(pending, reviewer_client):
    assert reviewer_client.get(f"/api/billing/subscriptions/{pending.pk}/").status_code == 200  # may look
    response = reviewer_client.post(f"/api/billing/subscriptions/{pending.pk}/cancel/")
    assert response.status_code == 403, response.content
    assert status_of(pending) == Subscription.Status.PENDING_PAYMENT


def test_a_reviewer_cannot_cancel_an_enterprises_order_through_the_page(pending, reviewer_client):
    response = reviewer_client.post(f"/services/subscriptions/{pending.pk}/cancel/")
    assert response.status_code == 403
    assert status_of(pending) == Subscription.Status.PENDING_PAYMENT


def test_the_services_refuse_a_reviewer_whoever_calls_them(pending):
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    with schema_context(ALPHA):
        with pytest.raises(PermissionDenied):
            subscription_cancel(actor=reviewer, subscription=pending)
        with pytest.raises(PermissionDenied):
            subscription_request_transfer(actor=reviewer, subscription=pending)
    assert status_of(pending) == Subscription.Status.PENDING_PAYMENT


def test_another_enterprise_is_refused_by_the_service_too(pending, other_buyer):
    with schema_context(ALPHA):
        with pytest.raises(PermissionDenied):
            subscription_cancel(actor=other_buyer.user, subscription=pending)


def test_the_ordering_enterprise_and_a_park_administrator_may_cancel(pending, buyer, park_admin_a, service):
    with schema_context(ALPHA):
        assert (
            subscription_cancel(actor=buyer.user, subscription=pending).status
            == Subscription.Status.CANCELLED
        )
        second = subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline"
        ).subscription
        assert (
            subscription_cancel(actor=park_admin_a, subscription=second).status
            == Subscription.Status.CANCELLED
        )
