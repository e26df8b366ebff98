"""An order crosses from a sub-platform's enterprise to an institution, and back, once and only once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django_tenants.utils import schema_context

from public_schema.network.handoffs import handoff_deliver, handoff_send
from public_schema.network.models import Handoff
from public_schema.network.tasks import handoff_deliver_task
from saas.workflow import StaleAction, TransitionRefused
from tenant_schema.network_orders.models import NetworkOrder, NetworkOrderHistory
from tenant_schema.network_orders.selectors import order_is_pending
from tenant_schema.network_orders.services import OutOfOrder, order_place, order_step

from ..conftest import ALPHA, BETA

S = NetworkOrder.Status


def seller_copies(institution, reference) -> list[NetworkOrder]:
    with schema_context(institution.tenant.schema_name):
        return list(NetworkOrder.objects.filter(reference=reference))


def deliver_pending(reference: str) -> int:
    """Apply every envelope about `reference` still pending, as the worker would."""
    connection.set_schema_to_public()
    delivered = 0
    for pk in Handoff.objects.filter(reference=reference, state="pending").values_list("pk", flat=True):
        delivered += handoff_deliver(handoff_id=pk)
    return delivered


def place(buyer, product, **fields) -> NetworkOrder:
    with schema_context(ALPHA):
        return order_place(actor=buyer.user, product_id=product.pk, **fields)


def step(schema, order, action, actor, **fields):
    with schema_context(schema):
        order = NetworkOrder.objects.get(reference=order.reference)
        return order_step(order=order, action=action, actor=actor, **fields)


def test_placing_writes_the_buyers_row_and_one_pending_envelope(institution, buyer_a):
    order = place(buyer_a, institution.open_to_all, note="请尽快联系")

    assert order.side == "buyer" and order.status == S.PLACED
    assert order.amount_due == Decimal("3000.00") and order.voucher_discount == 0
    assert order.payment_status == "due" and order.acceptance_due_at > order.placed_at
    (envelope,) = Handoff.objects.filter(reference=order.reference)
    assert envelope.kind == "order.placed" and envelope.state == "pending"
    assert envelope.receiver_id == institution.tenant.pk
    # Only what the order needs crosses: no enterprise id, no account.
    assert "enterprise" not in envelope.payload and "created_by" not in envelope.payload
    assert envelope.payload["enterprise_credit_code"] == buyer_a.enterprise.credit_code
    assert seller_copies(institution, order.reference) == []
    with schema_context(ALPHA):
        assert order_is_pending(order=order)


def test_the_envelope_makes_the_sellers_copy_with_the_shared_fields_only(institution, buyer_a):
    order = place(buyer_a, institution.open_to_all, share_contact="me")

    assert deliver_pending(order.reference) == 1
    (copy,) = seller_copies(institution, order.reference)
    assert copy.side == "seller" and copy.status == S.PLACED and copy.enterprise_id is None
    assert copy.enterprise_name == buyer_a.enterprise.name
    assert copy.contact_email == buyer_a.user.email  # the contact the enterprise chose: its user
    assert copy.acceptance_due_at == order.acceptance_due_at
    with schema_context(ALPHA):
        assert not order_is_pending(order=order)


def test_replaying_the_same_handoff_five_times_makes_exactly_one_seller_order(institution, buyer_a):
    order = place(buyer_a, institution.open_to_all)
    envelope = Handoff.objects.get(reference=order.reference)

    results = [handoff_deliver(handoff_id=envelope.pk) for _ in range(5)]
    results += [handoff_deliver_task.apply(kwargs={"handoff_id": envelope.pk}).get() for _ in range(5)]
    # The same send again (a retried request): the first envelope, not a second.
    with schema_context(ALPHA):
        again = handoff_send(
            kind="order.placed",
            sender=envelope.sender,
            receiver=envelope.receiver,
            key=f"order:{order.reference}:placed",
            reference=order.reference,
            payload=envelope.payload,
        )
    connection.set_schema_to_public()
    assert again.pk == envelope.pk and Handoff.objects.filter(reference=order.reference).count() == 1
    assert results == [True] + [False] * 9
    # Even a receiver called again by hand with the delivered envelope makes no second row.
    from tenant_schema.network_orders.handoff_receivers import order_placed_received

    with schema_context(institution.tenant.schema_name):
        for _ in range(5):
            order_placed_received(Handoff.objects.get(pk=envelope.pk))
    assert len(seller_copies(institution, order.reference)) == 1
    with schema_context(institution.tenant.schema_name):
        assert NetworkOrderHistory.objects.filter(order__reference=order.reference).count() == 1


def test_a_repeated_submit_with_the_same_reference_is_the_same_order(institution, buyer_a):
    first = place(buyer_a, institution.open_to_all, reference="5f0e2f57-94f5-4a43-9a53-7cf6a8d7b3a1")
    second = place(buyer_a, institution.open_to_all, reference="5f0e2f57-94f5-4a43-9a53-7cf6a8d7b3a1")

    assert first.pk == second.pk
    assert Handoff.objects.filter(reference=first.reference).count() == 1


def test_the_whole_way_mirrored_on_both_sides(institution, buyer_a, institution_staff):
    seller_schema = institution.tenant.schema_name
    order = place(buyer_a, institution.rental)
    deliver_pending(order.reference)

    step(seller_schema, order, "accept", institution_staff)
    with schema_context(ALPHA):
        assert order_is_pending(order=NetworkOrder.objects.get(pk=order.pk))
    deliver_pending(order.reference)
    with pytest.raises(TransitionRefused):  # not paid yet: no delivery
        step(seller_schema, order, "deliver", institution_staff, delivery_note="已交付")
    step(seller_schema, order, "confirm_payment", institution_staff, transfer_reference="BANK-001")
    step(seller_schema, order, "deliver", institution_staff, delivery_note="账号已开通，培训已完成")
    deliver_pending(order.reference)
    step(ALPHA, order, "confirm", buyer_a.user, rating=4, rating_comment="很好")
    deliver_pending(order.reference)

    with schema_context(ALPHA):
        mine = NetworkOrder.objects.get(pk=order.pk)
    (theirs,) = seller_copies(institution, order.reference)
    for copy in (mine, theirs):
        assert copy.status == S.CONFIRMED and copy.payment_status == "paid"
        assert copy.rating == 4 and copy.delivery_note == "账号已开通，培训已完成"
        assert copy.ends_at is not None and copy.starts_at == mine.starts_at
    assert mine.delivery_due_at == theirs.delivery_due_at and mine.accepted_at == theirs.accepted_at
    assert (mine.ends_at - mine.starts_at).days in range(180, 185)  # a 6-month rental
    with schema_context(ALPHA):
        assert [h.action for h in mine.history.all()] == [
            "place",
            "accept",
            "confirm_payment",
            "deliver",
            "confirm",
        ]
        assert not order_is_pending(order=mine)


def test_each_side_takes_only_its_own_steps(institution, buyer_a, institution_staff):
    order = place(buyer_a, institution.open_to_all)
    deliver_pending(order.reference)

    with pytest.raises(TransitionRefused):
        step(ALPHA, order, "accept", buyer_a.user)  # the enterprise cannot accept its own order
    with pytest.raises(TransitionRefused):
        step(institution.tenant.schema_name, order, "cancel", institution_staff)
    step(institution.tenant.schema_name, order, "accept", institution_staff, expected_status="placed")
    with pytest.raises(StaleAction):  # a double-click
        step(institution.tenant.schema_name, order, "accept", institution_staff, expected_status="placed")
    deliver_pending(order.reference)
    with pytest.raises(TransitionRefused):  # accepted: too late to cancel
        step(ALPHA, order, "cancel", buyer_a.user)


def test_refusal_needs_a_reason_and_reaches_the_enterprise(institution, buyer_a, institution_staff):
    order = place(buyer_a, institution.open_to_all)
    deliver_pending(order.reference)
    with pytest.raises(ValidationError):
        step(institution.tenant.schema_name, order, "refuse", institution_staff)
    step(institution.tenant.schema_name, order, "refuse", institution_staff, comment="本月排期已满")
    deliver_pending(order.reference)
    with schema_context(ALPHA):
        mine = NetworkOrder.objects.get(pk=order.pk)
        assert mine.status == S.REFUSED and mine.closed_reason == "本月排期已满"


def test_a_cancel_crossing_an_acceptance_ends_accepted_on_both_sides(institution, buyer_a, institution_staff):
    order = place(buyer_a, institution.open_to_all)
    deliver_pending(order.reference)
    # Both at once: neither envelope has arrived when the other side acts.
    step(institution.tenant.schema_name, order, "accept", institution_staff)
    step(ALPHA, order, "cancel", buyer_a.user, comment="不需要了")
    deliver_pending(order.reference)

    (theirs,) = seller_copies(institution, order.reference)
    with schema_context(ALPHA):
        mine = NetworkOrder.objects.get(pk=order.pk)
        assert [h.action for h in mine.history.all()] == ["place", "cancel", "accept"]
    assert mine.status == theirs.status == S.ACCEPTED
    with schema_context(institution.tenant.schema_name):
        assert "cancel_late" in [h.action for h in theirs.history.all()]


def test_a_cancel_that_arrives_first_closes_both(institution, buyer_a, institution_staff):
    order = place(buyer_a, institution.free)
    deliver_pending(order.reference)
    step(ALPHA, order, "cancel", buyer_a.user)
    deliver_pending(order.reference)
    (theirs,) = seller_copies(institution, order.reference)
    assert theirs.status == S.CANCELLED and order.payment_status == "free"
    with pytest.raises(TransitionRefused):
        step(institution.tenant.schema_name, order, "accept", institution_staff)


def test_a_step_that_arrives_before_its_order_waits_pending(institution, buyer_a):
    order = place(buyer_a, institution.open_to_all)
    step(ALPHA, order, "cancel", buyer_a.user)
    cancel = Handoff.objects.get(idempotency_key=f"order:{order.reference}:cancel")
    with pytest.raises(OutOfOrder):
        handoff_deliver(handoff_id=cancel.pk)  # no seller copy yet: retried later
    cancel.refresh_from_db()
    assert cancel.state == "pending" and cancel.attempts == 1
    deliver_pending(order.reference)
    (theirs,) = seller_copies(institution, order.reference)
    assert theirs.status == S.CANCELLED


def test_only_products_offered_here_can_be_ordered(institution, buyer_a, buyer_b):
    with schema_context(BETA), pytest.raises(Http404):
        order_place(actor=buyer_b.user, product_id=institution.alpha_only.pk)
    assert place(buyer_a, institution.alpha_only).status == S.PLACED
    institution.profile.status = "suspended"
    institution.profile.save(update_fields=["status"])
    try:
        with pytest.raises(Http404):
            place(buyer_a, institution.open_to_all)
    finally:
        institution.profile.status = "admitted"
