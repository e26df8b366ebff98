"""The one way billing's objects change status: saas.workflow.transition_apply, with a history row.

Subscriptions, payments and vouchers each have a workflow (tenant_schema/billing/workflow.py) and an
append-only history table. The billing services hold the row lock already (they decide
under it whether to move at all) and keep using their copy of the object afterwards, so
`billing_move` applies the transition and brings the caller's copy up to date.
"""

from django.db import models

from saas.workflow import Workflow, transition_apply

from ..models import Payment, PaymentHistory, Subscription, SubscriptionHistory, Voucher, VoucherHistory
from ..workflow import PAYMENT_WORKFLOW, SUBSCRIPTION_WORKFLOW, VOUCHER_WORKFLOW

# model -> (its workflow, its history model, the history's foreign key to it)
HISTORIES: dict[type[models.Model], tuple[Workflow, type[models.Model], str]] = {
    Subscription: (SUBSCRIPTION_WORKFLOW, SubscriptionHistory, "subscription"),
    Payment: (PAYMENT_WORKFLOW, PaymentHistory, "payment"),
    Voucher: (VOUCHER_WORKFLOW, VoucherHistory, "voucher"),
}


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def history_record(*, obj: models.Model, action: str, actor=None, comment: str = "") -> models.Model:
    """The first history row of a new order, payment attempt or voucher: from nothing to its first status."""
    _workflow, history_model, foreign_key = HISTORIES[type(obj)]
    return history_model.objects.create(
        **{foreign_key: obj},
        actor=_person(actor),
        action=action,
        from_status="",
        to_status=obj.status,
        comment=comment,
    )


def billing_move(
    *, obj: models.Model, action: str, enterprise_id: int, actor=None, comment: str = "", **fields
):
    """Apply `action` to `obj` through its workflow, setting `fields` too; returns `obj`, updated.

    Refused (TransitionRefused, a 409) when the workflow does not allow the move from the
    stored status or its actor rules (tenant_schema/billing/workflow.py) do not let the
    actor take it on this object. `enterprise_id` is the object's (kept for the callers;
    the rules read it from the locked row).
    """
    workflow, history_model, foreign_key = HISTORIES[type(obj)]

    def change(locked, transition) -> dict:
        for name, value in fields.items():
            setattr(locked, name, value)
        return {"update_fields": list(fields)}

    def history(locked, transition, from_status, extra):
        return history_model.objects.create(
            **{foreign_key: locked},
            actor=_person(actor),
            action=transition.action,
            from_status=from_status,
            to_status=locked.status,
            comment=extra.get("comment", ""),
        )

    saved = transition_apply(
        model=type(obj),
        pk=obj.pk,
        workflow=workflow,
        action=action,
        actor=actor,
        change=change,
        history=history,
        comment=comment,
    )
    # The caller's copy follows the saved row, as when the services set the fields themselves.
    for name in ("status", *fields, "updated_at"):
        if hasattr(saved, name):
            setattr(obj, name, getattr(saved, name))
    return obj
