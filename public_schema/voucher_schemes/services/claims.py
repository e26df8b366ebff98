"""Redemption claims (兑付申请): the institution files them with its documents, the issuer decides."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from public_schema.tenants.models import Tenant
from saas.attachments import upload_checked
from saas.workflow import transition_apply

from .. import workflow as wf
from ..models import ClaimFile, ClaimHistory, NetworkVoucher, VoucherClaim
from .common import CENT, V, _code, _history_actor, _money, _voucher_move, actor_label

REQUIRED_FILES = (ClaimFile.Kind.CONTRACT, ClaimFile.Kind.INVOICE, ClaimFile.Kind.DELIVERY)


def claim_file(*, institution: Tenant, actor, voucher_ids, files: dict, note: str = "") -> VoucherClaim:
    """The institution claims the money of vouchers spent with it, with its contract, invoice and delivery proof.

    `files` maps a kind (contract, invoice, delivery) to a list of uploads; each kind needs
    one. All vouchers must be spent at this institution, of one scheme, and not yet claimed;
    their orders confirmed as delivered (`voucher_delivered`); they move to "claimed" with the
    claim, which the issuer then reviews.
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
        undelivered = [voucher.code for voucher in vouchers if voucher.delivered_at is None]
        if undelivered:
            raise ValidationError(
                {
                    "vouchers": _("These orders are not confirmed as delivered yet: %(codes)s.")
                    % {"codes": "、".join(undelivered)}
                }
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
