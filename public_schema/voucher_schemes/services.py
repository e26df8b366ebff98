"""Writes of network vouchers: schemes, grants, spending on orders, expiry, claims for settlement.

The budget rule, once: what the vouchers of a scheme hold (`budget_held`) never exceeds its
budget. Only a grant raises what a voucher holds (to its amount); every grant takes the
scheme's row lock first and sums the ledger under it, so concurrent grants are serialised
and the last one that does not fit is refused. Spending, claiming and releasing keep what a
voucher holds; settling lowers it to the settled amount; refusal and expiry bring it to
nothing, which is how an expired voucher's amount returns to the budget.

Lock order, everywhere: the scheme, then its vouchers (transition_apply locks the voucher);
a claim's decision locks the claim, then its vouchers. No path locks a voucher before its scheme.
"""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from public_schema.network.models import InstitutionProfile, ServiceCategory
from public_schema.tenants.models import Tenant
from saas.attachments import upload_checked
from saas.workflow import TransitionRefused, transition_apply

from . import workflow as wf
from .models import ClaimFile, ClaimHistory, NetworkVoucher, VoucherClaim, VoucherHistory, VoucherScheme

V = NetworkVoucher.Status
C = VoucherClaim.Status
CENT = Decimal("0.01")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


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


# ---------------------------------------------------------------------------------------------
# The area: who may hold a scheme's vouchers
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Schemes
# ---------------------------------------------------------------------------------------------


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

            from .tasks import scheme_auto_grant_task

            send_on_commit(scheme_auto_grant_task, scheme_id=scheme.pk)
    return scheme


# ---------------------------------------------------------------------------------------------
# The budget ledger
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Applications and grants
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Spending on an order (called by the orders side)
# ---------------------------------------------------------------------------------------------


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
            return ["order_reference", "institution", "category", "order_price", "discount", "spent_at"]

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


# ---------------------------------------------------------------------------------------------
# Claims (兑付申请)
# ---------------------------------------------------------------------------------------------

REQUIRED_FILES = (ClaimFile.Kind.CONTRACT, ClaimFile.Kind.INVOICE, ClaimFile.Kind.DELIVERY)


def claim_file(*, institution: Tenant, actor, voucher_ids, files: dict, note: str = "") -> VoucherClaim:
    """The institution claims the money of vouchers spent with it, with its contract, invoice and delivery proof.

    `files` maps a kind (contract, invoice, delivery) to a list of uploads; each kind needs
    one. All vouchers must be spent at this institution, of one scheme, and not yet claimed;
    they move to "claimed" with the claim, which the issuer then reviews.
    """
    if not wf.is_institution_staff(actor, institution):
        raise PermissionDenied
    voucher_ids = sorted({int(pk) for pk in voucher_ids})
    if not voucher_ids:
        raise ValidationError({"vouchers": _("Choose the vouchers this claim is for.")})
    missing = [str(ClaimFile.Kind(kind).label) for kind in REQUIRED_FILES if not files.get(kind)]
    if missing:
        raise ValidationError(
            {"files": _("Attach these documents: %(names)s.") % {"names": "、".join(missing)}}
        )
    checked = [
        (kind, upload, upload_checked(upload, field="files"))
        for kind in REQUIRED_FILES
        for upload in files[kind]
    ]
    with transaction.atomic():
        vouchers = list(
            NetworkVoucher.objects.select_for_update()
            .filter(pk__in=voucher_ids, institution=institution, status=V.SPENT)
            .order_by("pk")
        )
        if len(vouchers) != len(voucher_ids):
            raise ValidationError(
                {"vouchers": _("Some of these vouchers were not spent with you, or are claimed already.")}
            )
        schemes = {voucher.scheme_id for voucher in vouchers}
        if len(schemes) != 1:
            raise ValidationError(
                {"vouchers": _("One claim is for vouchers of one scheme: file one claim per scheme.")}
            )
        claim = VoucherClaim.objects.create(
            reference=_code("DF", VoucherClaim, "reference"),
            scheme_id=schemes.pop(),
            institution=institution,
            amount_claimed=sum((voucher.discount for voucher in vouchers), Decimal("0")),
            note=(note or "").strip(),
            filed_by_label=actor_label(actor),
        )
        for kind, upload, content_type in checked:
            stored = ClaimFile(claim=claim, kind=kind, uploaded_by_label=actor_label(actor))
            stored.store(upload, content_type=content_type, uploaded_by=None)
        ClaimHistory.objects.create(
            claim=claim,
            actor_label=actor_label(actor),
            action=wf.FILE,
            from_status="",
            to_status=claim.status,
            amount=claim.amount_claimed,
        )
        for voucher in vouchers:

            def change(locked):
                locked.claim = claim
                return ["claim"]

            _voucher_move(
                voucher_id=voucher.pk,
                action=wf.CLAIM,
                comment=_("Claim %(reference)s") % {"reference": claim.reference},
                amount=voucher.discount,
                change=change,
            )
    return claim


