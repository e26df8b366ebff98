"""Reads of network vouchers, each scoped to who asks: the same 404 for "not yours" and "not there".

- an issuer (the hub, or a sub-platform on its own site) reads its own schemes, their
  vouchers and the claims filed against them;
- a sub-platform reads the vouchers its own enterprises hold (whoever issued them);
- an enterprise reads its own vouchers, and the schemes open to its sub-platform;
- an institution reads the vouchers spent with it and the claims it filed.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from public_schema.tenants.models import Tenant

from .models import ClaimFile, NetworkVoucher, VoucherClaim, VoucherScheme

V = NetworkVoucher.Status
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=int(pk))
    except (ValueError, TypeError, queryset.model.DoesNotExist):
        raise Http404 from None


def schemes_with_ledger(queryset: QuerySet[VoucherScheme]) -> QuerySet[VoucherScheme]:
    """Schemes with what their vouchers hold of the budget (`budget_used`) and their counts, in one query."""
    return queryset.annotate(
        budget_used=Coalesce(Sum("vouchers__budget_held"), ZERO),
        vouchers_granted=Count("vouchers", filter=~Q(vouchers__status__in=[V.APPLIED, V.REFUSED])),
        applications_open=Count("vouchers", filter=Q(vouchers__status=V.APPLIED)),
    ).select_related("issuer")


def schemes_for_issuer(*, issuer: Tenant) -> QuerySet[VoucherScheme]:
    return schemes_with_ledger(VoucherScheme.objects.filter(issuer=issuer)).order_by("-created_at", "-pk")


def scheme_get_for_issuer(*, issuer: Tenant, pk) -> VoucherScheme:
    return _get_or_404(schemes_for_issuer(issuer=issuer), pk)


def schemes_open_to(*, holder: Tenant, today=None) -> QuerySet[VoucherScheme]:
    """Schemes whose vouchers this sub-platform's enterprises may hold, still valid: its area named, or implied."""
    today = today or timezone.localdate()
    implied = Q(area__isnull=True) & (
        Q(issuer__kind=Tenant.Kind.HUB) | Q(issuer=holder) | Q(issuer_id=holder.parent_id or 0)
    )
    ids = VoucherScheme.objects.filter(Q(area=holder) | implied).values("pk")
    return (
        VoucherScheme.objects.filter(pk__in=ids, valid_until__gte=today)
        .select_related("issuer")
        .order_by("valid_until", "pk")
    )


def scheme_get_open_to(*, holder: Tenant, pk) -> VoucherScheme:
    return _get_or_404(schemes_open_to(holder=holder), pk)


def _vouchers() -> QuerySet[NetworkVoucher]:
    return NetworkVoucher.objects.select_related("scheme", "scheme__issuer", "holder", "institution", "claim")


def vouchers_for_enterprise(*, holder: Tenant, enterprise_id: int) -> QuerySet[NetworkVoucher]:
    return _vouchers().filter(holder=holder, enterprise_id=enterprise_id)


def voucher_get_for_enterprise(*, holder: Tenant, enterprise_id: int, pk) -> NetworkVoucher:
    return _get_or_404(vouchers_for_enterprise(holder=holder, enterprise_id=enterprise_id), pk)


def vouchers_held_in(*, holder: Tenant) -> QuerySet[NetworkVoucher]:
    """The vouchers a sub-platform's own enterprises hold, whoever issued them."""
    return _vouchers().filter(holder=holder)


def vouchers_of_issuer(*, issuer: Tenant, status: str | None = None) -> QuerySet[NetworkVoucher]:
    vouchers = _vouchers().filter(scheme__issuer=issuer)
    return vouchers.filter(status=status) if status else vouchers


def voucher_get_for_issuer(*, issuer: Tenant, pk) -> NetworkVoucher:
    return _get_or_404(vouchers_of_issuer(issuer=issuer), pk)


def vouchers_spent_at(*, institution: Tenant, status: str | None = None) -> QuerySet[NetworkVoucher]:
    vouchers = _vouchers().filter(institution=institution)
    return vouchers.filter(status=status) if status else vouchers


def _claims() -> QuerySet[VoucherClaim]:
    return VoucherClaim.objects.select_related("scheme", "scheme__issuer", "institution")


def claims_of_institution(*, institution: Tenant) -> QuerySet[VoucherClaim]:
    return _claims().filter(institution=institution)


def claim_get_for_institution(*, institution: Tenant, pk) -> VoucherClaim:
    return _get_or_404(claims_of_institution(institution=institution), pk)


def claims_for_issuer(*, issuer: Tenant, status: str | None = None) -> QuerySet[VoucherClaim]:
    claims = _claims().filter(scheme__issuer=issuer)
    return claims.filter(status=status) if status else claims


def claim_get_for_issuer(*, issuer: Tenant, pk) -> VoucherClaim:
    return _get_or_404(claims_for_issuer(issuer=issuer), pk)


def claim_file_get(*, claim: VoucherClaim, pk) -> ClaimFile:
    """A file of a claim the caller has already fetched through its own scoped selector."""
    return _get_or_404(claim.files.all(), pk)
