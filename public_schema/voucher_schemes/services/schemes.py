"""Issuing a voucher scheme: its value, budget, area, validity and optional 免申即享 rule."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from public_schema.network.models import ServiceCategory
from public_schema.tenants.models import Tenant

from .. import workflow as wf
from ..models import VoucherScheme
from .common import _money, actor_label


def _value_checked(kind, face_value, percentage, cap_per_voucher, errors: dict):
    """What one voucher is worth, by kind: (face value, percentage, cap per voucher); problems go in `errors`."""
    if kind == VoucherScheme.Kind.FACE_VALUE:
        face_value = _money(face_value or 0, "face_value")
        if face_value <= 0:
            errors["face_value"] = _("Give the face value of one voucher.")
        return face_value, None, None
    if kind == VoucherScheme.Kind.PERCENTAGE:
        percentage = _money(percentage or 0, "percentage")
        cap_per_voucher = _money(cap_per_voucher or 0, "cap_per_voucher")
        if not 0 < percentage <= 100:
            errors["percentage"] = _("A percentage is more than 0 and at most 100.")
        if cap_per_voucher <= 0:
            errors["cap_per_voucher"] = _("Give the most one voucher may take off a price.")
        return None, percentage, cap_per_voucher
    errors["kind"] = _("Choose a face value or a percentage of the price.")
    return None, None, None


def scheme_create(
    *,
    issuer: Tenant,
    actor,
    title: str,
    budget,
    kind: str,
    valid_from,
    valid_until,
    face_value=None,
    percentage=None,
    cap_per_voucher=None,
    cap_per_enterprise=None,
    categories=(),
    area=(),
    description: str = "",
    eligibility_rules=None,
    auto_grant: bool = False,
    accepts_applications: bool = True,
) -> VoucherScheme:
    """The hub or a sub-platform issues a scheme; only its own staff, on its own site, may."""
    from tenant_schema.eligibility.rules import rules_validate

    if not wf.is_issuer_staff(actor, issuer):
        raise PermissionDenied
    errors = {}
    budget = _money(budget, "budget")
    if budget <= 0:
        errors["budget"] = _("The budget must be more than zero.")
    face_value, percentage, cap_per_voucher = _value_checked(
        kind, face_value, percentage, cap_per_voucher, errors
    )
    if cap_per_enterprise not in (None, ""):
        cap_per_enterprise = _money(cap_per_enterprise, "cap_per_enterprise")
    else:
        cap_per_enterprise = None
    if valid_until < valid_from:
        errors["valid_until"] = _("The last day of validity comes before the first.")
    unknown = [c for c in categories if c not in ServiceCategory.values]
    if unknown:
        errors["categories"] = _("Unknown category: %(names)s.") % {"names": ", ".join(unknown)}
    try:
        rules = rules_validate(eligibility_rules or {})
    except ValidationError as error:
        errors["eligibility_rules"] = error.messages
        rules = {}
    area = list(area)
    if issuer.kind != Tenant.Kind.HUB:
        # A sub-platform's scheme stays within its own area.
        own = {issuer.pk, *Tenant.objects.filter(parent=issuer).values_list("pk", flat=True)}
        if any(tenant.pk not in own for tenant in area):
            errors["area"] = _("A sub-platform's scheme covers only itself and its parks.")
    if any(tenant.kind in (Tenant.Kind.HUB, Tenant.Kind.INSTITUTION) for tenant in area):
        errors["area"] = _("The area names sub-platforms and parks.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scheme = VoucherScheme(
            issuer=issuer,
            title=title.strip(),
            description=(description or "").strip(),
            kind=kind,
            budget=budget,
            face_value=face_value,
            percentage=percentage,
            cap_per_voucher=cap_per_voucher,
            cap_per_enterprise=cap_per_enterprise,
            categories=list(categories),
            valid_from=valid_from,
            valid_until=valid_until,
            eligibility_rules=rules if rules.get("conditions") else {},
            auto_grant=auto_grant,
            accepts_applications=accepts_applications,
            created_by_label=actor_label(actor),
        )
        if scheme.cap_per_enterprise is not None and scheme.cap_per_enterprise < scheme.voucher_amount:
            raise ValidationError(
                {"cap_per_enterprise": _("The cap per enterprise is less than one voucher.")}
            )
        scheme.save()
        scheme.area.set(area)
        if scheme.auto_grant:
            from saas.celery import send_on_commit

            from ..tasks import scheme_auto_grant_task

            send_on_commit(scheme_auto_grant_task, scheme_id=scheme.pk)
    return scheme
