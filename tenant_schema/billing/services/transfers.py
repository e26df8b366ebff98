"""Paying by bank transfer (对公转账): the park's account, each order's deadline, and lapsing unpaid orders.

The park's administrator sets the account once (payee, bank, account number, working days
to pay); an order placed with something left to pay gets its deadline from it, and the
hourly sweep cancels orders still unpaid after their deadline, through the subscription
workflow's LAPSE move, freeing the voucher they held.
"""

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from saas.workdays import working_days_after

from .. import stripe_gateway
from .. import workflow as wf
from ..models import Payment, Subscription, TransferAccount
from . import access
from .moves import billing_move
from .payments import payment_sync_from_stripe
from .subscriptions import subscription_lock
from .vouchers import voucher_release

logger = logging.getLogger(__name__)
User = get_user_model()

TRANSFER_ACCOUNT_FIELDS = ("payee", "bank", "account_number", "days_to_pay", "note")


def transfer_account_save(*, actor: User, **fields) -> TransferAccount:
    """The park administrator sets the account enterprises transfer to; one per tenant (created or updated)."""
    access.require_park_admin(actor)
    values = {name: fields[name] for name in TRANSFER_ACCOUNT_FIELDS if name in fields}
    for name in ("payee", "bank", "account_number", "note"):
        if name in values:
            values[name] = (values[name] or "").strip()
    account, _created = TransferAccount.objects.update_or_create(
        singleton=True, defaults={**values, "updated_by": actor}
    )
    return account


def order_pay_by(*, ordered_at: datetime) -> datetime:
    """An order's payment deadline: the park's working days to pay after it was placed, at 17:30."""
    days = (
        TransferAccount.objects.values_list("days_to_pay", flat=True).first()
        or TransferAccount.DEFAULT_DAYS_TO_PAY
    )
    return working_days_after(ordered_at, days)


def subscriptions_lapse_unpaid(*, now: datetime | None = None) -> int:
    """Cancel every order whose payment deadline has passed; returns how many lapsed.

    Safe to run twice or at once: each order is decided under its row lock and the
    LAPSE move is taken only from "awaiting payment". An order with an open Stripe
    session is first brought in line with Stripe, so one paid at the last minute
    starts instead of lapsing; if Stripe cannot be asked, the order waits for the next run.
    """
    now = now or timezone.now()
    lapsed = 0
    due = Subscription.objects.filter(status=Subscription.Status.PENDING_PAYMENT, pay_by__lte=now)
    for subscription in due:
        stripe_pending = subscription.payments.filter(
            method=Payment.Method.STRIPE, status=Payment.Status.PENDING, stripe_session_id__isnull=False
        )
        try:
            if stripe_pending.exists() and stripe_gateway.stripe_enabled():
                for payment in stripe_pending:
                    payment_sync_from_stripe(payment=payment)
        except Exception as error:  # Stripe unreachable: decide next hour rather than guess
            logger.warning("lapse of order %s postponed, Stripe not reachable: %s", subscription.pk, error)
            continue
        lapsed += _lapse(subscription)
    return lapsed


def _lapse(subscription: Subscription) -> int:
    with transaction.atomic():
        subscription = subscription_lock(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            return 0
        billing_move(obj=subscription, action=wf.LAPSE, enterprise_id=subscription.enterprise_id)
        for payment in subscription.payments.select_for_update().filter(status=Payment.Status.PENDING):
            billing_move(obj=payment, action=wf.FAIL, enterprise_id=subscription.enterprise_id)
        if subscription.voucher_id:
            voucher_release(voucher_id=subscription.voucher_id, actor=None)
            subscription.voucher = None
            subscription.save(update_fields=["voucher", "updated_at"])
    return 1
