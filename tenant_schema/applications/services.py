"""Writes for applications. Every change of status goes through `application_transition`.

Drafts are edited with `application_create` / `application_update`; everything after
that is a transition of tenant_schema/applications/workflow.py applied by saas.workflow.transition_apply:
lock the row, check the move and the actor, save, write the history row, notify on commit.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from public_schema.hub.awards import award_record_add
from saas.uniqueness import unique_rules
from saas.workdays import working_days_after
from saas.workflow import NOT_SENT, Transition, transition_apply
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.funding.models import Programme, Stage
from tenant_schema.funding.selectors import programme_get_open
from tenant_schema.programme_forms.services import filed_form_submit_check

from . import workflow as wf
from .models import ONE_LIVE_APPLICATION, Application, ApplicationEvent

S = Application.Status


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 50000.00.")}) from None
    if amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount


def application_create(*, programme_id, enterprise, applicant, requested_amount, answers=None) -> Application:
    """Start a draft for an open programme; only one live application per enterprise and programme."""
    programme = programme_get_open(pk=programme_id)
    if enterprise.status != Enterprise.Status.VERIFIED:
        raise ValidationError(
            {
                "programme": _(
                    "Your enterprise is waiting for the park's verification; you can apply once it is verified."
                )
            }
        )
    amount = _money(requested_amount, "requested_amount")
    _check_cap(programme, amount, "requested_amount")
    # The rule itself is the partial unique index ONE_LIVE_APPLICATION: the check before is
    # only the common case; two requests at once both pass it, and the second insert is
    # refused by PostgreSQL with the same field error.
    if (
        Application.objects.filter(programme=programme, enterprise=enterprise)
        .exclude(status__in=[S.WITHDRAWN, S.REJECTED])
        .exists()
    ):
        raise ValidationError({ONE_LIVE_APPLICATION.field: str(ONE_LIVE_APPLICATION.message)})
    with unique_rules(ONE_LIVE_APPLICATION):
        return Application.objects.create(
            programme=programme,
            enterprise=enterprise,
            applicant=applicant,
            requested_amount=amount,
            answers=answers or {},
        )


def application_update(
    *, application: Application, actor, requested_amount=None, answers=None
) -> Application:
    """Edit a draft or a returned application (the enterprise's own people only)."""
    if application.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError(_("Only a draft or a returned application can be edited."))
    if not Membership.objects.filter(user=actor, enterprise_id=application.enterprise_id).exists():
        raise ValidationError(_("Only the enterprise's own people can edit its application."))
    if requested_amount is not None:
        application.requested_amount = _money(requested_amount, "requested_amount")
        _check_cap(application.programme, application.requested_amount, "requested_amount")
    if answers is not None:
        application.answers = answers
    application.save(update_fields=["requested_amount", "answers", "updated_at"])
    return application


def _check_cap(programme: Programme, amount: Decimal, field: str) -> None:
    if programme.per_enterprise_cap is not None and amount > programme.per_enterprise_cap:
        raise ValidationError(
            {field: _("The cap per enterprise is %(cap)s yuan.") % {"cap": programme.per_enterprise_cap}}
        )


def _stages(application: Application) -> list[Stage]:
    return list(application.programme.stages.all())


def _enter(application: Application, stage: Stage | None, now) -> None:
    application.current_stage = stage
    application.stage_entered_at = now if stage else None
    application.stage_due_at = working_days_after(now, stage.time_limit_days) if stage else None


def application_transition(
    *,
    application_id: int,
    action: str,
    actor,
    comment: str = "",
    amount=None,
    disbursed_on=None,
    expected_status: str | None = None,
    expected_stage=NOT_SENT,
) -> Application:
    """Apply one workflow action to an application, or refuse it with a message.

    `expected_status` / `expected_stage` (a stage id, None for "no stage") are the state the
    action was offered from; when the application has moved on since, the action is refused
    (StaleAction, 409) instead of being applied to the new state: a repeated advance never
    passes a second stage. Approvals lock the programme row, so concurrent approvals are
    serialised and the approved total never exceeds the budget nor any enterprise its cap.
    """
    expected = {}
    if expected_status:
        expected["status"] = expected_status
    if expected_stage is not NOT_SENT:
        expected["current_stage_id"] = expected_stage
    now = timezone.now()

    def change(application: Application, transition: Transition) -> dict:
        # Whether the move may be taken here at all (who, the stage, what follows it) is the
        # workflow's guard, checked before this runs; here only what the clerk sent and the
        # programme (open, documents supplied, budget) are checked.
        fields = ["current_stage", "stage_entered_at", "stage_due_at", "updated_at"]
        extra = {"from_stage": application.current_stage}
        if transition.action == wf.SUBMIT:
            _check_required_documents(application)
            filed_form_submit_check(application)  # the programme's form, fully valid
            if application.status == S.DRAFT:
                programme_get_open(pk=application.programme_id)  # closed programmes take no new submissions
                _enter(application, _stages(application)[0], now)
                application.submitted_at = now
                fields.append("submitted_at")
            else:  # back to the stage that returned it
                _enter(application, application.current_stage, now)
        elif transition.action == wf.ADVANCE:
            _enter(application, wf.following_stage(application), now)
        elif transition.action == wf.APPROVE:
            following = wf.following_stage(application)
            application.approved_amount = _approvable_amount(application, amount)
            application.decided_at = now
            fields += ["approved_amount", "decided_at"]
            extra["amount"] = application.approved_amount
            award_record_add(application=application, approved_at=now)  # city-wide duplicate-award registry
            _enter(application, following, now)
        elif transition.action in (wf.RETURN, wf.REJECT, wf.WITHDRAW):
            application.stage_due_at = None  # the clock stops while nobody at the park holds it
            if transition.action == wf.REJECT:
                application.decided_at = now
                fields.append("decided_at")
        elif transition.action == wf.DISBURSE:
            paid = _money(amount if amount is not None else application.approved_amount, "amount")
            if paid > application.approved_amount:
                raise ValidationError({"amount": _("More than the approved amount cannot be disbursed.")})
            application.disbursed_amount = paid
            application.disbursed_on = disbursed_on or timezone.localdate()
            application.stage_due_at = None
            fields += ["disbursed_amount", "disbursed_on"]
            extra["amount"] = paid
        extra["to_stage"] = application.current_stage
        extra["due_at"] = application.stage_due_at
        return {"update_fields": fields, **extra}

    def history(application: Application, transition: Transition, from_status: str, extra: dict):
        return ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=application.status,
            comment=extra.get("comment", ""),
            is_public=transition.public,
            due_at=extra.get("due_at"),
            from_stage=extra.get("from_stage"),
            to_stage=extra.get("to_stage"),
            amount=extra.get("amount"),
        )

    def notify(application: Application, transition: Transition) -> None:
        from .notices import application_changed_notify

        application_changed_notify(application=application, transition=transition)

    return transition_apply(
        model=Application,
        pk=application_id,
        workflow=wf.APPLICATION_WORKFLOW,
        action=action,
        actor=actor,
        change=change,
        history=history,
        notify=notify,
        comment=comment,
        expected=expected,
        describe=application_state_label,
    )


