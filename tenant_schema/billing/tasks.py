"""Mail and the hourly job of value-added services; thin wrappers that run in the sender's schema."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from every_schema.accounts import roles
from saas.celery import app
from saas.mail import mail_send_once
from tenant_schema.enterprises.models import Membership

from .models import Payment, Subscription
from .services import current_tenant, payment_duplicate_refund, subscriptions_sweep


def _send_once(key: str, template: str, context: dict, recipients: list[str]) -> bool:
    """Send unless this exact notice already went (a redelivered task sends nothing; the key carries the schema)."""
    if not recipients:
        return False

    def send():
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"billing/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"billing/email/{template}.txt", context)
        send_mail(subject, body, None, recipients)

    return mail_send_once(key, send)


def _enterprise_recipients(subscription: Subscription) -> list[str]:
    return list(
        Membership.objects.filter(enterprise_id=subscription.enterprise_id, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def _context(subscription: Subscription, path: str) -> dict:
    from public_schema.tenants.services import tenant_site_url

    tenant = current_tenant()
    return {
        "subscription": subscription,
        "service": subscription.service,
        "enterprise": subscription.enterprise,
        "site_name": tenant.name,
        "link": tenant_site_url(tenant=tenant, path=path),
    }


@app.task(name="billing.subscription_activated_notify")
def subscription_activated_notify_task(*, subscription_id: int) -> bool:
    """Tell the enterprise its term has started and until when."""
    subscription = (
        Subscription.objects.select_related("service", "enterprise").filter(pk=subscription_id).first()
    )
    if subscription is None or subscription.status != Subscription.Status.ACTIVE:
        return False
    # The term's own dates are part of the key: ids restart in a fresh database, notices must not.
    key = f"billing-activated:{subscription.pk}:{subscription.activated_at.isoformat()}"
    context = _context(subscription, f"/services/subscriptions/{subscription.pk}/")
    sent = _send_once(key, "activated", context, _enterprise_recipients(subscription))
    if subscription.payments.filter(
        status=Payment.Status.SUCCEEDED, method__in=(Payment.Method.STRIPE, Payment.Method.OFFLINE)
    ).exists():
        # Someone else confirmed the money (Stripe, the park on receipt of a transfer): the
        # enterprise's people also see it in the app. A voucher or a free service started at
        # their own click, which needs no notice to themselves beyond the receipt mail.
        _notify_in_app(subscription, key, context)
    return sent


def _notify_in_app(subscription: Subscription, key: str, context: dict) -> None:
    from tenant_schema.notifications.services import notification_send

    with translation.override(settings.LANGUAGE_CODE):
        title = render_to_string("billing/email/activated_subject.txt", context).strip()
        body = render_to_string("billing/email/activated.txt", context).strip()
    members = Membership.objects.filter(enterprise_id=subscription.enterprise_id, user__is_active=True)
    notification_send(
        user_ids=list(members.values_list("user_id", flat=True)),
        title=title,
        body=body,
        link=f"/services/subscriptions/{subscription.pk}/",
        dedupe_key=key,
        already_emailed=True,  # the mail above is the email of this notice
    )


@app.task(name="billing.subscription_reminder_notify")
def subscription_reminder_notify_task(*, subscription_id: int, days: int) -> bool:
    """Remind the enterprise that a term ends in `days` days, with a link to renew."""
    subscription = (
        Subscription.objects.select_related("service", "enterprise").filter(pk=subscription_id).first()
    )
    if subscription is None or subscription.status != Subscription.Status.ACTIVE:
        return False
    context = _context(
        subscription, f"/services/{subscription.service_id}/checkout/?renews={subscription.pk}"
    )
    context["days"] = days
    return _send_once(
        f"billing-reminder:{subscription.pk}:{subscription.ends_at.isoformat()}:{days}",
        "reminder",
        context,
        _enterprise_recipients(subscription),
    )


@app.task(name="billing.transfer_requested_notify")
def transfer_requested_notify_task(*, subscription_id: int) -> bool:
    """Tell the park's administrators that an enterprise will pay by bank transfer."""
    subscription = (
        Subscription.objects.select_related("service", "enterprise").filter(pk=subscription_id).first()
    )
    if subscription is None or subscription.status != Subscription.Status.PENDING_PAYMENT:
        return False
    group = Group.objects.filter(name=roles.PARK_ADMIN).first()
    recipients = list(group.user_set.filter(is_active=True).values_list("email", flat=True)) if group else []
    return _send_once(
        f"billing-transfer:{subscription.pk}:{subscription.created_at.isoformat()}",
        "transfer_requested",
        _context(subscription, "/park/services/subscriptions/?status=pending_payment"),
        recipients,
    )


@app.task(name="billing.duplicate_refunded_notify")
def duplicate_refunded_notify_task(*, payment_id: int) -> bool:
    """Tell the enterprise's people, in the app and by mail, that a second payment for one order was refunded."""
    from tenant_schema.notifications.services import notification_send

    payment = (
        Payment.objects.select_related("subscription__service", "subscription__enterprise")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None or payment.status != Payment.Status.REFUNDED:
        return False
    subscription = payment.subscription
    context = {**_context(subscription, f"/services/subscriptions/{subscription.pk}/"), "payment": payment}
    with translation.override(settings.LANGUAGE_CODE):
        title = render_to_string("billing/email/duplicate_refunded_subject.txt", context).strip()
        body = render_to_string("billing/email/duplicate_refunded.txt", context).strip()
    members = Membership.objects.filter(enterprise_id=subscription.enterprise_id, user__is_active=True)
    sent = notification_send(
        user_ids=list(members.values_list("user_id", flat=True)),
        title=title,
        body=body,
        link=f"/services/subscriptions/{subscription.pk}/",
        # Ids restart in a fresh database; the payment's idempotency key does not.
        dedupe_key=f"billing-duplicate-refunded:{payment.idempotency_key}",
    )
    return sent > 0


@app.task(name="billing.subscriptions_sweep")
def subscriptions_sweep_task() -> dict:
    """One tenant's expiries and reminders; safe to run twice."""
    return subscriptions_sweep()


@app.task(name="billing.subscriptions_sweep_all")
def subscriptions_sweep_all_task() -> int:
    """Beat runs this in the public schema; it queues the sweep in every live tenant's schema."""
    from public_schema.tenants.models import Tenant

    # Suspended tenants too: their terms still end on time and their enterprises still hear of it.
    schemas = list(Tenant.objects.live().values_list("schema_name", flat=True))
    for schema_name in schemas:
        subscriptions_sweep_task.apply_async(headers={"_schema_name": schema_name})
    return len(schemas)


@app.task(
    name="billing.payment_duplicate_refund", autoretry_for=(Exception,), retry_backoff=60, max_retries=8
)
def payment_duplicate_refund_task(*, payment_id: int) -> bool:
    """Give back a second payment for an order already paid; Stripe being down retries with backoff."""
    return payment_duplicate_refund(payment_id=payment_id)
