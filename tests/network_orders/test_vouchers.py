"""A network order paid with a voucher, or a voucher and the remainder (issue 17 items 3 and 4).

The voucher is spent in the order's own transaction, freed when the institution's copy is
cancelled or refused, and becomes claimable when the enterprise confirms delivery. One
voucher spent by orders placed at the same moment pays for one of them: real threads.
"""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone
from django_tenants.utils import schema_context

from public_schema.network.models import Handoff
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision
from public_schema.voucher_schemes.models import NetworkVoucher, VoucherHistory, VoucherScheme
from public_schema.voucher_schemes.services import scheme_create, voucher_grant_to
from tenant_schema.network_orders.models import NetworkOrder
from tenant_schema.network_orders.selectors import vouchers_usable_for
from tenant_schema.network_orders.services import order_place

from ..conftest import ALPHA, make_user
from ..factories import EnterpriseFactory
from .test_crossing import deliver_pending, seller_copies, step

S = NetworkOrder.Status
V = NetworkVoucher.Status


def hub_scheme(operator, **overrides):
    today = timezone.localdate()
    fields = {
        "title": "2026 年服务券",
        "budget": Decimal("10000"),
        "kind": "face_value",
        "face_value": Decimal("1000"),
        "valid_from": today - timedelta(days=10),
        "valid_until": today + timedelta(days=60),
        "categories": ["consulting", "informatisation"],
    }
    fields.update(overrides)
    return scheme_create(issuer=Tenant.objects.get(schema_name="public"), actor=operator, **fields)


def grant(scheme, holder, buyer) -> NetworkVoucher:
    return voucher_grant_to(
        scheme=scheme,
        holder=holder,
        enterprise_id=buyer.enterprise.pk,
        enterprise_name=buyer.enterprise.name,
        enterprise_credit_code=buyer.enterprise.credit_code,
        auto=True,
    )


def order_with(buyer, product, voucher, **fields) -> NetworkOrder:
    with schema_context(ALPHA):
        return order_place(actor=buyer.user, product_id=product.pk, voucher_id=voucher.pk, **fields)


@pytest.fixture
def voucher(institution, buyer_a, tenant_a, hub_operator):
    return grant(hub_scheme(hub_operator), tenant_a, buyer_a)


def test_a_voucher_pays_part_and_the_remainder_is_due(institution, buyer_a, voucher):
    with schema_context(ALPHA):
        assert vouchers_usable_for(enterprise=buyer_a.enterprise, product=institution.open_to_all) == [
            voucher
        ]
    order = order_with(buyer_a, institution.open_to_all, voucher)

    assert order.voucher_discount == Decimal("1000.00") and order.amount_due == Decimal("2000.00")
    assert order.payment_method == "offline" and order.payment_status == "due"
    assert order.voucher_code == voucher.code
    voucher.refresh_from_db()
    assert voucher.status == V.SPENT and voucher.order_reference == order.reference
    assert voucher.institution_id == institution.tenant.pk and voucher.discount == Decimal("1000.00")
    deliver_pending(order.reference)
    (copy,) = seller_copies(institution, order.reference)
    assert copy.voucher_code == voucher.code and copy.amount_due == Decimal("2000.00")


def test_a_voucher_worth_the_whole_price_leaves_nothing_to_pay(institution, buyer_a, tenant_a, hub_operator):
    voucher = grant(hub_scheme(hub_operator, face_value=Decimal("5000")), tenant_a, buyer_a)
    order = order_with(buyer_a, institution.rental, voucher, payment_method="stripe")

    assert order.voucher_discount == Decimal("1200.00") and order.amount_due == 0
    assert order.payment_method == "voucher" and order.payment_status == "free"


def test_a_voucher_that_does_not_fit_refuses_the_order_and_writes_nothing(
    institution, buyer_a, buyer_b, tenant_b, hub_operator, voucher
):
    not_hers = grant(hub_scheme(hub_operator, title="另一张券"), tenant_b, buyer_b)
    training_only = grant(hub_scheme(hub_operator, categories=["training"], title="培训券"), *_alpha(buyer_a))
    for wrong in (not_hers, training_only):
        with pytest.raises(ValidationError) as refused:
            order_with(buyer_a, institution.open_to_all, wrong)
        assert "voucher" in refused.value.message_dict
    with pytest.raises(ValidationError):
        order_with(buyer_a, institution.open_to_all, voucher, payment_method="cash")
    with schema_context(ALPHA):
        assert not NetworkOrder.objects.filter(enterprise=buyer_a.enterprise).exists()
    assert not NetworkVoucher.objects.filter(pk__in=[not_hers.pk, training_only.pk], status=V.SPENT).exists()


def _alpha(buyer):
    return Tenant.objects.get(schema_name=ALPHA), buyer


def test_a_second_order_cannot_spend_a_spent_voucher(institution, buyer_a, voucher):
    order_with(buyer_a, institution.open_to_all, voucher)
    with pytest.raises(ValidationError) as refused:
        order_with(buyer_a, institution.rental, voucher)
    assert "voucher" in refused.value.message_dict


