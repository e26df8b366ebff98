"""Fault: the worker is killed while it applies an envelope between two tenants; a message is lost.

Alpha hands an envelope to beta (the test kind of tests/support/handoff_receivers.py, which
the test's worker imports): the receiver writes a first provider in beta's schema, then the
one named after the envelope's key. The test holds, uncommitted, a row with that name, so
the worker stops exactly there: the first row written in its open transaction, the envelope
locked. It is killed with SIGKILL at that point. Nothing of the dead delivery may stay, the
envelope must still say pending, and the message the dead worker never acknowledged comes
back to a new worker, which applies it once.

The second test loses the message altogether (a broker that lost it, or one that was down
when the sender committed and only logged): the envelope stays pending until the sweep
queues it again, and a worker then applies it once.
"""

import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from public_schema.network.handoffs import handoff_send, handoff_sweep
from public_schema.network.models import Handoff
from public_schema.network.selectors import handoffs_pending_for
from public_schema.network.tasks import handoff_deliver_task
from public_schema.tenants.models import Tenant
from tenant_schema.billing.models import Provider

from ..conftest import ALPHA, BETA, wait_until
from ..support.celery_worker import tasks_on_queue
from ..support.handoff_receivers import KIND, providers
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]

PROVIDERS = Provider._meta.db_table


@pytest.fixture
def key(killable_workers):
    key = f"fault:{uuid.uuid4().hex}"
    killable_workers.include = ("tests.support.handoff_receivers",)
    yield key
    killable_workers.stop_all()
    connection.set_schema_to_public()
    Handoff.objects.filter(idempotency_key=key).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {BETA}.{PROVIDERS} WHERE name LIKE %s", [f"{key}%"])


def envelope(key) -> Handoff:
    connection.set_schema_to_public()
    return Handoff.objects.get(idempotency_key=key)


def send(key) -> Handoff:
    with transaction.atomic():  # the sender's own record would be written here too
        return handoff_send(
            kind=KIND,
            sender=Tenant.objects.get(schema_name=ALPHA),
            receiver=Tenant.objects.get(schema_name=BETA),
            key=key,
            reference=key[:64],
            payload={"note": "故障演练"},
        )


def test_an_envelope_whose_worker_is_killed_mid_delivery_stays_pending_and_is_applied_once(
    killable_workers, key
):
    started = time.monotonic()
    with tasks_on_queue(killable_workers.queue, handoff_deliver_task):
        handoff = send(key)
    with row_held(
        f"INSERT INTO {PROVIDERS} (name, description, contact, created_at) VALUES (%s, '', '', now())",
        [key],
        schema=BETA,
    ):
        killable_workers.start()
        waiter = wait_for_lock_waiter(containing=PROVIDERS)
        # Stopped at the known point: the first row written, uncommitted; the envelope locked.
        in_flight = killable_workers.received("network.handoff_deliver")[-1]
        killable_workers.kill()
        print(f"killed the worker mid-delivery, {elapsed_since(started)} s in")
    backend_gone(waiter["pid"])

    # The dead delivery left nothing in beta, and the envelope says so: pending, no attempt counted.
    assert providers(BETA, key) == []
    handoff = envelope(key)
    assert handoff.state == Handoff.State.PENDING and handoff.delivered_at is None
    assert list(handoffs_pending_for(reference=key[:64])) == [handoff]

    killable_workers.start_after_visibility_timeout()
    wait_until(
        lambda: envelope(key).state == Handoff.State.DELIVERED,
        timeout=40,
        message="the new worker to apply the envelope",
    )
    # The message the dead worker held was handed out again, and the new worker took it.
    assert killable_workers.received("network.handoff_deliver").count(in_flight) >= 2
    time.sleep(0.5)  # a late redelivery must not apply it a second time
    assert providers(BETA, key) == [key, f"{key}:first"]
    handoff = envelope(key)
    assert handoff.state == Handoff.State.DELIVERED and handoff.attempts == 1 and handoff.last_error == ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {BETA}.{PROVIDERS} WHERE name = %s", [key])
        assert handoff.result["provider_id"] == cursor.fetchone()[0]
    print(f"applied once after the kill, {elapsed_since(started)} s in all")


def test_an_envelope_whose_message_was_lost_is_delivered_by_the_sweep(killable_workers, key):
    import redis
    from django.conf import settings

    with tasks_on_queue(killable_workers.queue, handoff_deliver_task):
        send(key)
    # The message is lost before any worker takes it, as with a broker outage the sender only logged.
    redis.Redis.from_url(settings.REDIS_URL).delete(killable_workers.queue)
    killable_workers.start()
    time.sleep(1)
    assert envelope(key).state == Handoff.State.PENDING and providers(BETA, key) == []

    with tasks_on_queue(killable_workers.queue, handoff_deliver_task):
        handoff_sweep()  # a fresh envelope is not the sweep's business yet
        time.sleep(1)
        assert envelope(key).state == Handoff.State.PENDING and envelope(key).attempts == 0
        Handoff.objects.filter(idempotency_key=key).update(created_at=timezone.now() - timedelta(minutes=2))
        assert handoff_sweep() >= 1
    wait_until(
        lambda: envelope(key).state == Handoff.State.DELIVERED,
        timeout=30,
        message="the worker to apply the swept envelope",
    )
    assert providers(BETA, key) == [key, f"{key}:first"] and envelope(key).attempts == 1
    # A later sweep finds nothing of it to resend.
    with tasks_on_queue(killable_workers.queue, handoff_deliver_task):
        handoff_sweep()
    time.sleep(0.5)
    assert providers(BETA, key) == [key, f"{key}:first"]
