"""Reads of network orders: scoped per person (the same 404 for "not yours" and "no such order"),
the institution's queue (new, due, overdue), the pending envelopes, the catalogue's visible
products and each institution's evaluation (orders, on-time delivery rate, average rating).

Each side reads only its own schema's rows and the envelopes' shared fields. The
evaluation is read from the public rows the institutions publish on each of their steps
(public_schema.network.InstitutionEvaluation), never from another schema.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from public_schema.network.models import Handoff, InstitutionEvaluation, NetworkProduct
from public_schema.network.selectors import handoffs_pending_for, network_products_for_tenant
from public_schema.tenants.models import Tenant
from public_schema.voucher_schemes.models import NetworkVoucher
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_staff

from .models import NetworkOrder, NetworkOrderFile
from .workflow import is_institution_staff

S = NetworkOrder.Status
OPEN_STATUSES = (S.PLACED, S.ACCEPTED, S.DELIVERED)
SUB_PLATFORM_KINDS = (Tenant.Kind.DISTRICT, Tenant.Kind.PARK)


def current_tenant() -> Tenant:
    """The tenant row of the current schema: the request's own (connection.tenant), no query.

    Outside a request (a task or a test under schema_context) the connection holds only a
    stand-in naming the schema; the row is read once and kept on that stand-in, so it lasts
    as long as the context and never outlives a change of schema.
    """
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and tenant.pk:
        return tenant
    cached = getattr(tenant, "_parkhub_tenant_row", None)
    if cached is not None and cached.schema_name == connection.schema_name:
        return cached
    row = Tenant.objects.get(schema_name=connection.schema_name)
    if tenant is not None:
        try:
            tenant._parkhub_tenant_row = row
        except AttributeError:  # pragma: no cover - a stand-in that takes no attributes
            pass
    return row


# ---------------------------------------------------------------------------
# The catalogue: what an enterprise of this sub-platform may order
# ---------------------------------------------------------------------------


def network_product_list_visible(
    *,
    tenant: Tenant,
    category: str | None = None,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    free_only: bool = False,
) -> QuerySet[NetworkProduct]:
    """The network catalogue of `tenant`'s enterprises, filtered; empty outside a sub-platform.

    "Offered here" is the network's one definition (network_products_for_tenant).
    """
    return network_products_for_tenant(
        tenant=tenant, category=category, price_min=price_min, price_max=price_max, free_only=free_only
    ).order_by("category", "name", "pk")


def network_product_get_visible(*, tenant: Tenant, pk: int) -> NetworkProduct:
    """One product this sub-platform's enterprises may order; 404 otherwise (suspended, not offered here)."""
    product = network_product_list_visible(tenant=tenant).filter(pk=pk).first()
    if product is None:
        raise Http404("No such product")
    return product


# ---------------------------------------------------------------------------
# Evaluation (绩效评价) of institutions, from their seller-side rows
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    institution_id: int
    orders: int = 0
    delivery_due: int = 0  # delivered, or past the delivery deadline without delivery
    delivered_on_time: int = 0
    rated: int = 0
    rating_average: Decimal | None = None

    @property
    def on_time_rate(self) -> Decimal | None:
        """Share delivered by the deadline, of the orders delivered or overdue; None before any."""
        if not self.delivery_due:
            return None
        return (Decimal(100) * self.delivered_on_time / self.delivery_due).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


EVALUATION_COLUMNS = """
    COUNT(*) AS orders,
    COUNT(*) FILTER (WHERE delivered_at IS NOT NULL
                     OR (status = %(accepted)s AND delivery_due_at < %(now)s)) AS delivery_due,
    COUNT(*) FILTER (WHERE delivered_at <= delivery_due_at) AS delivered_on_time,
    COUNT(rating) AS rated,
    ROUND(AVG(rating)::numeric, 2) AS rating_average
"""


def institution_evaluation_figures(*, now: dt.datetime | None = None) -> dict:
    """This institution's figures, over its own seller-side rows (run in its schema): what it publishes."""
    table = NetworkOrder._meta.db_table
    params = {"accepted": S.ACCEPTED, "now": now or timezone.now(), "seller": NetworkOrder.Side.SELLER}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {EVALUATION_COLUMNS} FROM {connection.ops.quote_name(table)} WHERE side = %(seller)s",
            params,
        )
        orders, due, on_time, rated, average = cursor.fetchone()
    return {
        "orders": orders,
        "delivery_due": due,
        "delivered_on_time": on_time,
        "rated": rated,
        "rating_average": average,
    }