def application_state_label(application: Application) -> str:
    """The status and, while the park holds it, the stage's public name: "In review · 初审"."""
    stage = application.current_stage
    label = str(application.get_status_display())
    if stage is not None and application.status in (S.IN_REVIEW, S.APPROVED, S.RETURNED):
        label = f"{label} · {stage.public_name or stage.name}"
    return label


def _check_required_documents(application: Application) -> None:
    required = [name for name in application.programme.required_documents if name]
    supplied = set(application.attachments.values_list("document", flat=True))
    missing = [name for name in required if name not in supplied]
    if missing:
        raise ValidationError(
            {"attachments": _("Attach these documents first: %(names)s.") % {"names": "、".join(missing)}}
        )


def _approvable_amount(application: Application, amount) -> Decimal:
    amount = _money(amount, "amount")
    if amount > application.requested_amount:
        raise ValidationError({"amount": _("The award cannot exceed the amount requested.")})
    # Serialise approvals of this programme: the budget check and the save happen under this lock.
    programme = Programme.objects.select_for_update().get(pk=application.programme_id)
    awarded = programme.applications.filter(status__in=[S.APPROVED, S.DISBURSED]).exclude(pk=application.pk)
    total = awarded.aggregate(total=Sum("approved_amount"))["total"] or Decimal("0")
    if total + amount > programme.budget:
        raise ValidationError(
            {"amount": _("Only %(left)s yuan of the budget is left.") % {"left": programme.budget - total}}
        )
    if programme.per_enterprise_cap is not None:
        for_enterprise = awarded.filter(enterprise_id=application.enterprise_id).aggregate(
            total=Sum("approved_amount")
        )["total"] or Decimal("0")
        if for_enterprise + amount > programme.per_enterprise_cap:
            raise ValidationError(
                {
                    "amount": _("This enterprise's cap is %(cap)s yuan.")
                    % {"cap": programme.per_enterprise_cap}
                }
            )
    return amount


@transaction.atomic
def objection_file(*, application: Application, name: str, contact: str, text: str):
    """Anyone may object to an award during its public notice; the objection is recorded against it."""
    from .models import Objection

    stage = application.current_stage
    if not (application.status == S.APPROVED and stage is not None and stage.kind == Stage.Kind.NOTICE):
        raise ValidationError(_("Objections are accepted only while the award is on public notice."))
    errors = {}
    for field, value in (("name", name), ("contact", contact), ("text", text)):
        if not (value or "").strip():
            errors[field] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    return Objection.objects.create(
        application=application, name=name.strip(), contact=contact.strip(), text=text.strip()
    )


def application_deadlines_recount(*, previous) -> int:
    """Recount the stage deadlines that `previous.year`'s schedule made, after the hub changed it.

    Each keeps its length in working days (saas.workdays.deadline_recount); only open
    applications with a running clock are touched. Returns how many moved.
    """
    from saas.workdays import SHANGHAI, deadline_recount

    running = Application.objects.filter(stage_due_at__isnull=False, stage_entered_at__isnull=False).exclude(
        status__in=[S.DRAFT, S.REJECTED, S.WITHDRAWN]
    )
    touched, moved = [], 0
    for application in running.only("pk", "stage_entered_at", "stage_due_at"):
        recounted = deadline_recount(
            start=application.stage_entered_at, due=application.stage_due_at, previous=previous
        )
        if recounted is not None:
            application.stage_due_at = recounted
            moved += 1
        elif application.stage_due_at.astimezone(SHANGHAI).year != previous.year:
            continue
        # Touched even when the date stays: its page no longer shows the deadline as provisional,
        # and the kept pages (page_cache) are rebuilt when the row changes.
        application.updated_at = timezone.now()
        touched.append(application)
    Application.objects.bulk_update(touched, ["stage_due_at", "updated_at"], batch_size=500)
    return moved
