"""Time limits in working days: the institution is reminded once a day of orders to accept or deliver."""

import datetime as dt

from django.db import connection
from django_tenants.utils import schema_context

from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff
from tenant_schema.network_orders.models import NetworkOrder
from tenant_schema.network_orders.reminders import order_reminders_send
from tenant_schema.network_orders.services import order_place, order_step
from tenant_schema.notifications.models import Notification

from ..conftest import ALPHA


def deliver_all():
    connection.set_schema_to_public()
    for pk in Handoff.objects.filter(state="pending").order_by("pk").values_list("pk", flat=True):
        handoff_deliver(handoff_id=pk)


def test_overdue_acceptance_then_delivery_are_reminded_once_a_day(institution, buyer_a, institution_staff):
    with schema_context(ALPHA):
        order = order_place(actor=buyer_a.user, product_id=institution.free.pk)
    deliver_all()
    seller = institution.tenant.schema_name
    with schema_context(seller):
        copy = NetworkOrder.objects.get(reference=order.reference)
        assert order_reminders_send(now=copy.placed_at) == {"acceptance": 0, "delivery": 0}  # 2 days ahead
        late = copy.acceptance_due_at + dt.timedelta(hours=1)
        assert copy.is_overdue(late)
        assert order_reminders_send(now=late) == {"acceptance": 1, "delivery": 0}
        assert order_reminders_send(now=late) == {"acceptance": 0, "delivery": 0}  # the same day: once
        (notice,) = Notification.objects.filter(user=institution_staff, dedupe_key__contains=order.reference)
        assert "创业政策公益讲座" in notice.title and notice.link == f"/orders/{copy.pk}/"
        order_step(order=copy, action="accept", actor=institution_staff)
        copy.refresh_from_db()
        # The delivery limit counts the product's 5 working days from acceptance.
        assert copy.delivery_due_at > copy.accepted_at + dt.timedelta(days=4)
        assert order_reminders_send(now=copy.delivery_due_at + dt.timedelta(minutes=5))["delivery"] == 1
