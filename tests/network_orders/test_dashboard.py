"""The institution's dashboard: its new, due and overdue orders and its voucher claims, each a link."""

import datetime as dt

from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_schema.network_orders.models import NetworkOrder
from tenant_schema.network_orders.services import order_place

from ..conftest import ALPHA
from .conftest import site_of
from .test_crossing import deliver_pending, step


def test_the_dashboard_lists_new_due_and_overdue_orders_with_links(institution, buyer_a, institution_staff):
    with schema_context(ALPHA):
        new = order_place(actor=buyer_a.user, product_id=institution.free.pk)
        due = order_place(actor=buyer_a.user, product_id=institution.open_to_all.pk)
        late = order_place(actor=buyer_a.user, product_id=institution.rental.pk)
    for order in (new, due, late):
        deliver_pending(order.reference)
    seller = institution.tenant.schema_name
    step(seller, due, "accept", institution_staff)
    with schema_context(seller):
        copies = {o.reference: o for o in NetworkOrder.objects.filter(side="seller")}
        NetworkOrder.objects.filter(pk=copies[late.reference].pk).update(
            acceptance_due_at=timezone.now() - dt.timedelta(hours=3)
        )
    page = site_of(institution.tenant)
    page.force_login(institution_staff)
    response = page.get("/")
    assert response.status_code == 200
    shown = response.content.decode()
    assert "orders-placeholder" not in shown
    new_part = shown.split('class="stacked order-links new-orders"')[1].split("</ul>")[0]
    due_part = shown.split('class="stacked order-links due-orders"')[1].split("</ul>")[0]
    late_part = shown.split('class="stacked order-links overdue-orders"')[1].split("</ul>")[0]
    assert f'href="/orders/{copies[new.reference].pk}/"' in new_part
    assert f'href="/orders/{copies[due.reference].pk}/"' in due_part
    assert f'href="/orders/{copies[late.reference].pk}/"' in late_part
    assert 'href="/voucher-claims/"' in shown and 'id="claims"' in shown
    assert 'name="viewport"' in shown  # the phone's width (base.html)
