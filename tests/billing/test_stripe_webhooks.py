"""Stripe Checkout and webhooks, through the real stripe SDK against the fake Stripe server.

Webhooks are signed exactly as Stripe signs them and delivered to the one endpoint on the
hub host; the subscription follows what Stripe says about the Checkout Session, not the
order in which events arrive.
"""

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from public_schema.stripe_events.models import StripeEvent
from tenant_schema.billing.models import Payment, Subscription, SubscriptionHistory
from tenant_schema.billing.selectors import subscription_entitles
from tenant_schema.billing.services import add_months, subscription_checkout

from ..conftest import ALPHA, BETA, HUB_HOST, HostClient
from .conftest import post_event


def _checkout(buyer, service, **kwargs):
    with schema_context(ALPHA):
        return subscription_checkout(
            actor=buyer.user, service=service, term_months=3, method="stripe", **kwargs
        )


def _activations(subscription) -> int:
    with schema_context(ALPHA):
        return SubscriptionHistory.objects.filter(
            subscription=subscription, to_status=Subscription.Status.ACTIVE
        ).count()


def _reload(subscription) -> Subscription:
    with schema_context(ALPHA):
        return Subscription.objects.get(pk=subscription.pk)


def test_checkout_asks_stripe_for_our_amount_in_cny_with_metadata_and_an_idempotency_key(
    fake_stripe, buyer, service
):
    checkout = _checkout(buyer, service)
    session = fake_stripe.session(checkout.payment.stripe_session_id)
    request = next(r for r in fake_stripe.requests if r["path"] == "/v1/checkout/sessions")
    params = request["params"]

    assert checkout.redirect_url == session["url"]
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"] == {
        "currency": "cny",
        "unit_amount": "30000",
        "product_data": {"name": params["line_items"][0]["price_data"]["product_data"]["name"]},
    }  # 3 months × ¥100.00, in fen
    assert params["metadata"] == {
        "parkhub_tenant": ALPHA,
        "parkhub_subscription": str(checkout.subscription.pk),
        "parkhub_payment": str(checkout.payment.pk),
    }
    assert params["payment_intent_data"]["metadata"] == params["metadata"]
    assert request["idempotency_key"] == f"parkhub-checkout-{checkout.payment.idempotency_key}"
    assert (
        params["success_url"].startswith(f"http://{ALPHA}.")
        and "/services/subscriptions/" in params["success_url"]
    )
    assert params["cancel_url"].startswith(f"http://{ALPHA}.")
    # Nothing is granted until Stripe confirms the payment.
    assert checkout.subscription.status == Subscription.Status.PENDING_PAYMENT
    with schema_context(ALPHA):
        assert not subscription_entitles(enterprise=buyer.enterprise, service=service)


def test_each_payment_attempt_has_its_own_idempotency_key(fake_stripe, buyer, service):
    from tenant_schema.billing.services import subscription_pay_online

    checkout = _checkout(buyer, service)
    with schema_context(ALPHA):
        # Paying again within the session's life reopens the same session: no second charge possible.
        assert (
            subscription_pay_online(actor=buyer.user, subscription=checkout.subscription).pk
            == checkout.payment.pk
        )
        Payment.objects.filter(pk=checkout.payment.pk).update(
            created_at=timezone.now() - timezone.timedelta(hours=2)
        )
        retry = subscription_pay_online(actor=buyer.user, subscription=checkout.subscription)
    assert retry.pk != checkout.payment.pk and retry.idempotency_key != checkout.payment.idempotency_key
    keys = [r["idempotency_key"] for r in fake_stripe.requests if r["path"] == "/v1/checkout/sessions"]
    assert keys == [
        f"parkhub-checkout-{checkout.payment.idempotency_key}",
        f"parkhub-checkout-{retry.idempotency_key}",
    ]


