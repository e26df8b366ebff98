"""Writes after an award. Every change of status goes through saas.workflow.transition_apply.

- `award_plan`: the payment plan (tranches summing to the award) and the reports it owes;
- `tranche_pay`: a payment recorded against the next tranche, under the programme's lock;
- `report_submit` / `report_review`, `report_attachment_add`: the enterprise's reports;
- `award_acceptance_reviewers_set`, `award_transition`: the final acceptance (验收);
- `recovery_open`, `recovery_transition`: recovery (追回) of money paid, and its repayments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from public_schema.hub.awards import award_record_recovery_set
from saas.attachments import upload_checked
from saas.workflow import Transition, transition_apply
from tenant_schema.applications import workflow as application_wf
from tenant_schema.applications.models import Application
from tenant_schema.applications.services import application_transition
from tenant_schema.funding.models import Programme

from . import workflow as wf
from .models import (
    REPORT_OWED,
    Award,
    AwardHistory,
    Recovery,
    RecoveryHistory,
    Repayment,
    Report,
    ReportAttachment,
    ReportHistory,
    Tranche,
    TrancheHistory,
)
from .notices import award_notify
from .selectors import programme_money

CENT = Decimal("0.01")


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 50000.00.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value or "")) if value else None
    if parsed is None:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")})
    return parsed


def _require_admin(actor) -> None:
    if actor is None:  # the system (the demo seed)
        return
    if not (getattr(actor, "is_authenticated", False) and actor.has_role(roles.PARK_ADMIN)):
        raise PermissionDenied(_("Only a park administrator can do this."))


def _expected(expected_status: str | None) -> dict:
    return {"status": expected_status} if expected_status else {}


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


def _tranche_rows(tranches: list[dict]) -> tuple[list[Tranche], dict]:
    rows, errors = [], {}
    for index, tranche in enumerate(tranches, start=1):
        prefix, values = f"tranches.{index - 1}.", {}
        condition = tranche.get("condition") or ""
        if condition not in Tranche.Condition.values:
            errors[f"{prefix}condition"] = [_("Choose signing, a milestone or acceptance.")]
        for field, parse in (("amount", _money), ("due_on", _date)):
            try:
                values[field] = parse(tranche.get(field), field)
            except ValidationError as error:
                errors[f"{prefix}{field}"] = error.message_dict[field]
        if len(values) == 2:
            rows.append(
                Tranche(
                    position=index,
                    condition=condition,
                    milestone=(tranche.get("milestone") or "").strip()[:200],
                    **values,
                )
            )
    return rows, errors


def _report_rows(reports: list[dict], errors: dict) -> list[Report]:
    report_rows, kinds = [], set()
    for index, report in enumerate(reports):
        kind = report.get("kind") or ""
        if kind not in Report.Kind.values or kind in kinds:
            errors[f"reports.{index}.kind"] = [_("Choose a mid-term or a final report, each once.")]
            continue
        kinds.add(kind)
        try:
            report_rows.append(Report(kind=kind, due_on=_date(report.get("due_on"), "due_on")))
        except ValidationError as error:
            errors[f"reports.{index}.due_on"] = error.message_dict["due_on"]
    return report_rows


def award_plan(
    *, application_id: int, actor, tranches: list[dict], reports: list[dict] | None = None
) -> Award:
    """Set an approved application's payment plan and the reports it owes; once per award.

    The tranches add up to the approved amount exactly (a plan that pays less or more is a
    400 naming the difference); the application row is locked, so the award cannot change
    under the plan, and a second plan for the same award is refused by the one-to-one key.
    """
    _require_admin(actor)
    if not tranches:
        raise ValidationError({"tranches": _("An award is paid in at least one tranche.")})
    rows, errors = _tranche_rows(tranches)
    report_rows = _report_rows(reports or [], errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        if application.status != Application.Status.APPROVED or application.approved_amount is None:
            raise ValidationError(
                {"tranches": _("Only an approved award not yet disbursed can be planned in tranches.")}
            )
        total = sum((row.amount for row in rows), Decimal("0"))
        if total != application.approved_amount:
            raise ValidationError(
                {
                    "tranches": _("The tranches add up to %(total)s yuan; the award is %(award)s yuan.")
                    % {"total": total, "award": application.approved_amount}
                }
            )
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    application=application,
                    amount=application.approved_amount,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            raise ValidationError({"tranches": _("This award already has its payment plan.")}) from None
        for row in rows:
            row.award = award
        Tranche.objects.bulk_create(rows)
        for row in report_rows:
            row.award = award
        Report.objects.bulk_create(report_rows)
        AwardHistory.objects.create(
            award=award,
            actor=actor if getattr(actor, "pk", None) else None,
            action="plan",
            from_status="",
            to_status=award.status,
            comment=_("Paid in %(n)s tranche(s).") % {"n": len(rows)},
        )
    return award


# ---------------------------------------------------------------------------
# Tranches
# ---------------------------------------------------------------------------


def tranche_pay(
    *, tranche_id: int, actor, paid_on=None, reference: str = "", comment: str = "", expected_status=None
) -> Tranche:
    """Record the payment of a tranche: its date and the bank's reference.

    Held (409, with the reason) while a report is overdue, an earlier tranche is unpaid, a
    recovery is open, or before acceptance for an acceptance tranche (workflow.tranche_hold).
    Payments of one programme are serialised on the programme row: what is paid never
    exceeds what is committed, whatever runs at once. The first payment moves the
    application to disbursed (its own workflow); later ones keep its disbursed total.
    """
    paid_on = _date(paid_on or timezone.localdate(), "paid_on")
    reference = (reference or "").strip()

    def change(tranche: Tranche, transition: Transition) -> dict:
        errors = {}
        if not reference:
            errors["reference"] = _("Enter the payment's reference (bank voucher number).")
        if paid_on > timezone.localdate():
            errors["paid_on"] = _("A payment cannot be dated in the future.")
        if errors:
            raise ValidationError(errors)
        application = tranche.award.application
        programme = Programme.objects.select_for_update().get(pk=application.programme_id)
        money = programme_money(programme_id=programme.pk)
        if money["paid"] + tranche.amount > money["committed"]:
            raise ValidationError(
                {"amount": _("This payment would exceed the funds committed to the programme.")}
            )
        tranche.paid_on, tranche.reference = paid_on, reference[:100]
        return {"update_fields": ["paid_on", "reference"], "amount": tranche.amount}

    def history(tranche: Tranche, transition: Transition, from_status: str, extra: dict):
        TrancheHistory.objects.create(
            tranche=tranche,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=tranche.status,
            comment=extra.get("comment", ""),
            amount=extra.get("amount"),
        )
        _application_disbursed(tranche, actor)

    def notify(tranche: Tranche, transition: Transition) -> None:
        award_notify(
            award=tranche.award,
            key=f"tranche:{tranche.pk}:paid",
            title=_("Tranche %(n)s paid: %(amount)s yuan")
            % {"n": tranche.position, "amount": tranche.amount},
        )

    return transition_apply(
        model=Tranche,
        pk=tranche_id,
        workflow=wf.TRANCHE_WORKFLOW,
        action=wf.PAY,
        actor=actor,
        change=change,
        history=history,
        notify=notify,
        comment=comment,
        expected=_expected(expected_status),
    )


def _application_disbursed(tranche: Tranche, actor) -> None:
    """Keep the application's disbursement in step with the tranches paid (its own workflow moves it)."""
    application = tranche.award.application
    paid = Tranche.objects.filter(award_id=tranche.award_id, status=Tranche.Status.PAID).aggregate(
        total=Sum("amount")
    )["total"]
    if application.status == Application.Status.APPROVED:
        application_transition(
            application_id=application.pk,
            action=application_wf.DISBURSE,
            actor=actor,
            amount=paid,
            disbursed_on=tranche.paid_on,
            comment=_("Tranche %(n)s") % {"n": tranche.position},
        )
    else:
        Application.objects.filter(pk=application.pk).update(disbursed_amount=paid, updated_at=timezone.now())


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


