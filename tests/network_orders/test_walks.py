"""Offered ⇔ accepted for network orders: on both copies, every status × payment status × person × step,
what `workflow.actions_for` offers is exactly what `order_step` applies (as in tests/workflow)."""

from django.db import connection
from django_tenants.utils import schema_context

from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff
from tenant_schema.network_orders import workflow as wf
from tenant_schema.network_orders.models import NetworkOrder
from tenant_schema.network_orders.services import order_place, order_step

from ..conftest import ALPHA, make_user
from ..factories import EnterpriseFactory
from ..workflow.test_offered_equals_accepted import _walk

INPUTS = {
    wf.REFUSE: {"comment": "排期已满"},
    wf.CANCEL: {"comment": "不需要了"},
    wf.DELIVER: {"delivery_note": "已完成"},
    wf.CONFIRM: {"rating": 4},
}


class _Both:
    """Both workflows of an order as one table, so `_walk` asks every step of either."""

    name = "network_order"

    def __init__(self):
        self.transitions = {**wf.ORDER_WORKFLOW.transitions, **wf.PAYMENT_WORKFLOW.transitions}

    def actions_for(self, user, obj):
        return wf.actions_for(user, obj)


def test_network_orders_offer_exactly_what_the_service_accepts(institution, buyer_a, tenant_a, park_admin_a):
    with schema_context(ALPHA):
        order = order_place(actor=buyer_a.user, product_id=institution.open_to_all.pk)
        neighbour = EnterpriseFactory(verified=True)
    connection.set_schema_to_public()
    handoff_deliver(handoff_id=Handoff.objects.get(reference=order.reference).pk)
    seller = institution.tenant.schema_name
    staff = make_user(seller, role="institution_staff")
    outsider = make_user(seller)
    sides = {
        ALPHA: {
            "owner": buyer_a.user,
            "neighbour": neighbour.user,
            "park admin": park_admin_a,
            "peer": wf.PeerSide("seller"),
            "nobody": None,
        },
        seller: {"staff": staff, "outsider": outsider, "peer": wf.PeerSide("buyer"), "nobody": None},
    }
    disagreements = []
    both = _Both()
    for schema, people in sides.items():
        with schema_context(schema):
            for status in NetworkOrder.Status.values:
                for payment in ("due", "paid"):
                    NetworkOrder.objects.filter(reference=order.reference).update(
                        status=status, payment_status=payment
                    )
                    copy = NetworkOrder.objects.get(reference=order.reference)

                    def apply(action, user, copy=copy):
                        order_step(order=copy, action=action, actor=user, **INPUTS.get(action, {}))

                    disagreements += _walk(both, f"{schema} {status}/{payment}", copy, people, apply)
    assert disagreements == []
