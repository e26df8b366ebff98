"""Paying by bank transfer: the park's account on the order, a deadline, lapsing unpaid orders, the notice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.billing.models import Payment, Subscription, TransferAccount, Voucher
from tenant_schema.billing.services import (
    subscription_checkout,
    subscription_confirm_transfer,
    subscriptions_sweep,
    transfer_account_save,
    voucher_issue,
)
from tenant_schema.notifications.models import Notification

from ..conftest import ALPHA, HostClient, host_of, make_user

ACCOUNT = {
    "payee": "青岛高新区企业服务中心",
    "bank": "中国工商银行青岛高新区支行",
    "account_number": "3803 0201 0900 1234 567",
    "days_to_pay": 3,
    "note": "",
}


def _client(user):
    client = HostClient(host_of(ALPHA))
    client.force_login(user)
    return client


@pytest.fixture
def account(park_admin_a):
    with schema_context(ALPHA):
        return transfer_account_save(actor=park_admin_a, **ACCOUNT)


def _order(buyer, service, **kwargs):
    with schema_context(ALPHA):
        return subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="offline", **kwargs
        ).subscription


def test_the_park_admin_sets_the_account_once_and_a_reviewer_cannot(park_admin_a, tenant_a):
    client = _client(park_admin_a)
    assert client.get("/park/services/transfer-account/").status_code == 200
    response = client.post("/park/services/transfer-account/", ACCOUNT)
    assert response.status_code == 302
    client.post("/park/services/transfer-account/", {**ACCOUNT, "account_number": "6222 0000 1111"})
    with schema_context(ALPHA):
        assert list(TransferAccount.objects.values_list("account_number", flat=True)) == ["6222 0000 1111"]
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    assert _client(reviewer).get("/park/services/transfer-account/").status_code == 403
    with schema_context(ALPHA), pytest.raises(PermissionDenied):
        transfer_account_save(actor=reviewer, **ACCOUNT)


def test_an_order_by_transfer_shows_payee_account_amount_reference_and_deadline(
    no_stripe, buyer, service, account
):
    subscription = _order(buyer, service)
    page = _client(buyer.user).get(f"/services/subscriptions/{subscription.pk}/").content.decode()
    for shown in (ACCOUNT["payee"], ACCOUNT["bank"], ACCOUNT["account_number"], "¥300.00"):
        assert shown in page
    assert subscription.order_reference in page
    assert timezone.localtime(subscription.pay_by).strftime("%Y-%m-%d %H:%M") in page
    # Three working days after ordering, at half past five in Shanghai.
    assert subscription.pay_by > timezone.now() + timedelta(days=2)
    assert timezone.localtime(subscription.pay_by).strftime("%H:%M") == "17:30"


def test_without_an_account_the_order_says_whom_to_ask(no_stripe, buyer, service, tenant_a):
    subscription = _order(buyer, service)
    page = _client(buyer.user).get(f"/services/subscriptions/{subscription.pk}/").content.decode()
    assert "transfer-missing" in page


def test_an_unpaid_order_lapses_after_its_deadline_once_and_frees_its_voucher(
    no_stripe, buyer, service, park_admin_a, account
):
    with schema_context(ALPHA):
        voucher = voucher_issue(
            actor=park_admin_a,
            enterprise=buyer.enterprise,
            kind="amount",
            value=Decimal("100.00"),
            expires_on=timezone.localdate() + timedelta(days=30),
        )
    subscription = _order(buyer, service, voucher_code=voucher.code)
    with schema_context(ALPHA):
        assert subscriptions_sweep()["lapsed"] == 0  # not yet due
        later = subscription.pay_by + timedelta(minutes=1)
        assert subscriptions_sweep(now=later)["lapsed"] == 1
        assert subscriptions_sweep(now=later)["lapsed"] == 0  # a second run changes nothing
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.CANCELLED and subscription.voucher is None
        assert subscription.history.order_by("-created_at", "-pk").first().action == "lapse"
        assert subscription.payments.get().status == Payment.Status.FAILED
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.AVAILABLE
    # The enterprise can order again and use the voucher it got back.
    again = _order(buyer, service, voucher_code=voucher.code)
    assert again.status == Subscription.Status.PENDING_PAYMENT
    history = _client(buyer.user).get(f"/services/subscriptions/{subscription.pk}/").content.decode()
    assert "pending_payment" not in history and "lapse" not in history


def test_a_confirmed_transfer_notifies_the_enterprise_in_the_app_and_by_one_mail(
    no_stripe,
    buyer,
    service,
    park_admin_a,
    account,
    tasks_inline,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    subscription = _order(buyer, service)
    mailoutbox.clear()
    with schema_context(ALPHA), django_capture_on_commit_callbacks(execute=True):
        subscription_confirm_transfer(actor=park_admin_a, subscription=subscription)
    assert [mail.to for mail in mailoutbox] == [[buyer.user.email]]
    with schema_context(ALPHA):
        notice = Notification.objects.get(user=buyer.user)
        assert service.name in notice.title and notice.email_status == Notification.EmailStatus.SENT
    # The page of the order it now pays for says so.
    page = _client(buyer.user).get(f"/services/subscriptions/{subscription.pk}/").content.decode()
    assert "transfer-details" not in page


def test_the_park_list_searches_by_enterprise_and_shows_the_term_in_months(
    no_stripe, buyer, other_buyer, service, park_admin_a
):
    _order(buyer, service)
    _order(other_buyer, service)
    client = _client(park_admin_a)
    page = client.get("/park/services/subscriptions/", {"q": "星海"}).content.decode()
    table = page.split('class="data-table subscription-table"', 1)[1]
    assert buyer.enterprise.name in table and other_buyer.enterprise.name not in table
    assert (
        "3 个月"
        in client.get("/park/services/subscriptions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