def test_completed_checkout_activates_the_subscription_with_the_right_end_date(
    fake_stripe, buyer, service, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    checkout = _checkout(buyer, service)
    session = fake_stripe.complete(checkout.payment.stripe_session_id)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(fake_stripe.event("checkout.session.completed", session))
    assert response.status_code == 200, response.content

    subscription = _reload(checkout.subscription)
    assert subscription.status == Subscription.Status.ACTIVE
    assert before <= subscription.starts_at <= timezone.now()
    assert subscription.ends_at == add_months(subscription.starts_at, 3)
    local_start, local_end = (
        timezone.localtime(subscription.starts_at),
        timezone.localtime(subscription.ends_at),
    )
    assert (local_end.year * 12 + local_end.month) - (local_start.year * 12 + local_start.month) == 3
    with schema_context(ALPHA):
        assert subscription_entitles(enterprise=buyer.enterprise, service=service)
        payment = Payment.objects.get(pk=checkout.payment.pk)
        assert (
            payment.status == Payment.Status.SUCCEEDED
            and payment.stripe_payment_intent_id == session["payment_intent"]
        )
    connection.set_schema_to_public()
    event = StripeEvent.objects.get(
        type="checkout.session.completed", tenant_schema=ALPHA, payload__data__object__id=session["id"]
    )
    assert event.status == StripeEvent.Status.PROCESSED
    assert [mail.to for mail in mailoutbox] == [[buyer.user.email]]
    assert service.name in mailoutbox[0].subject


def test_the_same_event_five_times_in_a_row_activates_once_and_mails_once(
    fake_stripe, buyer, service, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    checkout = _checkout(buyer, service)
    payload = fake_stripe.event(
        "checkout.session.completed", fake_stripe.complete(checkout.payment.stripe_session_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        answers = [post_event(payload) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.content for a in answers] == [b"ok"] + [b"duplicate"] * 4
    assert _activations(checkout.subscription) == 1
    connection.set_schema_to_public()
    assert (
        StripeEvent.objects.filter(payload__data__object__id=checkout.payment.stripe_session_id).count() == 1
    )
    assert len(mailoutbox) == 1


def test_different_events_about_one_payment_activate_it_once(
    fake_stripe, buyer, service, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    checkout = _checkout(buyer, service)
    session = fake_stripe.complete(checkout.payment.stripe_session_id)
    with schema_context(ALPHA):
        intent = {
            "id": session["payment_intent"],
            "object": "payment_intent",
            "metadata": session["metadata"],
            "status": "succeeded",
        }
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(fake_stripe.event("payment_intent.succeeded", intent)).status_code == 200
        assert post_event(fake_stripe.event("checkout.session.completed", session)).status_code == 200
    assert _activations(checkout.subscription) == 1 and len(mailoutbox) == 1


def test_a_refund_arriving_before_the_completion_ends_refunded_without_access(
    fake_stripe, buyer, service, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    checkout = _checkout(buyer, service)
    session = fake_stripe.complete(checkout.payment.stripe_session_id)
    fake_stripe.refund(session["payment_intent"])
    charge = fake_stripe.charge_of(session["payment_intent"])  # a charge carries no metadata of ours
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(fake_stripe.event("charge.refunded", charge)).status_code == 200
        assert _reload(checkout.subscription).status == Subscription.Status.REFUNDED
        # The completion, arriving late, cannot bring the subscription back.
        assert (
            post_event(
                fake_stripe.event("checkout.session.completed", fake_stripe.session(session["id"]))
            ).status_code
            == 200
        )

    subscription = _reload(checkout.subscription)
    assert subscription.status == Subscription.Status.REFUNDED
    assert _activations(subscription) == 0
    with schema_context(ALPHA):
        assert not subscription_entitles(enterprise=buyer.enterprise, service=service)
        assert Payment.objects.get(pk=checkout.payment.pk).status == Payment.Status.REFUNDED
    assert mailoutbox == []


def test_a_refund_after_activation_ends_access(
    fake_stripe, buyer, service, django_capture_on_commit_callbacks
):
    checkout = _checkout(buyer, service)
    session = fake_stripe.complete(checkout.payment.stripe_session_id)
    post_event(fake_stripe.event("checkout.session.completed", session))
    with schema_context(ALPHA):
        assert subscription_entitles(enterprise=buyer.enterprise, service=service)
    refund = fake_stripe.refund(session["payment_intent"])
    assert post_event(fake_stripe.event("refund.created", refund)).status_code == 200
    assert _reload(checkout.subscription).status == Subscription.Status.REFUNDED
    with schema_context(ALPHA):
        assert not subscription_entitles(enterprise=buyer.enterprise, service=service)


@pytest.mark.parametrize("forgery", ["wrong secret", "changed byte", "six minutes old", "no signature"])
def test_a_forged_altered_or_stale_webhook_is_refused_and_changes_nothing(
    fake_stripe, buyer, service, forgery
):
    checkout = _checkout(buyer, service)
    payload = fake_stripe.event(
        "checkout.session.completed", fake_stripe.complete(checkout.payment.stripe_session_id)
    )
    events_before = StripeEvent.objects.count()
    if forgery == "wrong secret":
        response = post_event(payload, secret="whsec_someone_else")
    elif forgery == "changed byte":
        tampered = payload.replace('"amount_total":30000', '"amount_total":30001')
        assert tampered != payload
        response = post_event(payload, body=tampered)
    elif forgery == "six minutes old":
        response = post_event(payload, timestamp=int(time.time()) - 360)
    else:
        response = HostClient(HUB_HOST).post(
            "/stripe/webhook/", data=payload, content_type="application/json"
        )
    assert response.status_code == 400
    connection.set_schema_to_public()
    assert StripeEvent.objects.count() == events_before
    assert _reload(checkout.subscription).status == Subscription.Status.PENDING_PAYMENT


def test_the_webhook_lives_on_the_hub_host_only(db, fake_stripe, client_a):
    assert client_a.post("/stripe/webhook/", data="{}", content_type="application/json").status_code == 404


def test_an_event_naming_another_tenant_touches_nothing_there(fake_stripe, buyer, service):
    """Metadata saying "beta" with alpha's ids finds no such payment in beta: the event is ignored."""
    checkout = _checkout(buyer, service)
    session = fake_stripe.complete(checkout.payment.stripe_session_id)
    session["metadata"] = {**session["metadata"], "parkhub_tenant": BETA}
    assert post_event(fake_stripe.event("checkout.session.completed", session)).status_code == 200
    connection.set_schema_to_public()
    assert (
        StripeEvent.objects.get(payload__data__object__id=session["id"]).status == StripeEvent.Status.IGNORED
    )
    assert _reload(checkout.subscription).status == Subscription.Status.PENDING_PAYMENT


def test_returning_from_stripe_confirms_the_payment_without_waiting_for_the_webhook(
    fake_stripe, buyer, service
):
    checkout = _checkout(buyer, service)
    fake_stripe.complete(checkout.payment.stripe_session_id)
    from ..conftest import host_of

    client = HostClient(host_of(ALPHA))
    client.force_login(buyer.user)
    response = client.get(
        f"/services/subscriptions/{checkout.subscription.pk}/?checkout=success&session_id={checkout.payment.stripe_session_id}"
    )
    assert response.status_code == 200
    assert _reload(checkout.subscription).status == Subscription.Status.ACTIVE


# ---------------------------------------------------------------------------
# Concurrency: real transactions, several threads at once
# ---------------------------------------------------------------------------


def _deliver_concurrently(payload: str, copies: int) -> list[int]:
    barrier = threading.Barrier(copies)
    statuses: list[int] = []
    lock = threading.Lock()

    def deliver():
        try:
            barrier.wait()
            status = post_event(payload).status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_the_same_event_five_times_at_once_activates_once_and_mails_once(
    fake_stripe, committed_shop, tasks_inline, mailoutbox
):
    checkout = _checkout(committed_shop.x, committed_shop.service)
    payload = fake_stripe.event(
        "checkout.session.completed", fake_stripe.complete(checkout.payment.stripe_session_id)
    )
    try:
        assert sorted(_deliver_concurrently(payload, 5)) == [200] * 5
        assert _activations(checkout.subscription) == 1
        assert _reload(checkout.subscription).status == Subscription.Status.ACTIVE
        connection.set_schema_to_public()
        assert (
            StripeEvent.objects.filter(payload__data__object__id=checkout.payment.stripe_session_id).count()
            == 1
        )
        assert [mail.to for mail in mailoutbox] == [[committed_shop.x.user.email]]
    finally:
        connection.set_schema_to_public()
        StripeEvent.objects.filter(payload__data__object__id=checkout.payment.stripe_session_id).delete()


def test_without_stripe_keys_online_payment_is_refused(no_stripe, buyer, service):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused, schema_context(ALPHA):
        subscription_checkout(actor=buyer.user, service=service, term_months=3, method="stripe")
    assert "method" in refused.value.message_dict
    with schema_context(ALPHA):
        assert not Subscription.objects.filter(enterprise=buyer.enterprise).exists()


def test_paying_twice_for_one_order_refunds_the_second_payment_and_keeps_the_term(
    fake_stripe, buyer, service, tasks_inline, mailoutbox, django_capture_on_commit_callbacks
):
    from tenant_schema.billing.services import CHECKOUT_SESSION_REUSE, subscription_pay_online

    first = _checkout(buyer, service)
    with schema_context(ALPHA):
        # The first tab's session is old enough that "Pay now" in a second tab opens another one.
        Payment.objects.filter(pk=first.payment.pk).update(created_at=timezone.now() - CHECKOUT_SESSION_REUSE)
        second = subscription_pay_online(actor=buyer.user, subscription=first.subscription)
    assert second.pk != first.payment.pk and second.stripe_session_id != first.payment.stripe_session_id

    first_paid = fake_stripe.complete(first.payment.stripe_session_id)
    second_paid = fake_stripe.complete(second.stripe_session_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(fake_stripe.event("checkout.session.completed", first_paid)).status_code == 200
        assert post_event(fake_stripe.event("checkout.session.completed", second_paid)).status_code == 200

    refunds = [r for r in fake_stripe.requests if r["path"] == "/v1/refunds"]
    assert [r["params"]["payment_intent"] for r in refunds] == [second_paid["payment_intent"]]
    assert refunds[0]["idempotency_key"]
    with schema_context(ALPHA):
        assert Payment.objects.get(pk=first.payment.pk).status == Payment.Status.SUCCEEDED
        assert Payment.objects.get(pk=second.pk).status == Payment.Status.REFUNDED
    assert (
        _reload(first.subscription).status == Subscription.Status.ACTIVE
        and _activations(first.subscription) == 1
    )
    # The enterprise is told why a second charge will come back (once, however often the task runs).
    from tenant_schema.billing.tasks import duplicate_refunded_notify_task
    from tenant_schema.notifications.models import Notification

    with schema_context(ALPHA):
        assert duplicate_refunded_notify_task.run(payment_id=second.pk) is False  # already told
        told = Notification.objects.get(user=buyer.user, dedupe_key__startswith="billing-duplicate-refunded:")
    assert "退款" in told.title and service.name in told.body and "订阅不受影响" in told.body

    # Stripe's own refund event about the second payment, arriving afterwards, leaves the term alone.
    with django_capture_on_commit_callbacks(execute=True):
        charge = fake_stripe.charge_of(second_paid["payment_intent"])
        assert post_event(fake_stripe.event("charge.refunded", charge)).status_code == 200
    assert _reload(first.subscription).status == Subscription.Status.ACTIVE
    with schema_context(ALPHA):
        assert subscription_entitles(enterprise=buyer.enterprise, service=service)
    assert len([r for r in fake_stripe.requests if r["path"] == "/v1/refunds"]) == 1
    assert len(mailoutbox) == 1  # the one "your service has started" mail