def _report_history(actor):
    def history(report: Report, transition: Transition, from_status: str, extra: dict):
        ReportHistory.objects.create(
            report=report,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=report.status,
            comment=extra.get("comment", ""),
        )

    return history


def _report_notify(report: Report, transition: Transition) -> None:
    if transition.action in (wf.ACCEPT, wf.RETURN):
        award_notify(
            award=report.award,
            key=f"report:{report.pk}:{report.history.count()}",
            title=_("%(report)s: %(status)s")
            % {"report": report.get_kind_display(), "status": report.get_status_display()},
            body=report.history.order_by("-pk").values_list("comment", flat=True).first() or "",
        )


def report_submit(*, report_id: int, actor, text: str, expected_status=None) -> Report:
    """The enterprise sends its report (the text, and the files added before)."""
    text = (text or "").strip()

    def change(report: Report, transition: Transition) -> dict:
        if not text:
            raise ValidationError({"text": _("Write the report before sending it.")})
        report.text, report.submitted_at = text, timezone.now()
        return {"update_fields": ["text", "submitted_at"]}

    return transition_apply(
        model=Report,
        pk=report_id,
        workflow=wf.REPORT_WORKFLOW,
        action=wf.SUBMIT,
        actor=actor,
        change=change,
        history=_report_history(actor),
        notify=_report_notify,
        expected=_expected(expected_status),
    )


