"""An institution's evaluation (绩效评价), from its own seller-side rows: orders, on-time delivery, rating."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django_tenants.utils import schema_context

from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff
from tenant_schema.network_orders.models import NetworkOrder
from tenant_schema.network_orders.selectors import institution_evaluation, institution_evaluations
from tenant_schema.network_orders.services import order_place, order_step

from ..conftest import ALPHA


def deliver_all():
    connection.set_schema_to_public()
    for pk in Handoff.objects.filter(state="pending").order_by("pk").values_list("pk", flat=True):
        handoff_deliver(handoff_id=pk)


def test_orders_on_time_rate_and_average_rating(institution, other_institution, buyer_a, institution_staff):
    seller = institution.tenant.schema_name
    references = []
    for _ in range(3):
        with schema_context(ALPHA):
            references.append(order_place(actor=buyer_a.user, product_id=institution.free.pk).reference)
    deliver_all()
    with schema_context(seller):
        first, second, third = (NetworkOrder.objects.get(reference=r) for r in references)
        for order in (first, second):
            order_step(order=order, action="accept", actor=institution_staff)
            order_step(order=order, action="deliver", actor=institution_staff, delivery_note="完成")
        # The second was delivered late: as if its deadline had passed before delivery.
        second.refresh_from_db()
        NetworkOrder.objects.filter(pk=second.pk).update(
            delivery_due_at=second.delivered_at - dt.timedelta(hours=1)
        )
    deliver_all()
    with schema_context(ALPHA):
        for reference, stars in zip(references[:2], (5, 2), strict=True):
            mine = NetworkOrder.objects.get(reference=reference)
            order_step(order=mine, action="confirm", actor=buyer_a.user, rating=stars)
    deliver_all()

    evaluation = institution_evaluation(institution_id=institution.tenant.pk)
    assert evaluation.orders == 3
    assert (evaluation.delivery_due, evaluation.delivered_on_time) == (2, 1)
    assert evaluation.on_time_rate == Decimal("50.0")
    assert evaluation.rating_average == Decimal("3.50") and evaluation.rated == 2
    # Another institution's figures are its own; the enterprise's copies count for nobody.
    both = institution_evaluations(institution_ids=[institution.tenant.pk, other_institution.tenant.pk])
    assert (
        both[other_institution.tenant.pk].orders == 0
        and both[other_institution.tenant.pk].on_time_rate is None
    )


def test_the_figures_are_published_by_the_institutions_steps_and_read_in_one_public_query(
    institution, other_institution, buyer_a, django_assert_num_queries
):
    from public_schema.network.models import InstitutionEvaluation

    with schema_context(ALPHA):
        order_place(actor=buyer_a.user, product_id=institution.free.pk)
    assert not InstitutionEvaluation.objects.filter(institution=institution.tenant, orders__gt=0).exists()
    deliver_all()  # the institution's copy is made: its step publishes
    published = InstitutionEvaluation.objects.get(institution=institution.tenant)
    assert published.orders == 1 and published.vouchers_redeemed == 0
    ids = [institution.tenant.pk, other_institution.tenant.pk]
    with django_assert_num_queries(1):
        figures = institution_evaluations(institution_ids=ids)
    assert figures[institution.tenant.pk].orders == 1 and figures[other_institution.tenant.pk].orders == 0
