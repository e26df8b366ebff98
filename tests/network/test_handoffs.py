"""The one way across a tenant boundary: an envelope is sent with the sender's record or not at all,
applied in the receiver's schema exactly once however often it is delivered, and stays pending,
visibly, until it is.

Alpha sends, beta receives, through the test kind "test.provider" (tests/support/handoff_receivers.py),
which writes providers in beta's schema named after the envelope's key. Deliveries run in this
process as a worker would run them; messages go to a queue of this module's own, read back from
Redis to see what was queued (the session's worker never takes them).
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from public_schema.network.handoffs import handoff_deliver, handoff_resend, handoff_send, handoff_sweep
from public_schema.network.models import Handoff
from public_schema.network.selectors import handoffs_pending_for, handoffs_stuck
from tenant_schema.billing.models import Provider

from ..conftest import ALPHA, BETA
from ..support.handoff_receivers import KIND, providers


def send(tenant_a, tenant_b, key, **payload) -> Handoff:
    return handoff_send(
        kind=KIND, sender=tenant_a, receiver=tenant_b, key=key, reference=key[:64], payload=payload
    )


@pytest.fixture
def committed_cleanup(committed_db, key):
    """What a committed test wrote: its envelopes and beta's providers."""
    yield
    connection.set_schema_to_public()
    Handoff.objects.filter(idempotency_key__startswith=key).delete()
    with connection.cursor() as cursor:
        for schema in (ALPHA, BETA):
            cursor.execute(f"DELETE FROM {schema}.{Provider._meta.db_table} WHERE name LIKE %s", [f"{key}%"])


# --- sending -------------------------------------------------------------------------------------


def test_a_send_rolled_back_with_the_senders_record_leaves_no_envelope_and_queues_nothing(
    committed_cleanup, tenant_a, tenant_b, key, queue
):
    with pytest.raises(RuntimeError), schema_context(ALPHA), transaction.atomic():
        Provider.objects.create(name=f"{key}:the sender's own record")  # in alpha's schema
        send(tenant_a, tenant_b, key, note="order 1")
        raise RuntimeError("the sender's transaction fails after the send")
    assert not Handoff.objects.filter(idempotency_key=key).exists()
    assert queue() == []
    assert providers(ALPHA, key) == [] and providers(BETA, key) == []


def test_a_committed_send_queues_one_delivery_after_the_commit(
    committed_cleanup, tenant_a, tenant_b, key, queue
):
    with schema_context(ALPHA), transaction.atomic():
        Provider.objects.create(name=f"{key}:the sender's own record")
        handoff = send(tenant_a, tenant_b, key)
        assert queue() == []  # not before the commit: the worker would not find the envelope
    assert queue() == [handoff.pk]
    assert list(handoffs_pending_for(reference=key[:64])) == [handoff]
    assert providers(ALPHA, key) == [f"{key}:the sender's own record"]
    # Delivered from the sender's schema (in-process): applied in beta's, and alpha's is active again.
    with schema_context(ALPHA):
        assert handoff_deliver(handoff_id=handoff.pk) is True
        assert connection.schema_name == ALPHA
    assert providers(BETA, key) == [key, f"{key}:first"]


def test_the_same_key_sent_twice_is_one_envelope(db, tenant_a, tenant_b, key):
    first = send(tenant_a, tenant_b, key, note="first")
    again = send(tenant_a, tenant_b, key, note="a retried request")
    assert again.pk == first.pk and again.payload == {"note": "first"}
    assert Handoff.objects.filter(idempotency_key=key).count() == 1


def test_the_same_key_sent_from_five_requests_at_once_is_one_envelope(
    committed_cleanup, tenant_a, tenant_b, key, queue
):
    start, sent, errors = threading.Barrier(5), [], []

    def send_once(note):
        try:
            start.wait()
            with transaction.atomic():
                sent.append(send(tenant_a, tenant_b, key, note=note).pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send_once, args=(f"request {i}",)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and len(sent) == 5 and len(set(sent)) == 1
    assert Handoff.objects.filter(idempotency_key=key).count() == 1


def test_a_second_receiver_for_a_kind_is_refused():
    from public_schema.network.handoffs import handoff_receiver

    with pytest.raises(ValueError):
        handoff_receiver(KIND)(lambda handoff: {})


def test_a_key_reused_for_other_parties_is_refused(db, tenant_a, tenant_b, key):
    send(tenant_a, tenant_b, key)
    with pytest.raises(ValueError):
        handoff_send(kind=KIND, sender=tenant_b, receiver=tenant_a, key=key, reference="x", payload={})


def test_a_kind_nobody_receives_is_refused_at_send(db, tenant_a, tenant_b, key):
    with pytest.raises(LookupError):
        handoff_send(
            kind="no.such.kind", sender=tenant_a, receiver=tenant_b, key=key, reference="x", payload={}
        )
    assert not Handoff.objects.filter(idempotency_key=key).exists()


# --- delivering ----------------------------------------------------------------------------------


def test_delivered_five_times_it_is_applied_once(db, tenant_a, tenant_b, key):
    handoff = send(tenant_a, tenant_b, key, note="order 1")
    assert [handoff_deliver(handoff_id=handoff.pk) for _ in range(5)] == [True, False, False, False, False]
    assert providers("beta", key) == [key, f"{key}:first"]
    assert providers("alpha", key) == []  # nothing in the sender's schema
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.DELIVERED and handoff.attempts == 1 and handoff.delivered_at
    assert handoff.result["provider_id"] > 0
    assert not handoffs_pending_for(reference=key[:64]).exists()


def test_delivered_from_five_threads_at_once_it_is_applied_once(
    committed_cleanup, tenant_a, tenant_b, key, queue
):
    # Each delivery holds the receiver's transaction open for a while, so the five overlap.
    handoff = send(tenant_a, tenant_b, key, hold_seconds=0.5)
    start, outcomes, errors = threading.Barrier(5), [], []

    def deliver():
        try:
            start.wait()
            outcomes.append(handoff_deliver(handoff_id=handoff.pk))
        except Exception as error:  # a second application would fail on the provider's unique name
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) == [False, False, False, False, True]
    assert providers("beta", key) == [key, f"{key}:first"]
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.DELIVERED and handoff.attempts == 1
    # And after the race, a late redelivery still finds nothing to do.
    assert handoff_deliver(handoff_id=handoff.pk) is False