def _shares(total: Decimal, parts: list[Decimal]) -> list[Decimal]:
    """`total` split over `parts` in proportion, to the cent, the last part taking the rounding."""
    whole = sum(parts, Decimal("0"))
    shares, given = [], Decimal("0")
    for index, part in enumerate(parts):
        if index == len(parts) - 1:
            share = total - given
        else:
            share = (total * part / whole).quantize(CENT, rounding=ROUND_HALF_UP) if whole else Decimal("0")
        shares.append(share)
        given += share
    return shares


def claim_move(
    *,
    claim_id: int,
    action: str,
    actor,
    comment: str = "",
    settled_amount=None,
    settled_on=None,
    expected_status: str | None = None,
) -> VoucherClaim:
    """The issuer takes a claim through its stages: review, then approve (settled amount and date) or refuse (a reason).

    Approval settles the claim's vouchers (each holding its share of the settled amount,
    the rest returning to the budget); refusal marks them refused (their amount returns).
    """

    def change(claim, transition) -> dict:
        fields = []
        extra = {}
        if transition.action == wf.APPROVE:
            amount = (
                claim.amount_claimed
                if settled_amount in (None, "")
                else _money(settled_amount, "settled_amount")
            )
            if amount > claim.amount_claimed:
                raise ValidationError(
                    {"settled_amount": _("More than the amount claimed cannot be settled.")}
                )
            claim.settled_amount = amount
            claim.settled_on = settled_on or timezone.localdate()
            fields += ["settled_amount", "settled_on"]
            extra["amount"] = amount
            vouchers = list(claim.vouchers.order_by("pk"))
            for voucher, share in zip(vouchers, _shares(amount, [v.discount for v in vouchers]), strict=True):
                _voucher_settle(voucher.pk, share, claim)
        elif transition.action == wf.REFUSE:
            claim.status_reason = comment.strip()[:500]
            fields.append("status_reason")
            for voucher_id in claim.vouchers.order_by("pk").values_list("pk", flat=True):

                def zero(locked):
                    locked.budget_held = Decimal("0")
                    locked.status_reason = comment.strip()[:500]
                    return ["budget_held", "status_reason"]

                _voucher_move(
                    voucher_id=voucher_id,
                    action=wf.REFUSE_CLAIM,
                    comment=_("Claim %(reference)s refused: %(reason)s")
                    % {"reference": claim.reference, "reason": comment},
                    change=zero,
                )
        return {"update_fields": fields, **extra}

    def history(claim, transition, from_status, extra):
        return ClaimHistory.objects.create(
            claim=claim,
            actor=_history_actor(actor),
            actor_label=actor_label(actor),
            action=transition.action,
            from_status=from_status,
            to_status=claim.status,
            comment=extra.get("comment", ""),
            amount=extra.get("amount"),
        )

    return transition_apply(
        model=VoucherClaim,
        pk=claim_id,
        workflow=wf.CLAIM_WORKFLOW,
        action=action,
        actor=actor,
        change=change,
        history=history,
        comment=comment,
        expected={"status": expected_status} if expected_status else None,
    )


def _voucher_settle(voucher_id: int, share: Decimal, claim: VoucherClaim) -> None:
    def change(locked):
        locked.settled_amount = share
        locked.settled_on = claim.settled_on
        locked.budget_held = share
        return ["settled_amount", "settled_on", "budget_held"]

    _voucher_move(
        voucher_id=voucher_id,
        action=wf.SETTLE,
        comment=_("Claim %(reference)s approved") % {"reference": claim.reference},
        amount=share,
        change=change,
    )
