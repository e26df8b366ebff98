"""What every voucher service shares: money, codes, who acted, the area, the budget ledger, the one move.

The budget rule, once: what the vouchers of a scheme hold (`budget_held`) never exceeds its
budget. Only a grant raises what a voucher holds (to its amount); every grant takes the
scheme's row lock first (`_scheme_lock`) and sums the ledger under it (`_reserve_check`), so
concurrent grants are serialised and the last one that does not fit is refused.

Lock order, everywhere: the scheme, then its vouchers (transition_apply locks the voucher);
a claim's decision locks the claim, then its vouchers. No path locks a voucher before its scheme.
"""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext as _

from public_schema.tenants.models import Tenant
from saas.workflow import transition_apply

from .. import workflow as wf
from ..models import NetworkVoucher, VoucherClaim, VoucherHistory, VoucherScheme

CENT = Decimal("0.01")


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


V = NetworkVoucher.Status


C = VoucherClaim.Status


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, such as 1200.00.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("Enter an amount in yuan, such as 1200.00.")})
    return amount


def _code(prefix: str, model, field: str) -> str:
    for _attempt in range(5):
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{prefix}-{body[:4]}-{body[4:]}"
        if not model.objects.filter(**{field: code}).exists():
            return code
    return code


def _person(actor):
    return actor if wf.signed_in(actor) else None


def actor_label(actor) -> str:
    """How a history row names a person: accounts live per schema, so by name and site, not by key."""
    if not wf.signed_in(actor):
        return _("System")
    site = getattr(connection, "tenant", None)
    name = actor.get_full_name() or actor.email
    return f"{name} · {getattr(site, 'name', '') or connection.schema_name}"[:200]


def _history_actor(actor):
    # Only the public schema's users may be linked from these public tables.
    return _person(actor) if connection.schema_name == "public" else None


def scheme_area_ids(*, scheme: VoucherScheme) -> set[int]:
    """The tenants whose enterprises may hold the scheme's vouchers.

    Named ones; otherwise the issuer's whole area: every live sub-platform and park for the
    hub, the sub-platform and its parks for a sub-platform.
    """
    named = set(scheme.area.values_list("pk", flat=True))
    if named:
        return named
    live = Tenant.objects.live().exclude(kind=Tenant.Kind.INSTITUTION)
    if scheme.issuer.kind == Tenant.Kind.HUB:
        return set(live.values_list("pk", flat=True))
    return {scheme.issuer_id, *live.filter(parent=scheme.issuer_id).values_list("pk", flat=True)}


def _holder_check(scheme: VoucherScheme, holder: Tenant) -> None:
    if holder.pk not in scheme_area_ids(scheme=scheme):
        raise ValidationError(_("Enterprises of %(tenant)s may not hold this voucher.") % {"tenant": holder})


def _scheme_lock(scheme_id: int) -> VoucherScheme:
    return VoucherScheme.objects.select_for_update().select_related("issuer").get(pk=scheme_id)


def _held(scheme: VoucherScheme, **filters) -> Decimal:
    return scheme.vouchers.filter(**filters).aggregate(total=Sum("budget_held"))["total"] or Decimal("0")


def _reserve_check(scheme: VoucherScheme, *, holder_id: int, enterprise_id: int, amount: Decimal) -> None:
    """Refuse a grant that would take the scheme past its budget or the enterprise past its cap.

    The caller holds the scheme's row lock (`_scheme_lock`): the sums read here stay true
    until its transaction commits.
    """
    left = scheme.budget - _held(scheme)
    if amount > left:
        raise ValidationError(
            {
                "amount": _("Only %(left)s yuan of the scheme's budget is left.")
                % {"left": max(left, Decimal("0"))}
            }
        )
    for_enterprise = _held(scheme, holder_id=holder_id, enterprise_id=enterprise_id)
    if for_enterprise + amount > scheme.enterprise_cap:
        raise ValidationError(
            {
                "amount": _("This enterprise's cap for the scheme is %(cap)s yuan.")
                % {"cap": scheme.enterprise_cap}
            }
        )


def _in_validity(scheme: VoucherScheme, today) -> None:
    if today > scheme.valid_until:
        raise ValidationError(_("The scheme's validity ended on %(date)s.") % {"date": scheme.valid_until})


def _first_history(voucher: NetworkVoucher, *, action: str, actor, amount=None, comment: str = "") -> None:
    VoucherHistory.objects.create(
        voucher=voucher,
        actor=_history_actor(actor),
        actor_label=actor_label(actor),
        action=action,
        from_status="",
        to_status=voucher.status,
        amount=amount,
        comment=comment,
    )


def _voucher_move(
    *,
    voucher_id: int,
    action: str,
    actor=None,
    comment: str = "",
    expected_status: str | None = None,
    amount=None,
    change=None,
) -> NetworkVoucher:
    """Apply one workflow action to a voucher (saas.workflow.transition_apply), with its history row.

    `change(voucher)` sets the fields the move changes and returns their names.
    """

    def apply_change(voucher, transition) -> dict:
        fields = change(voucher) if change is not None else []
        return {"update_fields": list(fields)}

    def history(voucher, transition, from_status, extra):
        return VoucherHistory.objects.create(
            voucher=voucher,
            actor=_history_actor(actor),
            actor_label=actor_label(actor),
            action=transition.action,
            from_status=from_status,
            to_status=voucher.status,
            comment=extra.get("comment", ""),
            amount=amount(voucher) if callable(amount) else amount,
        )

    return transition_apply(
        model=NetworkVoucher,
        pk=voucher_id,
        workflow=wf.VOUCHER_WORKFLOW,
        action=action,
        actor=actor,
        change=apply_change,
        history=history,
        comment=comment,
        expected={"status": expected_status} if expected_status else None,
    )
