"""A subscription's term: its moves, its start once paid, its end, and the hourly sweep.

Every status change of a subscription goes through `subscription_transition`, which
applies the subscription workflow (tenant_schema/billing/workflow.py) through saas.workflow.transition_apply:
the row locked, the move checked, saved with update_fields and a row written to the
subscription's append-only history. Payment confirmations (Stripe, offline receipt,
voucher) all end in `subscription_activate`, which is idempotent: a second confirmation
of the same payment changes nothing and sends nothing.
"""

import calendar
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.celery import send_on_commit
from tenant_schema.enterprises.models import Enterprise

from .. import workflow as wf
from ..models import Payment, Service, Subscription
from .moves import billing_move

User = get_user_model()


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` later in Asia/Shanghai; the 31st becomes the month's last day."""
    local = timezone.localtime(moment)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def subscription_transition(
    *, subscription: Subscription, to_status: str, actor: User | None = None, note: str = "", **fields
) -> bool:
    """Move a subscription (already locked by the caller) and record it; False when it is already there.

    An illegal move is refused with a message; a repeat of the move just made is a no-op,
    which is what makes duplicate webhooks and double clicks harmless.
    """
    if subscription.status == to_status:
        return False
    transition = wf.action_to(wf.SUBSCRIPTION_WORKFLOW, subscription.status, to_status)
    if transition is None:
        raise ValidationError(
            _("A subscription that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Subscription.Status(subscription.status).label,
                "target": Subscription.Status(to_status).label,
            }
        )
    billing_move(
        obj=subscription,
        action=transition.action,
        enterprise_id=subscription.enterprise_id,
        actor=actor,
        comment=note,
        **fields,
    )
    return True


def subscription_lock(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().get(pk=subscription.pk)


def coverage_end(*, enterprise: Enterprise, service: Service, now: datetime, exclude_pk: int | None = None):
    """When the enterprise's paid access to the service runs out (None if it has none now)."""
    return (
        Subscription.objects.filter(
            enterprise=enterprise, service=service, status=Subscription.Status.ACTIVE, ends_at__gt=now
        )
        .exclude(pk=exclude_pk)
        .aggregate(end=Max("ends_at"))["end"]
    )


def subscription_activate(
    *, payment: Payment, actor: User | None = None, now: datetime | None = None
) -> bool:
    """Payment confirmed: the term starts now, or where the enterprise's current term ends (a renewal).

    Runs inside the caller's transaction or its own; locks the enterprise first so two
    renewals confirmed at the same moment line up one after the other instead of overlapping.
    Returns True only for the confirmation that actually started the term.
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscription = payment.subscription
        Enterprise.objects.select_for_update().filter(pk=subscription.enterprise_id).first()
        subscription = subscription_lock(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            return False
        current_end = coverage_end(
            enterprise=subscription.enterprise,
            service=subscription.service,
            now=now,
            exclude_pk=subscription.pk,
        )
        starts_at = max(now, current_end) if current_end else now
        changed = subscription_transition(
            subscription=subscription,
            to_status=Subscription.Status.ACTIVE,
            actor=actor,
            note=Payment.Method(payment.method).label,
            starts_at=starts_at,
            ends_at=add_months(starts_at, subscription.term_months),
            activated_at=now,
        )
        if changed:
            from ..tasks import subscription_activated_notify_task

            send_on_commit(subscription_activated_notify_task, subscription_id=subscription.pk)
        return changed


def subscription_expire(*, subscription: Subscription, now: datetime | None = None) -> bool:
    """A term that has run out ends; access already stopped at ends_at (see selectors.subscription_entitles)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = subscription_lock(subscription)
        if subscription.status != Subscription.Status.ACTIVE or subscription.ends_at > now:
            return False
        return subscription_transition(subscription=subscription, to_status=Subscription.Status.EXPIRED)


def subscriptions_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The hourly job of one tenant: end terms that ran out, remind 7 days and 1 day before the end,
    cancel orders not paid by their deadline (freeing their vouchers).

    Each reminder is claimed by a conditional UPDATE of its stamp, in the transaction that
    queues the mail, so running the job twice (or two at once) sends it once. A term that
    a paid renewal continues needs no reminder.
    """
    now = now or timezone.now()
    expired = 0
    for subscription in Subscription.objects.filter(status=Subscription.Status.ACTIVE, ends_at__lte=now):
        expired += subscription_expire(subscription=subscription, now=now)
    reminded = sum(
        _remind(days=days, stamp=stamp, now=now)
        for days, stamp in ((1, "reminder_1d_sent_at"), (7, "reminder_7d_sent_at"))
    )
    from .transfers import subscriptions_lapse_unpaid  # transfers builds on this module

    return {"expired": expired, "reminded": reminded, "lapsed": subscriptions_lapse_unpaid(now=now)}


def _remind(*, days: int, stamp: str, now: datetime) -> int:
    """Claim and queue the `days`-before reminders still due; returns how many were queued."""
    from ..tasks import subscription_reminder_notify_task

    reminded = 0
    candidates = Subscription.objects.filter(
        status=Subscription.Status.ACTIVE,
        ends_at__gt=now,
        ends_at__lte=now + timedelta(days=days),
        **{f"{stamp}__isnull": True},
    )
    for subscription in candidates:
        continued = Subscription.objects.filter(
            enterprise_id=subscription.enterprise_id,
            service_id=subscription.service_id,
            status=Subscription.Status.ACTIVE,
            starts_at__gte=subscription.ends_at,
        ).exists()
        with transaction.atomic():
            # A late 1-day reminder stands in for the 7-day one: one notice, not two in a row.
            stamps = {stamp: now} if days == 7 else {"reminder_1d_sent_at": now, "reminder_7d_sent_at": now}
            claimed = Subscription.objects.filter(pk=subscription.pk, **{f"{stamp}__isnull": True}).update(
                **stamps
            )
            if claimed and not continued:
                send_on_commit(subscription_reminder_notify_task, subscription_id=subscription.pk, days=days)
                reminded += 1
    return reminded
