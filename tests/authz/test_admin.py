"""The Django admin cannot be used around the services (#14 item 7).

A park administrator (is_staff, with the accounts.* and billing.* permissions of the
role) signs in to the admin: it cannot make anyone a superuser or change role groups,
and subscriptions and vouchers are view-only there.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import User
from public_schema.tenants.models import Tenant
from tenant_schema.billing.models import Subscription, Voucher
from tenant_schema.billing.services import subscription_checkout, voucher_issue

from ..conftest import ALPHA, HUB_HOST, HostClient, host_of, make_user


@pytest.fixture
def park_admin_in_admin(db, tenant_a):
    with schema_context(ALPHA):
        admin = make_user(ALPHA, role=roles.PARK_ADMIN)
        User.objects.filter(pk=admin.pk).update(is_staff=True)
        admin.refresh_from_db()
    client = HostClient(host_of(ALPHA))
    client.force_login(admin)
    return client, admin


def change_form(user: User, **extra) -> dict:
    form = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone or "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    form.update(extra)
    return form


def test_a_park_administrator_cannot_make_anyone_a_superuser_in_the_admin(park_admin_in_admin):
    client, admin = park_admin_in_admin
    target = make_user(ALPHA, role=roles.ENTERPRISE_USER)
    with schema_context(ALPHA):
        admin_group = Group.objects.get(name=roles.PARK_ADMIN)
    for user in (target, admin):  # someone else, and themselves
        url = f"/admin/accounts/user/{user.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="is_superuser"' not in page.content.decode()
        response = client.post(
            url,
            change_form(
                user,
                full_name="改过的名字",
                is_superuser="on",
                is_staff="on",
                groups=[admin_group.pk],
            ),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        with schema_context(ALPHA):
            after = User.objects.get(pk=user.pk)
            assert after.full_name == "改过的名字"  # the ordinary fields still save
            assert after.is_superuser is False
            if user is target:
                assert not after.is_staff
                assert list(after.groups.values_list("name", flat=True)) == [roles.ENTERPRISE_USER]


def test_a_superusers_account_cannot_be_changed_by_a_park_administrator(park_admin_in_admin):
    client, _admin = park_admin_in_admin
    with schema_context(ALPHA):
        root = User.objects.create_superuser(
            email="root-admin-test@example.cn", password="x-very-long-Password-1"
        )
    assert (
        client.post(
            f"/admin/accounts/user/{root.pk}/change/", change_form(root, email="mine@example.cn")
        ).status_code
        == 403
    )
    with schema_context(ALPHA):
        assert User.objects.get(pk=root.pk).email == "root-admin-test@example.cn"


def test_subscriptions_and_vouchers_are_view_only_in_the_admin(
    park_admin_in_admin, no_stripe, buyer, service
):
    client, admin = park_admin_in_admin
    with schema_context(ALPHA):
        order = subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline"
        ).subscription
        voucher = voucher_issue(
            actor=admin,
            enterprise=buyer.enterprise,
            kind="amount",
            value=Decimal("300.00"),
            expires_on=timezone.localdate() + timedelta(days=10),
        )
    assert client.get(f"/admin/billing/subscription/{order.pk}/change/").status_code == 200  # may look
    assert (
        client.post(f"/admin/billing/subscription/{order.pk}/change/", {"status": "active"}).status_code
        == 403
    )
    assert client.post(f"/admin/billing/subscription/{order.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/billing/voucher/{voucher.pk}/change/", {"status": "used"}).status_code == 403
    assert client.get("/admin/billing/voucher/add/").status_code == 403
    with schema_context(ALPHA):
        assert Subscription.objects.get(pk=order.pk).status == Subscription.Status.PENDING_PAYMENT
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.AVAILABLE


def test_tenant_status_is_changed_by_the_admin_action_that_calls_the_service(db, tenant_a):
    client = HostClient(HUB_HOST)
    root = User.objects.create_superuser(email="hub-root-test@example.cn", password="x-very-long-Password-1")
    client.force_login(root)
    url = "/admin/tenants/tenant/"
    assert client.post(
        f"{url}{tenant_a.pk}/change/", {"name": tenant_a.name, "status": "suspended"}
    ).status_code in (200, 302)
    assert Tenant.objects.get(pk=tenant_a.pk).status == Tenant.Status.ACTIVE  # not a form field
    client.post(url, {"action": "suspend", "_selected_action": [tenant_a.pk], "reason": ""})
    assert Tenant.objects.get(pk=tenant_a.pk).status == Tenant.Status.ACTIVE  # a suspension says why
    response = client.post(
        url, {"action": "suspend", "_selected_action": [tenant_a.pk], "reason": "合同到期未续签"}
    )
    assert response.status_code == 302
    suspended = Tenant.objects.get(pk=tenant_a.pk)
    assert suspended.status == Tenant.Status.SUSPENDED and suspended.status_changed_at is not None
    assert suspended.status_reason == "合同到期未续签"
    client.post(url, {"action": "reactivate", "_selected_action": [tenant_a.pk]})
    assert Tenant.objects.get(pk=tenant_a.pk).status == Tenant.Status.ACTIVE
