"""Service vouchers (服务券): issued to one named enterprise, used once, freed when their order is cancelled.

Every status change goes through the voucher workflow (tenant_schema/billing/workflow.py) and writes a
row of the voucher's append-only history.
"""

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_schema.enterprises.models import Enterprise

from .. import workflow as wf
from ..models import Service, Voucher
from . import access
from .moves import billing_move, history_record

User = get_user_model()

CENT = Decimal("0.01")
VOUCHER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def _voucher_code() -> str:
    body = "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(8))
    return f"FWQ-{body[:4]}-{body[4:]}"


def voucher_issue(
    *,
    actor: User,
    enterprise: Enterprise,
    kind: str,
    value: Decimal,
    expires_on,
    service: Service | None = None,
    note: str = "",
) -> Voucher:
    """The park gives one named enterprise a voucher: a fixed amount or a percentage off, until a date."""
    access.require_park_admin(actor)
    value = Decimal(value).quantize(CENT)
    if kind not in Voucher.Kind.values:
        raise ValidationError({"kind": _("Choose a fixed amount or a percentage.")})
    if value <= 0 or (kind == Voucher.Kind.PERCENT and value > 100):
        raise ValidationError({"value": _("A voucher is worth more than 0, and a percentage at most 100.")})
    if expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date has already passed.")})
    for _attempt in range(5):
        code = _voucher_code()
        if not Voucher.objects.filter(code=code).exists():
            break
    with transaction.atomic():
        voucher = Voucher.objects.create(
            code=code,
            enterprise=enterprise,
            kind=kind,
            value=value,
            expires_on=expires_on,
            service=service,
            note=(note or "").strip(),
            issued_by=actor,
        )
        history_record(obj=voucher, action=wf.ISSUE, actor=actor)
    return voucher


def voucher_discount(*, voucher: Voucher | None, price: Decimal) -> Decimal:
    """What a voucher takes off a price: never more than the price itself."""
    if voucher is None:
        return Decimal("0.00")
    if voucher.kind == Voucher.Kind.PERCENT:
        discount = (price * voucher.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        discount = voucher.value
    return min(discount, price).quantize(CENT)


def voucher_lock_for_use(*, code: str, enterprise: Enterprise, service: Service) -> Voucher:
    """Lock a voucher for this checkout. Another enterprise's voucher reads as "no such voucher"."""
    code = (code or "").strip().upper()
    voucher = Voucher.objects.select_for_update().filter(code=code, enterprise=enterprise).first()
    if voucher is None:
        raise ValidationError({"voucher_code": _("No such voucher for your enterprise. Check the code.")})
    if voucher.status == Voucher.Status.USED:
        raise ValidationError({"voucher_code": _("This voucher has already been used.")})
    if voucher.status == Voucher.Status.VOID:
        raise ValidationError({"voucher_code": _("This voucher was withdrawn by the park.")})
    if voucher.expires_on < timezone.localdate():
        raise ValidationError(
            {"voucher_code": _("This voucher expired on %(date)s.") % {"date": voucher.expires_on}}
        )
    if voucher.service_id and voucher.service_id != service.pk:
        raise ValidationError(
            {"voucher_code": _("This voucher is for “%(service)s” only.") % {"service": voucher.service}}
        )
    return voucher


def voucher_use(*, voucher: Voucher, actor: User, subscription_id: int) -> Voucher:
    """The voucher (locked by the checkout) pays for the order `subscription_id`."""
    return billing_move(
        obj=voucher,
        action=wf.USE,
        enterprise_id=voucher.enterprise_id,
        actor=actor,
        comment=_("Order %(number)s") % {"number": subscription_id},
        used_at=timezone.now(),
    )


def voucher_release(*, voucher_id: int, actor: User) -> None:
    """The order the voucher paid for was cancelled: the enterprise may use it again."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher_id)
    billing_move(
        obj=voucher, action=wf.RELEASE, enterprise_id=voucher.enterprise_id, actor=actor, used_at=None
    )


def voucher_void(*, actor: User, voucher: Voucher) -> Voucher:
    """The park withdraws a voucher that has not been used."""
    access.require_park_admin(actor)
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if voucher.status == Voucher.Status.USED:
            raise ValidationError(_("A used voucher cannot be withdrawn."))
        if voucher.status == Voucher.Status.VOID:  # a double-click: the first one withdrew it
            raise ValidationError(_("This voucher has already been withdrawn."))
        billing_move(obj=voucher, action=wf.VOID, enterprise_id=voucher.enterprise_id, actor=actor)
    return voucher
