"""Applications and grants: the issuer's review, its own grants, and 免申即享 for a scheme's rule."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from public_schema.tenants.models import Tenant
from saas.workflow import TransitionRefused

from .. import workflow as wf
from ..models import NetworkVoucher, VoucherScheme
from .common import (
    V,
    _code,
    _first_history,
    _held,
    _holder_check,
    _in_validity,
    _reserve_check,
    _scheme_lock,
    _voucher_move,
    scheme_area_ids,
)


def voucher_apply(
    *, scheme: VoucherScheme, holder: Tenant, enterprise, actor, comment: str = ""
) -> NetworkVoucher:
    """An enterprise applies for a voucher of a scheme open to its sub-platform; the issuer reviews it.

    `enterprise` is the applicant's own (the caller runs in the holder's schema and has
    checked that `actor` belongs to it). One open application or unspent voucher per scheme.
    """
    today = timezone.localdate()
    if not scheme.accepts_applications:
        raise ValidationError(_("This scheme takes no applications: its vouchers are granted automatically."))
    if today < scheme.valid_from:
        raise ValidationError(_("Applications open on %(date)s.") % {"date": scheme.valid_from})
    _in_validity(scheme, today)
    _holder_check(scheme, holder)
    if enterprise.status != "verified":
        raise ValidationError(_("Your enterprise must be verified by the park before it applies."))
    try:
        with transaction.atomic():
            voucher = NetworkVoucher.objects.create(
                scheme=scheme,
                code=_code("CXQ", NetworkVoucher, "code"),
                holder=holder,
                enterprise_id=enterprise.pk,
                enterprise_name=enterprise.name,
                enterprise_credit_code=enterprise.credit_code,
                amount=scheme.voucher_amount,
                budget_held=Decimal("0"),
                status=V.APPLIED,
                valid_until=scheme.valid_until,
            )
            _first_history(voucher, action=wf.APPLY, actor=actor, amount=voucher.amount, comment=comment)
    except IntegrityError:
        raise ValidationError(
            _("Your enterprise already has an open application or an unspent voucher of this scheme.")
        ) from None
    return voucher


def voucher_grant_to(
    *,
    scheme: VoucherScheme,
    holder: Tenant,
    enterprise_id: int,
    enterprise_name: str,
    enterprise_credit_code: str,
    actor=None,
    auto: bool = False,
) -> NetworkVoucher:
    """Grant a voucher without an application: the issuer's own choice, or 免申即享 (`auto`, the system).

    Under the scheme's lock: refused when the budget or the enterprise's cap has no room.
    """
    if auto:
        if wf.signed_in(actor):
            raise PermissionDenied
    elif not wf.is_issuer_staff(actor, scheme.issuer):
        raise PermissionDenied
    today = timezone.localdate()
    _in_validity(scheme, today)
    _holder_check(scheme, holder)
    try:
        with transaction.atomic():
            scheme = _scheme_lock(scheme.pk)
            amount = scheme.voucher_amount
            _reserve_check(scheme, holder_id=holder.pk, enterprise_id=enterprise_id, amount=amount)
            voucher = NetworkVoucher.objects.create(
                scheme=scheme,
                code=_code("CXQ", NetworkVoucher, "code"),
                holder=holder,
                enterprise_id=enterprise_id,
                enterprise_name=enterprise_name,
                enterprise_credit_code=enterprise_credit_code,
                amount=amount,
                budget_held=amount,
                status=V.GRANTED,
                valid_until=scheme.valid_until,
                auto_granted=auto,
                granted_at=timezone.now(),
            )
            _first_history(
                voucher,
                action=wf.ISSUE,
                actor=actor,
                amount=amount,
                comment=_("Granted automatically: the enterprise meets the scheme's rules (免申即享).")
                if auto
                else "",
            )
    except IntegrityError:
        raise ValidationError(_("This enterprise already holds an unspent voucher of this scheme.")) from None
    return voucher


def voucher_review(
    *, voucher_id: int, action: str, actor, comment: str = "", expected_status: str | None = None
) -> NetworkVoucher:
    """The issuer grants or refuses an application; a grant reserves the voucher's amount under the scheme's lock."""
    if action not in (wf.GRANT, wf.REFUSE):
        raise TransitionRefused(_("Unknown action “%(action)s”.") % {"action": action})
    with transaction.atomic():
        scheme_id = NetworkVoucher.objects.filter(pk=voucher_id).values_list("scheme_id", flat=True).get()
        scheme = _scheme_lock(scheme_id)

        def change(voucher):
            if action == wf.GRANT:
                _in_validity(scheme, timezone.localdate())
                _reserve_check(
                    scheme,
                    holder_id=voucher.holder_id,
                    enterprise_id=voucher.enterprise_id,
                    amount=voucher.amount,
                )
                voucher.budget_held = voucher.amount
                voucher.granted_at = timezone.now()
                return ["budget_held", "granted_at"]
            voucher.status_reason = comment.strip()[:500]
            return ["status_reason"]

        return _voucher_move(
            voucher_id=voucher_id,
            action=action,
            actor=actor,
            comment=comment,
            expected_status=expected_status,
            amount=lambda voucher: voucher.amount if action == wf.GRANT else None,
            change=change,
        )


def scheme_auto_grant(*, scheme_id: int) -> int:
    """免申即享: grant a voucher to every verified enterprise of the area that meets the scheme's rules.

    Reads each sub-platform's enterprises in its own schema and writes only public rows.
    Safe to run again: an enterprise is auto-granted once per scheme (a unique index), and
    the run stops at the first grant the budget has no room for. Returns the grants made.
    """
    from tenant_schema.eligibility.rules import facts_of, rules_evaluate_validated, rules_validate
    from tenant_schema.enterprises.models import Enterprise

    connection.set_schema_to_public()
    scheme = VoucherScheme.objects.select_related("issuer").get(pk=scheme_id)
    if not scheme.auto_grant or timezone.localdate() > scheme.valid_until:
        return 0
    rules = rules_validate(scheme.eligibility_rules or {})
    already = set(scheme.vouchers.filter(auto_granted=True).values_list("holder_id", "enterprise_id"))
    made = 0
    for holder in Tenant.objects.filter(pk__in=scheme_area_ids(scheme=scheme)).order_by("pk"):
        with schema_context(holder.schema_name):
            enterprises = Enterprise.objects.filter(status=Enterprise.Status.VERIFIED).prefetch_related(
                "tags", "yearly_figures"
            )
            qualifying = [
                (e.pk, e.name, e.credit_code)
                for e in enterprises
                if (holder.pk, e.pk) not in already
                and rules_evaluate_validated(rules, facts_of(e), explain=False).qualifies
            ]
        for enterprise_id, name, credit_code in qualifying:
            try:
                voucher_grant_to(
                    scheme=scheme,
                    holder=holder,
                    enterprise_id=enterprise_id,
                    enterprise_name=name,
                    enterprise_credit_code=credit_code,
                    auto=True,
                )
            except ValidationError as error:
                if (
                    "amount" in getattr(error, "error_dict", {})
                    and scheme.budget - _held(scheme) < scheme.voucher_amount
                ):
                    return made  # the budget is spoken for
                continue  # this one is at its cap or holds one already
            made += 1
    return made