def report_review(*, report_id: int, action: str, actor, comment: str = "", expected_status=None) -> Report:
    """The park accepts a report, or returns it with a reason the enterprise reads."""
    if action not in (wf.ACCEPT, wf.RETURN):
        wf.REPORT_WORKFLOW.get(action)  # refuses an unknown action with the workflow's message
        raise ValidationError({"action": _("Accept or return the report.")})
    return transition_apply(
        model=Report,
        pk=report_id,
        workflow=wf.REPORT_WORKFLOW,
        action=action,
        actor=actor,
        change=lambda report, transition: {},
        history=_report_history(actor),
        notify=_report_notify,
        comment=comment,
        expected=_expected(expected_status),
    )


def report_attachment_add(*, report: Report, actor, upload) -> ReportAttachment:
    """A file for a report still owed, from the enterprise's own people."""
    if not wf._is_owner(actor, report):
        raise PermissionDenied(_("Only the enterprise's own people can add files to its report."))
    if report.status not in REPORT_OWED:
        raise ValidationError({"file": _("The report has been sent: files can no longer be added.")})
    content_type = upload_checked(upload)
    attachment = ReportAttachment(report=report)
    with transaction.atomic():
        attachment.store(upload, content_type=content_type, uploaded_by=actor)
    return attachment


# ---------------------------------------------------------------------------
# Final acceptance (验收)
# ---------------------------------------------------------------------------


def award_acceptance_reviewers_set(*, award: Award, actor, reviewer_ids: list[int]) -> Award:
    """Name the reviewers of the final acceptance (not the enterprise's people)."""
    from django.contrib.auth import get_user_model

    from tenant_schema.enterprises.models import Membership

    _require_admin(actor)
    if award.status not in (Award.Status.ACTIVE, Award.Status.IN_ACCEPTANCE):
        raise ValidationError({"reviewers": _("The project is closed: its reviewers no longer change.")})
    users = list(get_user_model().objects.filter(pk__in=reviewer_ids, is_active=True))
    if not users or len(users) != len(set(reviewer_ids)):
        raise ValidationError({"reviewers": _("Choose one or more active accounts of this site.")})
    if Membership.objects.filter(user__in=users, enterprise_id=award.application.enterprise_id).exists():
        raise ValidationError({"reviewers": _("The enterprise's own people cannot review its acceptance.")})
    award.acceptance_reviewers.set(users)
    return award


def award_transition(*, award_id: int, action: str, actor, comment: str = "", expected_status=None) -> Award:
    """Open the final acceptance, or conclude it (passed or failed, with a reason)."""
    now = timezone.now()

    def change(award: Award, transition: Transition) -> dict:
        if transition.action == wf.OPEN_ACCEPTANCE:
            award.acceptance_opened_at = now
            return {"update_fields": ["acceptance_opened_at"]}
        award.closed_at = now
        return {"update_fields": ["closed_at"]}

    def history(award: Award, transition: Transition, from_status: str, extra: dict):
        AwardHistory.objects.create(
            award=award,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=award.status,
            comment=extra.get("comment", ""),
        )

    def notify(award: Award, transition: Transition) -> None:
        award_notify(
            award=award,
            key=f"award:{award.pk}:{transition.action}",
            title=_("%(programme)s: %(status)s")
            % {"programme": award.application.programme.title, "status": award.get_status_display()},
            body=comment,
        )

    return transition_apply(
        model=Award,
        pk=award_id,
        workflow=wf.AWARD_WORKFLOW,
        action=action,
        actor=actor,
        change=change,
        history=history,
        notify=notify,
        comment=comment,
        expected=_expected(expected_status),
    )


# ---------------------------------------------------------------------------
# Recovery (追回)
# ---------------------------------------------------------------------------


def _paid(award: Award) -> Decimal:
    return award.tranches.filter(status=Tranche.Status.PAID).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0")


def _register(award: Award) -> None:
    """The city-wide award register learns of the award's recovery (public_schema.hub.awards)."""
    recovered = Repayment.objects.filter(recovery__award=award).aggregate(total=Sum("amount"))["total"]
    award_record_recovery_set(
        application_id=award.application_id,
        recovery_open=award.recoveries.filter(status=Recovery.Status.OPEN).exists(),
        recovered=recovered or Decimal("0"),
    )


