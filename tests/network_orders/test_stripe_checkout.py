"""A network order's remainder paid by Stripe Checkout: the real SDK against the fake Stripe server,
webhooks signed as Stripe signs them; the paid webhook moves the order's payment on both copies."""

import re
from decimal import Decimal

from django.db import connection
from django_tenants.utils import schema_context

from public_schema.stripe_events.models import StripeEvent
from tenant_schema.network_orders import workflow as wf
from tenant_schema.network_orders.models import NetworkOrder, NetworkOrderHistory
from tenant_schema.network_orders.services import order_checkout_start, order_place

from ..billing import conftest as billing_fixtures
from ..billing.conftest import post_event
from ..conftest import ALPHA
from .conftest import site_of
from .test_crossing import deliver_pending, seller_copies, step
from .test_vouchers import grant, hub_scheme

P = NetworkOrder.PaymentStatus
# The billing tests' fake Stripe server and keys pointed at it, used here as they are there.
fake_stripe_server = billing_fixtures.fake_stripe_server
fake_stripe = billing_fixtures.fake_stripe


def _buyer_copy(order) -> NetworkOrder:
    with schema_context(ALPHA):
        return NetworkOrder.objects.get(pk=order.pk)


def test_a_voucher_and_the_remainder_paid_online_moves_both_copies_once(
    fake_stripe,
    institution,
    buyer_a,
    tenant_a,
    hub_operator,
    institution_staff,
    django_capture_on_commit_callbacks,
):
    voucher = grant(hub_scheme(hub_operator), tenant_a, buyer_a)
    with schema_context(ALPHA):
        order = order_place(
            actor=buyer_a.user,
            product_id=institution.open_to_all.pk,
            voucher_id=voucher.pk,
            payment_method="stripe",
        )
    assert order.payment_method == "stripe" and order.amount_due == Decimal("2000.00")
    deliver_pending(order.reference)
    (seller,) = seller_copies(institution, order.reference)
    # The institution does not confirm money Stripe takes, and cannot deliver before it is paid.
    assert "confirm_payment" not in [t.action for t in wf.actions_for(institution_staff, seller)]

    with schema_context(ALPHA):
        url = order_checkout_start(
            order=order, actor=buyer_a.user, success_url="https://x.test/ok", cancel_url="https://x.test/no"
        )
        assert url == order_checkout_start(  # a second click is the same session
            order=_buyer_copy(order), actor=buyer_a.user, success_url="https://x.test/ok", cancel_url="x"
        )
    session_id = _buyer_copy(order).checkout_session_id
    session = fake_stripe.session(session_id)
    assert session["amount_total"] == 200000 and session["currency"] == "cny"  # 2,000 yuan in fen
    assert session["metadata"] == {"parkhub_tenant": ALPHA, "parkhub_network_order": order.reference}

    # Before Stripe says paid, an event changes nothing.
    with django_capture_on_commit_callbacks(execute=False):
        assert post_event(fake_stripe.event("checkout.session.expired", session)).status_code == 200
    assert _buyer_copy(order).payment_status == P.DUE

    paid = fake_stripe.complete(session_id)
    for _ in range(3):  # Stripe redelivers; each copy of the event, and a second event, move it once
        with django_capture_on_commit_callbacks(execute=False):
            response = post_event(fake_stripe.event("checkout.session.completed", paid))
        assert response.status_code == 200, response.content
    with django_capture_on_commit_callbacks(execute=False):
        post_event(fake_stripe.event("checkout.session.async_payment_succeeded", paid))
    buyer = _buyer_copy(order)
    assert buyer.payment_status == P.PAID and buyer.paid_at is not None
    with schema_context(ALPHA):
        assert NetworkOrderHistory.objects.filter(order=buyer, action="pay_online").count() == 1
    connection.set_schema_to_public()
    assert StripeEvent.objects.filter(tenant_schema=ALPHA, status="processed").count() >= 2

    deliver_pending(order.reference)
    (seller,) = seller_copies(institution, order.reference)
    assert seller.payment_status == P.PAID
    step(institution.tenant.schema_name, order, "accept", institution_staff)
    step(institution.tenant.schema_name, order, "deliver", institution_staff, delivery_note="报告已交付")


def test_the_enterprise_pays_from_its_order_page(fake_stripe, institution, buyer_a, tenant_a):
    with schema_context(ALPHA):
        order = order_place(actor=buyer_a.user, product_id=institution.rental.pk, payment_method="stripe")
    page = site_of(tenant_a)
    page.force_login(buyer_a.user)
    shown = page.get(f"/network/orders/{order.pk}/").content.decode()
    assert re.search(r'action="/network/orders/\d+/pay/"', shown)
    response = page.post(f"/network/orders/{order.pk}/pay/")
    assert response.status_code == 302 and response.url.startswith(fake_stripe.url)
    assert fake_stripe.session(_buyer_copy(order).checkout_session_id)["amount_total"] == 120000


def test_an_order_paid_by_transfer_is_not_paid_online(fake_stripe, institution, buyer_a, tenant_a):
    with schema_context(ALPHA):
        order = order_place(actor=buyer_a.user, product_id=institution.rental.pk)
    page = site_of(tenant_a)
    page.force_login(buyer_a.user)
    assert "/pay/" not in page.get(f"/network/orders/{order.pk}/").content.decode()
    assert page.post(f"/network/orders/{order.pk}/pay/").status_code == 409
