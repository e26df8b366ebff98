"""The institution dashboard's card of orders: new, due and overdue, each a link to the order."""

from django.utils import timezone

from public_schema.network.dashboard_sections import dashboard_section
from public_schema.tenants.models import Tenant

from .selectors import order_queue_for_institution

SHOWN = 8  # per column: the desk (orders/) has them all


@dashboard_section(order=10)
def orders_section(request) -> dict | None:
    if getattr(request.tenant, "kind", None) != Tenant.Kind.INSTITUTION:
        return None
    queue = order_queue_for_institution(user=request.user, now=timezone.now())
    return {
        "template": "network_orders/_dashboard_orders.html",
        "counts": {name: len(orders) for name, orders in queue.items()},
        "new": queue["new"][:SHOWN],
        "due": queue["due"][:SHOWN],
        "overdue": queue["overdue"][:SHOWN],
    }