def recovery_open(*, award_id: int, actor, reason: str, explanation: str, amount_due, deadline) -> Recovery:
    """Open a recovery on a paid award: why, how much (at most what was paid and not yet
    recovered) and by when. One open recovery per award (a partial unique index)."""
    _require_admin(actor)
    errors = {}
    if reason not in Recovery.Reason.values:
        errors["reason"] = [_("Choose a reason.")]
    if not (explanation or "").strip():
        errors["explanation"] = [_("Explain the recovery: the enterprise will read it.")]
    try:
        amount = _money(amount_due, "amount_due")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        deadline = _date(deadline, "deadline")
        if deadline < timezone.localdate():
            errors["deadline"] = [_("The deadline cannot be in the past.")]
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        award = Award.objects.select_for_update().select_related("application").get(pk=award_id)
        paid = _paid(award)
        if paid <= 0:
            raise ValidationError(
                {"amount_due": _("Nothing has been paid on this award: there is nothing to recover.")}
            )
        already = award.recoveries.exclude(status=Recovery.Status.CANCELLED).aggregate(
            total=Sum("amount_due")
        )["total"]
        left = paid - (already or Decimal("0"))
        if amount > left:
            raise ValidationError(
                {"amount_due": _("At most %(left)s yuan can be recovered.") % {"left": left}}
            )
        if award.recoveries.filter(status=Recovery.Status.OPEN).exists():
            raise ValidationError({"reason": _("A recovery is already open on this award.")})
        recovery = Recovery.objects.create(
            award=award,
            reason=reason,
            explanation=explanation.strip(),
            amount_due=amount,
            deadline=deadline,
            opened_by=actor if getattr(actor, "pk", None) else None,
        )
        RecoveryHistory.objects.create(
            recovery=recovery,
            actor=actor if getattr(actor, "pk", None) else None,
            action="open",
            from_status="",
            to_status=recovery.status,
            comment=recovery.explanation,
            amount=amount,
        )
        _register(award)
        award_notify(
            award=award,
            key=f"recovery:{recovery.pk}:open",
            title=_("Recovery of %(amount)s yuan, due by %(deadline)s")
            % {"amount": amount, "deadline": deadline.isoformat()},
            body=recovery.explanation,
        )
    return recovery


def recovery_transition(
    *,
    recovery_id: int,
    action: str,
    actor,
    comment: str = "",
    amount=None,
    paid_on=None,
    reference: str = "",
    expected_status=None,
) -> Recovery:
    """Record a repayment (the recovery closes as repaid once the amount due is in), or cancel it."""
    now = timezone.now()

    def change(recovery: Recovery, transition: Transition) -> dict:
        if transition.action == wf.CANCEL:
            recovery.closed_at = now
            return {"update_fields": ["closed_at"]}
        errors = {}
        try:
            paid = _money(amount, "amount")
            if paid > recovery.outstanding:
                errors["amount"] = [_("Only %(left)s yuan is still due.") % {"left": recovery.outstanding}]
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            day = _date(paid_on or timezone.localdate(), "paid_on")
            if day > timezone.localdate():
                errors["paid_on"] = [_("A payment cannot be dated in the future.")]
        except ValidationError as error:
            errors.update(error.message_dict)
        if not (reference or "").strip():
            errors["reference"] = [_("Enter the payment's reference (bank voucher number).")]
        if errors:
            raise ValidationError(errors)
        Repayment.objects.create(
            recovery=recovery, amount=paid, paid_on=day, reference=reference.strip()[:100], recorded_by=actor
        )
        recovery.repaid_amount += paid
        fields = ["repaid_amount"]
        if recovery.repaid_amount == recovery.amount_due:
            recovery.status, recovery.closed_at = Recovery.Status.REPAID, now
            fields.append("closed_at")
        return {"update_fields": fields, "amount": paid}

    def history(recovery: Recovery, transition: Transition, from_status: str, extra: dict):
        RecoveryHistory.objects.create(
            recovery=recovery,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=recovery.status,
            comment=extra.get("comment", ""),
            amount=extra.get("amount"),
        )
        _register(recovery.award)

    def notify(recovery: Recovery, transition: Transition) -> None:
        award_notify(
            award=recovery.award,
            key=f"recovery:{recovery.pk}:{recovery.history.count()}",
            title=_("Recovery: %(status)s, %(left)s yuan still due")
            % {"status": recovery.get_status_display(), "left": recovery.outstanding},
            body=comment,
        )

    return transition_apply(
        model=Recovery,
        pk=recovery_id,
        workflow=wf.RECOVERY_WORKFLOW,
        action=action,
        actor=actor,
        change=change,
        history=history,
        notify=notify,
        comment=comment,
        expected=_expected(expected_status),
    )
