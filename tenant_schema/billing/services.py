"""Writes for value-added services: catalogue, vouchers, checkout, payment confirmation, expiry, ratings.

Every status change of a subscription goes through `subscription_transition`, which locks
the row, checks the move against workflow.TRANSITIONS, saves with update_fields and writes
a history row. Payment confirmations (Stripe, offline receipt, voucher) all end in
`subscription_activate`, which is idempotent: a second confirmation of the same payment
changes nothing and sends nothing.
"""

import calendar
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from public_schema.hub.rollups import rollup_touch
from saas.celery import send_on_commit
from saas.uniqueness import unique_rules
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.selectors import enterprise_of_user

from . import stripe_gateway
from .models import (
    ONE_PENDING_ORDER,
    Payment,
    Provider,
    Rating,
    Service,
    Subscription,
    SubscriptionHistory,
    Voucher,
)
from .workflow import transition_allowed

logger = logging.getLogger(__name__)
User = get_user_model()

CENT = Decimal("0.01")
SERVICE_FIELDS = ("name", "description", "category", "provider", "price", "term_options", "is_active")
# A Checkout Session lives an hour; within that time "pay" reopens it instead of starting another.
CHECKOUT_SESSION_LIFETIME = timedelta(hours=1)
CHECKOUT_SESSION_REUSE = timedelta(minutes=50)
VOUCHER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` later in Asia/Shanghai; the 31st becomes the month's last day."""
    local = timezone.localtime(moment)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _require_park_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(roles.PARK_ADMIN)):
        raise PermissionDenied(_("Only a park administrator can do this."))


def _require_ordering_enterprise(actor: User, subscription: Subscription) -> None:
    """Paying for an order is the ordering enterprise's business alone (not the park's staff)."""
    enterprise = enterprise_of_user(user=actor) if actor is not None and actor.is_authenticated else None
    if enterprise is None or enterprise.pk != subscription.enterprise_id:
        raise PermissionDenied(_("Only the enterprise that placed this order can pay for it."))


def _require_ordering_enterprise_or_park_admin(actor: User, subscription: Subscription) -> None:
    """Cancelling an unpaid order: its enterprise, or a park administrator; a reviewer only looks."""
    if actor is not None and actor.is_authenticated and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN)):
        return
    enterprise = enterprise_of_user(user=actor) if actor is not None and actor.is_authenticated else None
    if enterprise is None or enterprise.pk != subscription.enterprise_id:
        raise PermissionDenied(_("Only the enterprise that placed this order, or a park administrator, can cancel it."))


# ---------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------


def _clean_terms(terms) -> list[int]:
    try:
        cleaned = sorted({int(term) for term in terms})
    except (TypeError, ValueError):
        cleaned = []
    if not cleaned or any(term < 1 or term > 60 for term in cleaned):
        raise ValidationError({"term_options": _("Offer at least one term between 1 and 60 months, e.g. 3, 6, 12.")})
    return cleaned


def service_create(*, actor: User, name: str, price: Decimal, **fields) -> Service:
    """The park adds a service to its catalogue; price 0 makes it a public-welfare service."""
    _require_park_admin(actor)
    service = Service(name=(name or "").strip(), price=Decimal(price))
    return _service_save(service, fields)


def service_update(*, actor: User, service: Service, **fields) -> Service:
    """Prices change for future orders only: a subscription keeps the price it was bought at."""
    _require_park_admin(actor)
    return _service_save(service, fields)


def _service_save(service: Service, fields: dict) -> Service:
    for field, value in fields.items():
        if field in SERVICE_FIELDS:
            setattr(service, field, value.strip() if isinstance(value, str) else value)
    if "term_options" in fields:
        service.term_options = _clean_terms(fields["term_options"])
    if not service.name:
        raise ValidationError({"name": _("Give the service a name.")})
    if service.price is None or Decimal(service.price) < 0:
        raise ValidationError({"price": _("The price cannot be negative; use 0 for a public-welfare service.")})
    service.price = Decimal(service.price).quantize(CENT)
    service.full_clean()
    service.save()
    return service


def provider_create(*, actor: User, name: str, description: str = "", contact: str = "") -> Provider:
    """A professional service institution that delivers some of the park's services."""
    _require_park_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the provider a name.")})
    if Provider.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A provider with this name already exists.")})
    return Provider.objects.create(name=name, description=description.strip(), contact=contact.strip())


# ---------------------------------------------------------------------------
# Vouchers (服务券)
# ---------------------------------------------------------------------------


def _voucher_code() -> str:
    body = "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(8))
    return f"FWQ-{body[:4]}-{body[4:]}"


def voucher_issue(
    *,
    actor: User,
    enterprise: Enterprise,
    kind: str,
    value: Decimal,
    expires_on,
    service: Service | None = None,
    note: str = "",
) -> Voucher:
    """The park gives one named enterprise a voucher: a fixed amount or a percentage off, until a date."""
    _require_park_admin(actor)
    value = Decimal(value).quantize(CENT)
    if kind not in Voucher.Kind.values:
        raise ValidationError({"kind": _("Choose a fixed amount or a percentage.")})
    if value <= 0 or (kind == Voucher.Kind.PERCENT and value > 100):
        raise ValidationError({"value": _("A voucher is worth more than 0, and a percentage at most 100.")})
    if expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date has already passed.")})
    for _attempt in range(5):
        code = _voucher_code()
        if not Voucher.objects.filter(code=code).exists():
            break
    return Voucher.objects.create(
        code=code, enterprise=enterprise, kind=kind, value=value, expires_on=expires_on,
        service=service, note=(note or "").strip(), issued_by=actor,
    )


def voucher_discount(*, voucher: Voucher | None, price: Decimal) -> Decimal:
    """What a voucher takes off a price: never more than the price itself."""
    if voucher is None:
        return Decimal("0.00")
    if voucher.kind == Voucher.Kind.PERCENT:
        discount = (price * voucher.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        discount = voucher.value
    return min(discount, price).quantize(CENT)


def _voucher_lock_for_use(*, code: str, enterprise: Enterprise, service: Service) -> Voucher:
    """Lock a voucher for this checkout. Another enterprise's voucher reads as "no such voucher"."""
    code = (code or "").strip().upper()
    voucher = Voucher.objects.select_for_update().filter(code=code, enterprise=enterprise).first()
    if voucher is None:
        raise ValidationError({"voucher_code": _("No such voucher for your enterprise. Check the code.")})
    if voucher.status == Voucher.Status.USED:
        raise ValidationError({"voucher_code": _("This voucher has already been used.")})
    if voucher.status == Voucher.Status.VOID:
        raise ValidationError({"voucher_code": _("This voucher was withdrawn by the park.")})
    if voucher.expires_on < timezone.localdate():
        raise ValidationError({"voucher_code": _("This voucher expired on %(date)s.") % {"date": voucher.expires_on}})
    if voucher.service_id and voucher.service_id != service.pk:
        raise ValidationError({"voucher_code": _("This voucher is for “%(service)s” only.") % {"service": voucher.service}})
    return voucher


def voucher_void(*, actor: User, voucher: Voucher) -> Voucher:
    """The park withdraws a voucher that has not been used."""
    _require_park_admin(actor)
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if voucher.status == Voucher.Status.USED:
            raise ValidationError(_("A used voucher cannot be withdrawn."))
        if voucher.status == Voucher.Status.VOID:  # a double-click: the first one withdrew it
            raise ValidationError(_("This voucher has already been withdrawn."))
        voucher.status = Voucher.Status.VOID
        voucher.save(update_fields=["status"])
    return voucher


# ---------------------------------------------------------------------------
# Subscription states
# ---------------------------------------------------------------------------


def subscription_transition(
    *, subscription: Subscription, to_status: str, actor: User | None = None, note: str = "", **fields
) -> bool:
    """Move a subscription (already locked by the caller) and record it; False when it is already there.

    An illegal move is refused with a message; a repeat of the move just made is a no-op,
    which is what makes duplicate webhooks and double clicks harmless.
    """
    if subscription.status == to_status:
        return False
    if not transition_allowed(subscription.status, to_status):
        raise ValidationError(
            _("A subscription that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Subscription.Status(subscription.status).label,
                "target": Subscription.Status(to_status).label,
            }
        )
    from_status = subscription.status
    subscription.status = to_status
    for field, value in fields.items():
        setattr(subscription, field, value)
    subscription.save(update_fields=["status", "updated_at", *fields])
    SubscriptionHistory.objects.create(
        subscription=subscription, from_status=from_status, to_status=to_status, actor=actor, note=note[:300]
    )
    rollup_touch()  # the hub's figures: refresh this tenant's rollups after commit
    return True


def _locked(subscription: Subscription) -> Subscription:
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


def subscription_activate(*, payment: Payment, actor: User | None = None, now: datetime | None = None) -> bool:
    """Payment confirmed: the term starts now, or where the enterprise's current term ends (a renewal).

    Runs inside the caller's transaction or its own; locks the enterprise first so two
    renewals confirmed at the same moment line up one after the other instead of overlapping.
    Returns True only for the confirmation that actually started the term.
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscription = payment.subscription
        Enterprise.objects.select_for_update().filter(pk=subscription.enterprise_id).first()
        subscription = _locked(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            return False
        current_end = coverage_end(
            enterprise=subscription.enterprise, service=subscription.service, now=now, exclude_pk=subscription.pk
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
            from .tasks import subscription_activated_notify_task

            send_on_commit(subscription_activated_notify_task, subscription_id=subscription.pk)
        return changed


def subscription_expire(*, subscription: Subscription, now: datetime | None = None) -> bool:
    """A term that has run out ends; access already stopped at ends_at (see selectors.subscription_entitles)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = _locked(subscription)
        if subscription.status != Subscription.Status.ACTIVE or subscription.ends_at > now:
            return False
        return subscription_transition(subscription=subscription, to_status=Subscription.Status.EXPIRED)


# ---------------------------------------------------------------------------
# Checkout
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkout:
    subscription: Subscription
    payment: Payment
    # Where to send the enterprise next: Stripe's payment page, or empty when nothing is left to pay online.
    redirect_url: str = ""


def _enterprise_for_purchase(actor: User) -> Enterprise:
    enterprise = enterprise_of_user(user=actor)
    if enterprise is None:
        raise PermissionDenied(_("Only an enterprise's own people can buy services for it."))
    if enterprise.status == Enterprise.Status.REJECTED:
        raise ValidationError(_("The park rejected your enterprise's registration; correct it before buying services."))
    return enterprise


def subscription_checkout(
    *,
    actor: User,
    service: Service,
    term_months: int,
    method: str = Payment.Method.STRIPE,
    voucher_code: str = "",
    renews: Subscription | None = None,
) -> Checkout:
    """An enterprise orders one term of a service.

    The price is ours (months × monthly price, minus the voucher); a voucher is bound to
    this subscription under a row lock, so it can never pay for two. Nothing left to pay
    (a covering voucher, a public-welfare service) starts the term at once without Stripe;
    otherwise the subscription waits for Stripe's confirmation or the park's receipt of a
    transfer.
    """
    enterprise = _enterprise_for_purchase(actor)
    errors = {}
    if not service.is_active:
        errors["service"] = _("This service is no longer offered.")
    try:
        term_months = int(term_months)
    except (TypeError, ValueError):
        term_months = 0
    if term_months not in service.term_options:
        errors["term_months"] = _("Choose one of the terms offered: %(terms)s months.") % {
            "terms": "、".join(str(term) for term in service.term_options)
        }
    if renews is not None and (renews.enterprise_id != enterprise.pk or renews.service_id != service.pk):
        errors["renews"] = _("You can only renew your own subscription to the same service.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pending = Subscription.objects.filter(
            enterprise=enterprise, service=service, status=Subscription.Status.PENDING_PAYMENT
        ).first()
        if pending is not None:  # the common case; the rule itself is the index ONE_PENDING_ORDER
            raise ValidationError({ONE_PENDING_ORDER.field: str(ONE_PENDING_ORDER.message)})
        voucher = (
            _voucher_lock_for_use(code=voucher_code, enterprise=enterprise, service=service)
            if (voucher_code or "").strip()
            else None
        )
        list_price = service.price_for(term_months)
        discount = voucher_discount(voucher=voucher, price=list_price)
        amount_due = list_price - discount
        if amount_due > 0:
            if method == Payment.Method.STRIPE and not stripe_gateway.stripe_enabled():
                raise ValidationError({"method": _("Online payment is not available here; choose a bank transfer.")})
            if method not in (Payment.Method.STRIPE, Payment.Method.OFFLINE):
                raise ValidationError({"method": _("Choose online payment or a bank transfer.")})
        else:
            method = Payment.Method.VOUCHER if voucher else Payment.Method.FREE
        with unique_rules(ONE_PENDING_ORDER):  # a concurrent checkout made it first: the same 400
            subscription = Subscription.objects.create(
                enterprise=enterprise, service=service, term_months=term_months, list_price=list_price,
                discount=discount, amount_due=amount_due, voucher=voucher, renews=renews, created_by=actor,
            )
        SubscriptionHistory.objects.create(
            subscription=subscription, to_status=subscription.status, actor=actor, note=_("Ordered")
        )
        if voucher is not None:
            voucher.status = Voucher.Status.USED
            voucher.used_at = timezone.now()
            voucher.save(update_fields=["status", "used_at"])
        payment = Payment.objects.create(
            subscription=subscription, method=method, amount=amount_due, idempotency_key=uuid.uuid4().hex
        )
        if amount_due == 0:
            _payment_succeed(payment, actor=actor)
            subscription_activate(payment=payment, actor=actor)
            subscription.refresh_from_db()
            return Checkout(subscription=subscription, payment=payment)
        if method == Payment.Method.OFFLINE:
            _notify_park_of_transfer(subscription)
            return Checkout(subscription=subscription, payment=payment)
    # Stripe is asked after our rows are committed, so the metadata it echoes back always names real rows.
    payment = payment_stripe_session_open(payment=payment, actor=actor)
    return Checkout(subscription=subscription, payment=payment, redirect_url=payment.checkout_url)


def _payment_succeed(payment: Payment, *, actor: User | None = None, now: datetime | None = None) -> bool:
    if payment.status == Payment.Status.SUCCEEDED:
        return False
    payment.status = Payment.Status.SUCCEEDED
    payment.confirmed_at = now or timezone.now()
    payment.confirmed_by = actor if actor and actor.is_authenticated else None
    payment.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return True


def _notify_park_of_transfer(subscription: Subscription) -> None:
    from .tasks import transfer_requested_notify_task

    send_on_commit(transfer_requested_notify_task, subscription_id=subscription.pk)


def current_tenant():
    """The tenant row of the current schema (a schema_context only carries a stand-in without domains)."""
    from public_schema.tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)


def payment_stripe_session_open(*, payment: Payment, actor: User | None = None) -> Payment:
    """Open (or reopen) the Stripe Checkout Session of one payment attempt.

    The attempt's idempotency key goes with the request, so a retry after a timeout gets
    the same session back from Stripe rather than a second one.
    """
    from public_schema.tenants.services import tenant_site_url

    if payment.stripe_session_id:
        return payment
    subscription = payment.subscription
    tenant = current_tenant()
    path = f"/services/subscriptions/{subscription.pk}/"
    metadata = {
        "parkhub_tenant": connection.schema_name,
        "parkhub_subscription": str(subscription.pk),
        "parkhub_payment": str(payment.pk),
    }
    product = _("%(service)s, %(months)d months") % {"service": subscription.service.name, "months": subscription.term_months}
    # Stripe fills in {CHECKOUT_SESSION_ID}; the page asks Stripe about that session on return.
    success_url = tenant_site_url(tenant=tenant, path=f"{path}?checkout=success&session_id={{CHECKOUT_SESSION_ID}}")
    cancel_url = tenant_site_url(tenant=tenant, path=f"{path}?checkout=cancelled")
    try:
        session = stripe_gateway.checkout_session_create(
            idempotency_key=f"parkhub-checkout-{payment.idempotency_key}",
            amount=payment.amount,
            product_name=product,
            success_url=success_url,
            cancel_url=cancel_url,
            metadata=metadata,
            customer_email=actor.email if actor and actor.is_authenticated else "",
            expires_at=int((timezone.now() + CHECKOUT_SESSION_LIFETIME).timestamp()),
        )
    except Exception as error:  # the SDK's errors, network failures
        logger.warning("Stripe checkout for subscription %s failed: %s", subscription.pk, error)
        raise ValidationError(
            _("The online payment service could not be reached. Your order is kept; try paying again in a moment.")
        ) from None
    Payment.objects.filter(pk=payment.pk, stripe_session_id__isnull=True).update(
        stripe_session_id=session.id, checkout_url=session.url
    )
    payment.refresh_from_db()
    return payment


def subscription_pay_online(*, actor: User, subscription: Subscription) -> Payment:
    """"Pay now" on a subscription that still waits: reopen a recent session, else a new attempt with a new key."""
    _require_ordering_enterprise(actor, subscription)
    if not stripe_gateway.stripe_enabled():
        raise ValidationError(_("Online payment is not available here; choose a bank transfer."))
    with transaction.atomic():
        subscription = _locked(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("This order is not waiting for payment."))
        recent = (
            subscription.payments.filter(
                method=Payment.Method.STRIPE,
                status=Payment.Status.PENDING,
                created_at__gt=timezone.now() - CHECKOUT_SESSION_REUSE,
            )
            .order_by("-created_at")
            .first()
        )
        if recent is None:
            subscription.payments.filter(method=Payment.Method.OFFLINE, status=Payment.Status.PENDING).update(
                status=Payment.Status.CANCELLED
            )
            recent = Payment.objects.create(
                subscription=subscription, method=Payment.Method.STRIPE, amount=subscription.amount_due,
                idempotency_key=uuid.uuid4().hex,
            )
    return payment_stripe_session_open(payment=recent, actor=actor)


def subscription_request_transfer(*, actor: User, subscription: Subscription, reference: str = "") -> Payment:
    """The enterprise will pay by bank transfer (对公转账); the park is told and confirms receipt later."""
    _require_ordering_enterprise(actor, subscription)
    with transaction.atomic():
        subscription = _locked(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("This order is not waiting for payment."))
        payment = subscription.payments.filter(method=Payment.Method.OFFLINE, status=Payment.Status.PENDING).first()
        if payment is None:
            payment = Payment.objects.create(
                subscription=subscription, method=Payment.Method.OFFLINE, amount=subscription.amount_due,
                idempotency_key=uuid.uuid4().hex,
            )
            _notify_park_of_transfer(subscription)
        if reference:
            payment.transfer_reference = reference.strip()[:100]
            payment.save(update_fields=["transfer_reference"])
    return payment


def subscription_confirm_transfer(*, actor: User, subscription: Subscription, reference: str = "") -> Subscription:
    """The park has received the transfer: the payment is recorded and the term starts now."""
    _require_park_admin(actor)
    with transaction.atomic():
        subscription = _locked(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("This order is not waiting for payment."))
        payment = subscription.payments.filter(
            method=Payment.Method.OFFLINE, status=Payment.Status.PENDING
        ).first()
        if payment is None:
            raise ValidationError(_("The enterprise has not chosen a bank transfer for this order."))
        if reference:
            payment.transfer_reference = reference.strip()[:100]
            payment.save(update_fields=["transfer_reference"])
        _payment_succeed(payment, actor=actor)
        subscription_activate(payment=payment, actor=actor)
    subscription.refresh_from_db()
    return subscription


def subscription_cancel(*, actor: User, subscription: Subscription) -> Subscription:
    """An order that was never paid is cancelled and its voucher freed.

    An open Stripe session is closed first; if Stripe says it was paid meanwhile, the
    payment wins and the subscription starts instead. Only the ordering enterprise or a
    park administrator may cancel (PermissionDenied otherwise, as the views answer 403).
    """
    _require_ordering_enterprise_or_park_admin(actor, subscription)
    for payment in subscription.payments.filter(method=Payment.Method.STRIPE, status=Payment.Status.PENDING):
        if payment.stripe_session_id:
            if stripe_gateway.checkout_state(session_id=payment.stripe_session_id).session_status == "open":
                stripe_gateway.checkout_session_expire(session_id=payment.stripe_session_id)
            payment_sync_from_stripe(payment=payment)
    with transaction.atomic():
        subscription = _locked(subscription)
        if subscription.status != Subscription.Status.PENDING_PAYMENT:
            raise ValidationError(_("Only an order that is waiting for payment can be cancelled."))
        subscription_transition(subscription=subscription, to_status=Subscription.Status.CANCELLED, actor=actor)
        subscription.payments.filter(status=Payment.Status.PENDING).update(status=Payment.Status.CANCELLED)
        if subscription.voucher_id:
            Voucher.objects.filter(pk=subscription.voucher_id).update(status=Voucher.Status.AVAILABLE, used_at=None)
            subscription.voucher = None
            subscription.save(update_fields=["voucher", "updated_at"])
    return subscription


def subscription_refund(*, actor: User, subscription: Subscription) -> Subscription:
    """The park refunds a paid term; access ends at once.

    A Stripe payment is refunded through Stripe (the webhook that follows finds the work
    done); a transfer is paid back by the park's finance office and only recorded here.
    """
    _require_park_admin(actor)
    paid = subscription.payments.filter(status=Payment.Status.SUCCEEDED).first()
    if subscription.status not in (Subscription.Status.ACTIVE, Subscription.Status.EXPIRED) or paid is None:
        raise ValidationError(_("Only a paid subscription can be refunded."))
    if paid.method == Payment.Method.STRIPE and paid.stripe_payment_intent_id:
        try:
            stripe_gateway.refund_create(
                payment_intent_id=paid.stripe_payment_intent_id, idempotency_key=f"parkhub-refund-{paid.idempotency_key}"
            )
        except Exception as error:
            logger.warning("Stripe refund for subscription %s failed: %s", subscription.pk, error)
            raise ValidationError(_("Stripe did not accept the refund; try again later.")) from None
    with transaction.atomic():
        _record_refund(payment=paid, actor=actor, end_access=True)
    subscription.refresh_from_db()
    return subscription


def _record_refund(
    *, payment: Payment, actor: User | None = None, now: datetime | None = None, end_access: bool = False
) -> bool:
    """The payment is refunded; the term ends too unless another confirmed payment still pays for it.

    An enterprise that paid twice (two tabs, two Checkout Sessions) keeps its term when the
    second payment is refunded (see payment_duplicate_refund); the park refunding a term
    (`end_access`) ends it whatever else was paid.
    """
    subscription = _locked(payment.subscription)
    if payment.status != Payment.Status.REFUNDED:
        payment.status = Payment.Status.REFUNDED
        payment.refunded_at = now or timezone.now()
        payment.save(update_fields=["status", "refunded_at"])
    if subscription.status == Subscription.Status.REFUNDED:
        return False
    still_paid = subscription.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk).exists()
    if still_paid and not end_access:
        return False
    return subscription_transition(
        subscription=subscription, to_status=Subscription.Status.REFUNDED, actor=actor, note=_("Refunded")
    )


# ---------------------------------------------------------------------------
# Stripe: follow the Checkout Session's state, whatever order events arrive in.
# ---------------------------------------------------------------------------


def payment_sync_from_stripe(*, payment: Payment) -> str:
    """Bring one Stripe payment and its subscription in line with what Stripe says now.

    Called for every webhook event about the payment and when the enterprise returns
    from Stripe. States only move forward (pending → paid → refunded), and each move is
    idempotent, so replays, duplicates and events out of order all end in the same place:
    a refund seen before the completion leaves the subscription refunded, never active.
    Returns the payment's resulting status.
    """
    if not payment.stripe_session_id:
        return payment.status
    state = stripe_gateway.checkout_state(session_id=payment.stripe_session_id)
    with transaction.atomic():
        # The order first: two payments for it are decided one after the other, so the second
        # sees the first (and is refunded) even when their webhooks arrive at the same moment.
        Subscription.objects.select_for_update().filter(pk=payment.subscription_id).first()
        payment = Payment.objects.select_for_update().select_related("subscription").get(pk=payment.pk)
        if state.payment_intent_id and payment.stripe_payment_intent_id != state.payment_intent_id:
            payment.stripe_payment_intent_id = state.payment_intent_id
            payment.save(update_fields=["stripe_payment_intent_id"])
        if state.paid or state.refunded:
            expected = stripe_gateway.to_fen(payment.amount)
            if state.amount_total != expected or state.currency != stripe_gateway.CURRENCY:
                # Never start a term on an amount we did not ask for; someone must look at it.
                raise ValueError(
                    f"Stripe session {state.session_id}: {state.amount_total} {state.currency}, expected {expected} cny"
                )
        if state.refunded:
            _record_refund(payment=payment)
        elif state.paid:
            if payment.status == Payment.Status.PENDING:
                _payment_succeed(payment)
                if payment.subscription.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk).exists():
                    # Paid twice for one order (a second tab, a second session): give this one back.
                    from .tasks import payment_duplicate_refund_task

                    logger.warning("duplicate Stripe payment %s for subscription %s: refunding", payment.pk, payment.subscription_id)
                    send_on_commit(payment_duplicate_refund_task, payment_id=payment.pk)
                    return payment.status
            if payment.status == Payment.Status.SUCCEEDED:
                if payment.subscription.status == Subscription.Status.CANCELLED:
                    logger.error("paid Stripe session %s for cancelled subscription %s", state.session_id, payment.subscription_id)
                else:
                    subscription_activate(payment=payment)
        elif state.expired and payment.status == Payment.Status.PENDING:
            payment.status = Payment.Status.FAILED
            payment.save(update_fields=["status"])
        return payment.status


def payment_duplicate_refund(*, payment_id: int) -> bool:
    """Refund through Stripe a payment made for an order another payment already paid.

    Safe to run twice: Stripe answers a repeated idempotency key with the first refund, and
    the refund is recorded once. The term stays, paid for by the other payment. The
    enterprise's people are told by mail and in the notification list (once).
    """
    payment = Payment.objects.select_related("subscription").filter(pk=payment_id).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED or not payment.stripe_payment_intent_id:
        return False
    others = payment.subscription.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk)
    if not others.exists():
        return False  # it is the one paying for the term after all
    stripe_gateway.refund_create(
        payment_intent_id=payment.stripe_payment_intent_id,
        idempotency_key=f"parkhub-duplicate-refund-{payment.idempotency_key}",
    )
    from .tasks import duplicate_refunded_notify_task

    with transaction.atomic():
        _record_refund(payment=Payment.objects.select_for_update().get(pk=payment.pk))
        # The enterprise sees a second charge on its card: tell it the money is on its way back.
        send_on_commit(duplicate_refunded_notify_task, payment_id=payment.pk)
    return True


def payment_for_stripe_metadata(*, metadata: dict) -> Payment | None:
    """Our payment attempt named in a Stripe object's metadata, in the current tenant's schema."""
    try:
        payment_id = int(metadata.get("parkhub_payment", ""))
        subscription_id = int(metadata.get("parkhub_subscription", ""))
    except (TypeError, ValueError):
        return None
    return Payment.objects.filter(
        pk=payment_id, subscription_id=subscription_id, method=Payment.Method.STRIPE
    ).first()


# ---------------------------------------------------------------------------
# Expiry and reminders
# ---------------------------------------------------------------------------


def subscriptions_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The hourly job of one tenant: end terms that ran out, remind 7 days and 1 day before the end.

    Each reminder is claimed by a conditional UPDATE of its stamp, in the transaction that
    queues the mail, so running the job twice (or two at once) sends it once. A term that
    a paid renewal continues needs no reminder.
    """
    from .tasks import subscription_reminder_notify_task

    now = now or timezone.now()
    expired = 0
    for subscription in Subscription.objects.filter(status=Subscription.Status.ACTIVE, ends_at__lte=now):
        expired += subscription_expire(subscription=subscription, now=now)
    reminded = 0
    for days, stamp in ((1, "reminder_1d_sent_at"), (7, "reminder_7d_sent_at")):
        candidates = Subscription.objects.filter(
            status=Subscription.Status.ACTIVE, ends_at__gt=now, ends_at__lte=now + timedelta(days=days),
            **{f"{stamp}__isnull": True},
        )
        for subscription in candidates:
            continued = Subscription.objects.filter(
                enterprise_id=subscription.enterprise_id, service_id=subscription.service_id,
                status=Subscription.Status.ACTIVE, starts_at__gte=subscription.ends_at,
            ).exists()
            with transaction.atomic():
                # A late 1-day reminder stands in for the 7-day one: one notice, not two in a row.
                stamps = {stamp: now} if days == 7 else {"reminder_1d_sent_at": now, "reminder_7d_sent_at": now}
                claimed = Subscription.objects.filter(pk=subscription.pk, **{f"{stamp}__isnull": True}).update(**stamps)
                if claimed and not continued:
                    send_on_commit(subscription_reminder_notify_task, subscription_id=subscription.pk, days=days)
                    reminded += 1
    return {"expired": expired, "reminded": reminded}


# ---------------------------------------------------------------------------
# Ratings
# ---------------------------------------------------------------------------


def rating_submit(*, actor: User, service: Service, score: int, comment: str = "") -> Rating:
    """An enterprise rates a service once it has used it (a term that has started); rating again replaces it."""
    enterprise = enterprise_of_user(user=actor)
    if enterprise is None:
        raise PermissionDenied(_("Only an enterprise's own people can rate a service."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Give 1 to 5 stars.")})
    used = Subscription.objects.filter(
        enterprise=enterprise, service=service,
        status__in=[Subscription.Status.ACTIVE, Subscription.Status.EXPIRED], starts_at__lte=timezone.now(),
    ).exists()
    if not used:
        raise ValidationError(_("You can rate a service after your enterprise has used it."))
    rating, _created = Rating.objects.update_or_create(
        enterprise=enterprise, service=service, defaults={"score": score, "comment": (comment or "").strip()[:2000]}
    )
    return rating
