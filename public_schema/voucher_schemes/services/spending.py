"""Spending a voucher on an order (for the orders side), freeing it when the order is cancelled, expiry."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from public_schema.network.models import InstitutionProfile, ServiceCategory
from public_schema.tenants.models import Tenant
from saas.workflow import TransitionRefused

from .. import workflow as wf
from ..models import NetworkVoucher, VoucherScheme
from .common import CENT, V, _money, _scheme_lock, _voucher_move


def _discount(voucher: NetworkVoucher, scheme: VoucherScheme, price: Decimal) -> Decimal:
    if scheme.kind == VoucherScheme.Kind.PERCENTAGE:
        off = (price * scheme.percentage / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        off = voucher.amount
    return min(off, voucher.amount, price)


def institution_may_take(*, institution: Tenant, holder: Tenant) -> bool:
    """An institution takes a voucher when admitted to the pool and serving the holder's sub-platform."""
    profile = InstitutionProfile.objects.filter(tenant=institution).first()
    if profile is None or not profile.may_sell:
        return False
    served = set(profile.serves.values_list("pk", flat=True))
    return not served or holder.pk in served or (holder.parent_id is not None and holder.parent_id in served)


def voucher_spend(
    *,
    voucher_id: int,
    holder_tenant: Tenant,
    enterprise_id: int,
    order_reference: str,
    institution: Tenant,
    category: str,
    price,
) -> Decimal:
    """Spend a voucher on an order and return the discount it gives; the orders side records it.

    Call it in the order's own transaction. Idempotent on `order_reference`: the same order
    spending the same voucher again gets the same discount. Refused (ValidationError on
    "voucher", in words for the enterprise) when the voucher is not the enterprise's, is
    not granted (applied, spent, expired...), is past its validity, is not for the
    product's category, or the institution is not admitted or does not serve the holder's
    sub-platform. The voucher keeps its whole amount reserved until the claim is settled.
    """
    order_reference = (order_reference or "").strip()
    if not order_reference:
        raise ValidationError({"order_reference": _("An order reference is needed.")})
    price = _money(price, "price")
    with transaction.atomic():
        scheme_id = (
            NetworkVoucher.objects.filter(pk=voucher_id, holder=holder_tenant, enterprise_id=enterprise_id)
            .values_list("scheme_id", flat=True)
            .first()
        )
        if scheme_id is None:
            raise ValidationError({"voucher": _("No such voucher for your enterprise.")})
        scheme = _scheme_lock(scheme_id)
        voucher = NetworkVoucher.objects.select_for_update().get(pk=voucher_id)
        if voucher.order_reference == order_reference:
            return voucher.discount  # this order spent it already: a retry
        if NetworkVoucher.objects.filter(order_reference=order_reference).exists():
            raise ValidationError({"voucher": _("Another voucher has already been spent on this order.")})
        refusal = _spend_refusal(
            voucher, scheme, institution=institution, holder=holder_tenant, category=category
        )
        if refusal:
            raise ValidationError({"voucher": refusal})
        discount = _discount(voucher, scheme, price)

        def change(locked):
            locked.order_reference = order_reference
            locked.institution = institution
            locked.category = category
            locked.order_price = price
            locked.discount = discount
            locked.spent_at = timezone.now()
            return ["order_reference", "institution", "category", "order_price", "discount", "spent_at"]

        _voucher_move(
            voucher_id=voucher.pk,
            action=wf.SPEND,
            comment=_("Order %(reference)s at %(institution)s")
            % {"reference": order_reference, "institution": institution},
            amount=discount,
            change=change,
        )
    return discount