def institution_evaluations(*, institution_ids: list[int]) -> dict[int, Evaluation]:
    """Each institution's published figures, by tenant id (one public query; none yet: zeros).

    The rows are written by the institutions' own steps (services.evaluation_publish), so
    the catalogue never reads an institution's schema.
    """
    evaluations = {pk: Evaluation(institution_id=pk) for pk in institution_ids}
    rows = InstitutionEvaluation.objects.filter(institution_id__in=institution_ids).values(
        "institution_id", "orders", "delivery_due", "delivered_on_time", "rated", "rating_average"
    )
    for row in rows:
        evaluations[row["institution_id"]] = Evaluation(**row)
    return evaluations


def institution_evaluation(*, institution_id: int) -> Evaluation:
    return institution_evaluations(institution_ids=[institution_id])[institution_id]


# ---------------------------------------------------------------------------
# Orders, scoped to the person asking
# ---------------------------------------------------------------------------


def order_viewer_kind(*, user) -> str | None:
    """How `user` sees this schema's orders: "seller" (institution staff), "park" (read-only), "buyer", or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    tenant = current_tenant()
    if tenant.kind == Tenant.Kind.INSTITUTION:
        return "seller" if is_institution_staff(user) else None
    if user_is_park_staff(user):
        return "park"
    if enterprise_of_user(user=user) is not None:
        return "buyer"
    return None


def order_list_for_user(*, user, status: str | None = None) -> QuerySet[NetworkOrder]:
    """The orders `user` may see: an enterprise its own, park staff their enterprises', an institution's staff theirs."""
    kind = order_viewer_kind(user=user)
    orders = NetworkOrder.objects.none()
    if kind == "seller":
        orders = NetworkOrder.objects.filter(side=NetworkOrder.Side.SELLER)
    elif kind == "park":
        orders = NetworkOrder.objects.filter(side=NetworkOrder.Side.BUYER)
    elif kind == "buyer":
        enterprise = enterprise_of_user(user=user)
        orders = NetworkOrder.objects.filter(side=NetworkOrder.Side.BUYER, enterprise=enterprise)
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-placed_at", "-pk")


def order_get_for_user(*, user, pk: int) -> NetworkOrder:
    """One order `user` may see; the same 404 for another's order and for no such order."""
    order = order_list_for_user(user=user).filter(pk=pk).first()
    if order is None:
        raise Http404("No such order")
    return order


def order_queue_for_institution(*, user, now: dt.datetime | None = None) -> dict[str, list[NetworkOrder]]:
    """The institution's desk: new (awaiting acceptance), due (open, deadline ahead), overdue."""
    now = now or timezone.now()
    orders = list(order_list_for_user(user=user).filter(status__in=(S.PLACED, S.ACCEPTED)))
    overdue = [order for order in orders if order.is_overdue(now)]
    return {
        "new": [order for order in orders if order.status == S.PLACED and not order.is_overdue(now)],
        "due": [order for order in orders if order.status == S.ACCEPTED and not order.is_overdue(now)],
        "overdue": overdue,
    }


def order_is_pending(*, order: NetworkOrder) -> bool:
    """True while an envelope about this order has not reached the other side."""
    return handoffs_pending_for(reference=order.reference).exists()


def orders_pending(*, references: list[str]) -> set[str]:
    """Of `references`, those with an envelope not yet applied on the other side (for lists)."""
    return set(
        Handoff.objects.filter(reference__in=references, state=Handoff.State.PENDING).values_list(
            "reference", flat=True
        )
    )


def order_history(*, order: NetworkOrder):
    return order.history.order_by("created_at", "pk")


def order_file_get_for_user(*, user, order_pk: int, pk: int) -> NetworkOrderFile:
    """A delivery file of an order `user` may see (its institution's staff); 404 otherwise."""
    order = order_get_for_user(user=user, pk=order_pk)
    found = order.files.filter(pk=pk).first()
    if found is None:
        raise Http404("No such file")
    return found


def vouchers_usable_for(*, enterprise: Enterprise, product) -> list[NetworkVoucher]:
    """The enterprise's granted, valid vouchers whose scheme covers the product's category (the form's list).

    A read for the order form; voucher_spend still decides under the lock.
    """
    today = timezone.localdate()
    vouchers = NetworkVoucher.objects.filter(
        holder=current_tenant(),
        enterprise_id=enterprise.pk,
        status=NetworkVoucher.Status.GRANTED,
        valid_until__gte=today,
        scheme__valid_from__lte=today,
    ).select_related("scheme")
    return [
        voucher
        for voucher in vouchers.order_by("valid_until", "pk")
        if not voucher.scheme.categories or product.category in voucher.scheme.categories
    ]
