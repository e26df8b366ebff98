"""Voucher figures for the hub, computed in the database: issued, spent, claimed, settled.

One definition per figure (the statuses come from the model's choices), grouped by issuer
or by institution; the page and its CSV export both read these.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from .models import NetworkVoucher

V = NetworkVoucher.Status
ISSUED = [V.GRANTED, V.SPENT, V.CLAIMED, V.SETTLED, V.CLAIM_REFUSED, V.EXPIRED]
SPENT = [V.SPENT, V.CLAIMED, V.SETTLED, V.CLAIM_REFUSED]
CLAIMED = [V.CLAIMED, V.SETTLED, V.CLAIM_REFUSED]
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))

COLUMNS = [
    "issued",
    "issued_amount",
    "spent",
    "spent_amount",
    "claimed",
    "claimed_amount",
    "settled",
    "settled_amount",
    "expired",
]


def _figures():
    return {
        "issued": Count("pk", filter=Q(status__in=ISSUED)),
        "issued_amount": Coalesce(Sum("amount", filter=Q(status__in=ISSUED)), ZERO),
        "spent": Count("pk", filter=Q(status__in=SPENT)),
        "spent_amount": Coalesce(Sum("discount", filter=Q(status__in=SPENT)), ZERO),
        "claimed": Count("pk", filter=Q(status__in=CLAIMED)),
        "claimed_amount": Coalesce(Sum("discount", filter=Q(status__in=CLAIMED)), ZERO),
        "settled": Count("pk", filter=Q(status=V.SETTLED)),
        "settled_amount": Coalesce(Sum("settled_amount", filter=Q(status=V.SETTLED)), ZERO),
        "expired": Count("pk", filter=Q(status=V.EXPIRED)),
    }


def voucher_figures_by_issuer() -> list[dict]:
    """Per issuer (the hub, each sub-platform): one row of every figure."""
    return list(
        NetworkVoucher.objects.values("scheme__issuer_id", "scheme__issuer__name")
        .annotate(**_figures())
        .order_by("scheme__issuer__name")
    )


def voucher_figures_by_institution() -> list[dict]:
    """Per institution the vouchers were spent at."""
    return list(
        NetworkVoucher.objects.filter(institution__isnull=False)
        .values("institution_id", "institution__name")
        .annotate(**_figures())
        .order_by("institution__name")
    )


def voucher_figures_total() -> dict:
    return NetworkVoucher.objects.aggregate(**_figures())