def _spend_refusal(voucher, scheme, *, institution, holder, category) -> str | None:
    today = timezone.localdate()
    if voucher.status == V.SPENT or voucher.status in (V.CLAIMED, V.SETTLED, V.CLAIM_REFUSED):
        return _("This voucher has already been spent on another order.")
    if voucher.status == V.EXPIRED or (voucher.status == V.GRANTED and today > voucher.valid_until):
        return _("This voucher expired on %(date)s.") % {"date": voucher.valid_until}
    if voucher.status == V.APPLIED:
        return _("This voucher has not been granted yet: the issuer is reviewing the application.")
    if voucher.status != V.GRANTED:
        return _("This voucher was not granted.")
    if today < scheme.valid_from:
        return _("This voucher may be spent from %(date)s.") % {"date": scheme.valid_from}
    if scheme.categories and category not in scheme.categories:
        names = "、".join(str(ServiceCategory(c).label) for c in scheme.categories)
        return _("This voucher is for these service categories only: %(names)s.") % {"names": names}
    if institution.kind != Tenant.Kind.INSTITUTION or not institution_may_take(
        institution=institution, holder=holder
    ):
        return _(
            "This institution does not take this voucher: it is not admitted to the network's pool or does not serve your sub-platform."
        )
    return None


def voucher_release(*, order_reference: str) -> NetworkVoucher | None:
    """The order a voucher paid for was cancelled: the voucher is the enterprise's to spend again.

    Idempotent: an order with no spent voucher (none used, or released already) is a no-op
    (None). A voucher already claimed by the institution is not released.
    """
    order_reference = (order_reference or "").strip()
    if not order_reference:
        return None
    with transaction.atomic():
        found = (
            NetworkVoucher.objects.filter(order_reference=order_reference)
            .values_list("pk", "scheme_id")
            .first()
        )
        if found is None:
            return None
        voucher_id, scheme_id = found
        _scheme_lock(scheme_id)
        voucher = NetworkVoucher.objects.select_for_update().get(pk=voucher_id)
        if voucher.order_reference != order_reference:
            return None
        if voucher.status != V.SPENT:
            raise ValidationError(
                {
                    "voucher": _(
                        "The voucher of this order has been claimed by the institution and cannot be freed."
                    )
                }
            )

        def change(locked):
            locked.order_reference = ""
            locked.institution = None
            locked.category = ""
            locked.order_price = None
            locked.discount = None
            locked.spent_at = None
            locked.delivered_at = None
            return [
                "order_reference",
                "institution",
                "category",
                "order_price",
                "discount",
                "spent_at",
                "delivered_at",
            ]

        return _voucher_move(
            voucher_id=voucher_id,
            action=wf.RELEASE,
            comment=_("Order %(reference)s cancelled") % {"reference": order_reference},
            change=change,
        )


def vouchers_expire_due(*, today=None) -> int:
    """Expire granted vouchers past their last day; their amount returns to the budget. Safe to run twice."""
    today = today or timezone.localdate()
    due = list(
        NetworkVoucher.objects.filter(status=V.GRANTED, valid_until__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for voucher_id in due:

        def change(locked):
            locked.budget_held = Decimal("0")
            return ["budget_held"]

        try:
            _voucher_move(voucher_id=voucher_id, action=wf.EXPIRE, change=change)
        except TransitionRefused:
            continue  # spent a moment ago, or expired by a run beside this one
        expired += 1
    return expired


def voucher_delivered(*, order_reference: str, delivered_at=None) -> NetworkVoucher | None:
    """The order a voucher paid for was delivered (the enterprise confirmed it): the institution may now claim it.

    Called by the orders side when delivery is confirmed. Idempotent: the first date stays;
    an order that used no voucher is a no-op (None).
    """
    order_reference = (order_reference or "").strip()
    if not order_reference:
        return None
    with transaction.atomic():
        voucher = NetworkVoucher.objects.select_for_update().filter(order_reference=order_reference).first()
        if voucher is None or voucher.delivered_at is not None:
            return voucher
        voucher.delivered_at = delivered_at or timezone.now()
        voucher.save(update_fields=["delivered_at", "updated_at"])
    return voucher