def test_a_receiver_that_fails_leaves_the_envelope_pending_with_its_error_and_nothing_written(
    db, tenant_a, tenant_b, key
):
    handoff = send(tenant_a, tenant_b, key, fail_attempts=2)
    for attempt in (1, 2):
        with pytest.raises(RuntimeError):
            handoff_deliver(handoff_id=handoff.pk)
        handoff.refresh_from_db()
        assert handoff.state == Handoff.State.PENDING and handoff.attempts == attempt
        assert handoff.last_error == f"ReceiverBroke: the receiver broke on attempt {attempt}"
        assert handoff.last_attempt_at is not None
        # The row the receiver wrote before it broke was rolled back with the attempt.
        assert providers("beta", key) == []
        assert list(handoffs_pending_for(reference=key[:64])) == [handoff]
        assert handoff in handoffs_stuck(limit=10_000)

    assert handoff_deliver(handoff_id=handoff.pk) is True
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.DELIVERED and handoff.attempts == 3 and handoff.last_error == ""
    assert providers("beta", key) == [key, f"{key}:first"]
    assert handoff not in handoffs_stuck(limit=10_000)


def test_a_refusal_ends_the_envelope_refused_with_the_reason(db, tenant_a, tenant_b, key):
    handoff = send(tenant_a, tenant_b, key, refuse="该服务产品已下架")
    assert handoff_deliver(handoff_id=handoff.pk) is False
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.REFUSED and handoff.last_error == "该服务产品已下架"
    assert handoff.attempts == 1 and handoff.delivered_at is None
    assert providers("beta", key) == []
    assert handoff_deliver(handoff_id=handoff.pk) is False  # refused is final
    assert not handoffs_pending_for(reference=key[:64]).exists() and handoff not in handoffs_stuck(
        limit=10_000
    )


def test_a_delivery_inside_a_transaction_that_rolls_back_leaves_the_envelope_pending(
    db, tenant_a, tenant_b, key
):
    handoff = send(tenant_a, tenant_b, key)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert handoff_deliver(handoff_id=handoff.pk) is True
        raise RuntimeError("the worker's connection dropped before the commit")
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.PENDING and providers("beta", key) == []
    assert handoff_deliver(handoff_id=handoff.pk) is True


# --- the sweep -----------------------------------------------------------------------------------


def _age(handoff, *, sent_ago, attempted_ago=None):
    now = timezone.now()
    Handoff.objects.filter(pk=handoff.pk).update(
        created_at=now - sent_ago, last_attempt_at=None if attempted_ago is None else now - attempted_ago
    )


def test_the_sweep_resends_stuck_envelopes_and_not_fresh_ones(db, tenant_a, tenant_b, key, queue):
    lost = send(tenant_a, tenant_b, f"{key}:lost")  # its message never reached a worker
    failed_long_ago = send(tenant_a, tenant_b, f"{key}:failed", fail_attempts=1)
    failed_just_now = send(tenant_a, tenant_b, f"{key}:retrying", fail_attempts=1)
    fresh = send(tenant_a, tenant_b, f"{key}:fresh")
    delivered = send(tenant_a, tenant_b, f"{key}:delivered")
    refused = send(tenant_a, tenant_b, f"{key}:refused", refuse="no")
    for handoff in (failed_long_ago, failed_just_now, delivered, refused):
        try:
            handoff_deliver(handoff_id=handoff.pk)
        except RuntimeError:
            pass
    _age(lost, sent_ago=timedelta(minutes=3))
    _age(failed_long_ago, sent_ago=timedelta(minutes=5), attempted_ago=timedelta(minutes=2))
    _age(failed_just_now, sent_ago=timedelta(minutes=5), attempted_ago=timedelta(seconds=5))
    for handoff in (delivered, refused):
        _age(handoff, sent_ago=timedelta(minutes=10), attempted_ago=timedelta(minutes=10))

    mine = {handoff.pk for handoff in (lost, failed_long_ago, failed_just_now, fresh, delivered, refused)}
    assert handoff_sweep() >= 2  # envelopes other tests left committed may be swept too
    assert [pk for pk in queue() if pk in mine] == [failed_long_ago.pk, lost.pk]  # oldest first
    # The operators' list: the failed ones, and the lost one once it is older than a few minutes.
    assert {h.pk for h in handoffs_stuck() if h.pk in mine} == {failed_long_ago.pk, failed_just_now.pk}
    assert {h.pk for h in handoffs_stuck(unattempted_after=timedelta(minutes=2)) if h.pk in mine} == {
        lost.pk,
        failed_long_ago.pk,
        failed_just_now.pk,
    }


def test_resend_now_queues_a_pending_envelope_and_nothing_else(
    committed_cleanup, tenant_a, tenant_b, key, queue
):
    pending = send(tenant_a, tenant_b, key)
    done = send(tenant_a, tenant_b, f"{key}:done")
    handoff_deliver(handoff_id=done.pk)
    done.refresh_from_db()
    before = queue()
    assert handoff_resend(handoff=pending) is True
    assert handoff_resend(handoff=done) is False
    assert queue()[len(before) :] == [pending.pk]