def test_cancelling_frees_the_voucher_once_the_institution_has_the_cancellation(
    institution, buyer_a, voucher
):
    order = order_with(buyer_a, institution.open_to_all, voucher)
    deliver_pending(order.reference)
    step(ALPHA, order, "cancel", buyer_a.user, comment="不需要了")
    voucher.refresh_from_db()
    assert voucher.status == V.SPENT  # the institution may have accepted meanwhile: its copy decides
    deliver_pending(order.reference)
    voucher.refresh_from_db()
    assert voucher.status == V.GRANTED and voucher.order_reference == ""
    # Spent again on another order.
    again = order_with(buyer_a, institution.rental, voucher)
    assert again.voucher_discount == Decimal("1000.00")


def test_a_cancel_crossing_an_acceptance_keeps_the_voucher_spent(
    institution, buyer_a, institution_staff, voucher
):
    order = order_with(buyer_a, institution.open_to_all, voucher)
    deliver_pending(order.reference)
    step(institution.tenant.schema_name, order, "accept", institution_staff)
    step(ALPHA, order, "cancel", buyer_a.user)
    deliver_pending(order.reference)
    voucher.refresh_from_db()
    assert voucher.status == V.SPENT and voucher.order_reference == order.reference


def test_refusal_frees_the_voucher(institution, buyer_a, institution_staff, voucher):
    order = order_with(buyer_a, institution.open_to_all, voucher)
    deliver_pending(order.reference)
    step(institution.tenant.schema_name, order, "refuse", institution_staff, comment="档期已满")
    voucher.refresh_from_db()
    assert voucher.status == V.GRANTED


def test_confirmed_delivery_lets_the_institution_claim_the_voucher(
    institution, buyer_a, institution_staff, voucher
):
    order = order_with(buyer_a, institution.rental, voucher)
    seller = institution.tenant.schema_name
    deliver_pending(order.reference)
    step(seller, order, "accept", institution_staff)
    step(seller, order, "confirm_payment", institution_staff, transfer_reference="HX-1")
    step(seller, order, "deliver", institution_staff, delivery_note="账号已开通")
    deliver_pending(order.reference)
    voucher.refresh_from_db()
    assert voucher.delivered_at is None  # not claimable before the enterprise confirms
    step(ALPHA, order, "confirm", buyer_a.user, rating=5)
    voucher.refresh_from_db()
    with schema_context(ALPHA):
        delivered_at = NetworkOrder.objects.get(pk=order.pk).delivered_at
    assert voucher.delivered_at == delivered_at


# ---------------------------------------------------------------------------
# One voucher, orders placed at the same moment: real threads, committed rows
# ---------------------------------------------------------------------------

THREADS = 8


@pytest.fixture
def race_park(committed_db, dropped_after, institution):
    slug = f"vordpark{uuid.uuid4().hex[:6]}"
    dropped_after.append(slug)
    tenant_provision(name="券单并发园区", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"a@{slug}.test")
    connection.set_schema_to_public()
    park = Tenant.objects.get(schema_name=slug)
    with schema_context(slug):
        buyer = EnterpriseFactory(verified=True)
    operator = make_user("public", role="hub_operator")
    scheme = hub_scheme(operator, title="并发下单服务券")
    yield park, buyer, grant(scheme, park, buyer)
    connection.set_schema_to_public()
    with pgtrigger.ignore("voucher_schemes.VoucherHistory:network_voucher_history_no_delete"):
        VoucherHistory.objects.filter(voucher__scheme=scheme).delete()
    NetworkVoucher.objects.filter(scheme=scheme).delete()
    VoucherScheme.objects.filter(pk=scheme.pk).delete()
    Handoff.objects.filter(sender=park).delete()
    operator.groups.clear()
    type(operator).objects.filter(pk=operator.pk)._raw_delete("default")


def test_one_voucher_spent_by_orders_placed_at_once_pays_for_exactly_one(race_park, institution):
    park, buyer, voucher = race_park
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    products = [institution.open_to_all, institution.rental]

    def run(index):
        try:
            connection.set_tenant(park)
            barrier.wait(timeout=30)
            results[index] = order_place(
                actor=buyer.user,
                product_id=products[index % 2].pk,
                voucher_id=voucher.pk,
                payment_method="stripe",
            )
        except Exception as error:  # noqa: BLE001 - the test counts refusals
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    placed = [r for r in results if isinstance(r, NetworkOrder)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(placed) == 1 and len(refused) == THREADS - 1, results
    connection.set_schema_to_public()
    voucher.refresh_from_db()
    assert voucher.status == V.SPENT and voucher.order_reference == placed[0].reference
    assert VoucherHistory.objects.filter(voucher=voucher, action="spend").count() == 1
    with schema_context(park.schema_name):
        # The refused orders left nothing behind: one order, one envelope.
        assert NetworkOrder.objects.count() == 1
        assert NetworkOrder.objects.get().voucher_discount == Decimal("1000.00")
    assert Handoff.objects.filter(sender=park).count() == 1
