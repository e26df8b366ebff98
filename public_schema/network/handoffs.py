"""The one way across a tenant boundary: a transactional outbox in the public schema.

The sender calls `handoff_send` inside the transaction that writes its own record, so
either both exist or neither does. On commit a task (`network.handoff_deliver`) applies
the envelope in the receiver's schema through the receiver registered for its kind, and
marks it delivered in the same transaction: a worker killed half-way leaves the envelope
pending and the receiver's schema untouched. The receiver keys what it writes on the
envelope (a unique constraint), so a replay, a redelivered message or the sweep applies
it once. `handoff_sweep` resends what is still pending after a while; until then both
sides show the envelope as pending.

Receivers are registered by the receiving app (`@handoff_receiver("order.placed")` in
its `handoff_receivers.py`, imported from its AppConfig.ready), so this module knows no
tenant app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from public_schema.tenants.models import Tenant

from .models import Handoff

logger = logging.getLogger(__name__)

Receiver = Callable[[Handoff], dict | None]
RECEIVERS: dict[str, Receiver] = {}

# An envelope still pending this long after its last attempt is resent by the sweep.
SWEEP_AFTER = timedelta(seconds=60)
SWEEP_BATCH = 1000  # per run (every minute): a backlog drains over a few runs, not in one burst


class HandoffRefused(Exception):
    """The receiver will never accept this envelope (its product is gone, the party is unknown)."""


def handoff_receiver(kind: str) -> Callable[[Receiver], Receiver]:
    """Register the function that applies envelopes of `kind` in the receiver's schema.

    It runs inside the delivery's transaction with the receiver's schema active, gets the
    envelope, returns what the sender may see of its answer (ids), and must make a second
    call with the same envelope a no-op (key its rows on `handoff.idempotency_key`).
    """

    def register(receiver: Receiver) -> Receiver:
        known = RECEIVERS.get(kind)
        if known is not None and _name(known) != _name(receiver):  # the same one imported again is fine
            raise ValueError(f"handoff kind {kind!r} already has a receiver: {_name(known)}")
        RECEIVERS[kind] = receiver
        return receiver

    return register


def _name(receiver: Receiver) -> str:
    return f"{receiver.__module__}.{receiver.__qualname__}"


def handoff_send(
    *, kind: str, sender: Tenant, receiver: Tenant, key: str, reference: str, payload: dict
) -> Handoff:
    """Write the envelope in the caller's transaction and deliver it once that commits.

    `key` is the idempotency key: sending the same key again returns the first envelope
    (a retried request makes no second order). Call it in the same transaction as the
    sender's own record. A key already used for another kind or other parties is a
    mistake of the caller's (two flows sharing a key would swallow one of them): ValueError.
    """
    if kind not in RECEIVERS:
        raise LookupError(f"no receiver registered for handoff kind {kind!r}")
    handoff, created = Handoff.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": kind,
            "sender": sender,
            "receiver": receiver,
            "reference": reference,
            "payload": payload,
        },
    )
    if not created and (handoff.kind, handoff.sender_id, handoff.receiver_id) != (
        kind,
        sender.pk,
        receiver.pk,
    ):
        raise ValueError(f"handoff key {key!r} is already used by another envelope ({handoff})")
    if handoff.state == Handoff.State.PENDING:
        handoff_queue_on_commit(handoff_id=handoff.pk)
    return handoff


def handoff_queue_on_commit(*, handoff_id: int) -> None:
    """Queue the delivery once the caller's transaction commits (at once outside one).

    A broker outage is logged, never raised: the sender's record and the envelope are
    committed by then, the envelope shows as pending, and the sweep queues it again.
    """

    def send():
        try:
            _queue(handoff_id)
        except Exception:
            logger.exception("could not queue handoff %s; the sweep will resend it", handoff_id)

    transaction.on_commit(send)


def _queue(handoff_id: int) -> None:
    from .tasks import handoff_deliver_task  # the tasks module imports this one

    handoff_deliver_task.apply_async(kwargs={"handoff_id": handoff_id}, headers={"_schema_name": "public"})


def handoff_deliver(*, handoff_id: int) -> bool:
    """Apply one envelope in its receiver's schema, once; True when this call delivered it.

    The envelope's row lock is held while the receiver writes, so two workers never apply
    it side by side (the second skips it). The receiver's writes and the envelope's move to
    delivered commit together or not at all. A receiver's error rolls its writes back and
    leaves the envelope pending with the error and the attempt counted (then raises, so the
    task retries); `HandoffRefused` ends it as refused with the reason. The caller's schema
    is the same afterwards.
    """
    with schema_context(get_public_schema_name()):
        try:
            return _deliver(handoff_id)
        except HandoffRefused as refusal:
            _attempt_record(handoff_id, error=str(refusal), state=Handoff.State.REFUSED)
            return False
        except Exception as error:
            _attempt_record(handoff_id, error=f"{type(error).__name__}: {error}")
            raise


def _deliver(handoff_id: int) -> bool:
    with transaction.atomic():
        handoff = (
            Handoff.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("receiver")
            .filter(pk=handoff_id, state=Handoff.State.PENDING)
            .first()
        )
        if handoff is None:  # delivered already, refused, or being delivered right now
            return False
        receive = RECEIVERS.get(handoff.kind)
        if receive is None:
            # Not a refusal: a worker started without the receiving app may be followed by one with it.
            raise LookupError(f"no receiver registered for handoff kind {handoff.kind!r}")
        with schema_context(handoff.receiver.schema_name):
            result = receive(handoff)
        now = timezone.now()
        Handoff.objects.filter(pk=handoff.pk).update(
            state=Handoff.State.DELIVERED,
            result=result or {},
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            delivered_at=now,
            last_error="",
        )
        return True


def _attempt_record(handoff_id: int, *, error: str, state: str = Handoff.State.PENDING) -> None:
    """Count a failed attempt on a still pending envelope (a refusal ends it)."""
    try:
        Handoff.objects.filter(pk=handoff_id, state=Handoff.State.PENDING).update(
            state=state,
            attempts=F("attempts") + 1,
            last_error=error[:2000],
            last_attempt_at=timezone.now(),
        )
    except Exception:
        # The database itself is what failed (a lost connection): the receiver's error is the one
        # to raise; the envelope stays pending without the count, and the sweep resends it.
        logger.exception("could not record the failed attempt of handoff %s", handoff_id)


def handoff_resend(*, handoff: Handoff) -> bool:
    """Queue a pending envelope again now (the hub's "resend now"); False if it is not pending.

    The delivery itself decides whether anything is left to do, so a resend of an envelope
    delivered meanwhile is harmless.
    """
    if handoff.state != Handoff.State.PENDING:
        return False
    handoff_queue_on_commit(handoff_id=handoff.pk)
    return True


def handoff_sweep(*, older_than: timedelta = SWEEP_AFTER) -> int:
    """Queue again every envelope pending since `older_than` ago (a lost message, a dead worker).

    One still being delivered is queued too: its lock makes the second delivery skip it.
    """
    cutoff = timezone.now() - older_than
    with schema_context(get_public_schema_name()):
        stuck = list(
            Handoff.objects.filter(state=Handoff.State.PENDING, created_at__lte=cutoff)
            .exclude(last_attempt_at__gt=cutoff)
            .order_by("created_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
    for handoff_id in stuck:
        _queue(handoff_id)
    return len(stuck)
