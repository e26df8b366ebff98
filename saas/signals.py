"""What the kernel announces once a write has committed; it knows none of the listeners.

Two announcements, each sent after the transaction that made the change commits, in the
schema that made it (captured when the change is announced and restored for the
listeners: by commit time the caller may have left the tenant's schema_context):

- `transition_committed`: a workflow move, sent by saas.workflow.transition_apply and by
  the services of the state machines not under it yet (enterprise verification,
  subscriptions) and the filing of a demand. sender: the model class;
  keyword arguments: instance, action, from_status, to_status, actor, transition (the
  workflow's Transition, or None outside saas.workflow).
- `record_committed`: a service write that is no move between states but that others
  count (an enterprise registered, edited or imported; a demand filed). sender: the
  model class; keyword arguments: instance (None for a bulk write) and action (a verb).

Listeners connect in their AppConfig.ready() (the hub's figures: public_schema.hub.apps). A listener
that fails is logged and never turns the user's committed action into an error page;
nothing is sent for a transaction that rolls back.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from django.db import connection, transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

transition_committed = Signal()
record_committed = Signal()


def announce_on_commit(signal: Signal, sender, **kwargs) -> None:
    """Send `signal` once the current transaction commits, in the current schema."""
    schema_name = getattr(connection, "schema_name", None)

    def send():
        from django_tenants.utils import schema_context

        with schema_context(schema_name) if schema_name else nullcontext():
            for receiver, result in signal.send_robust(sender, **kwargs):
                if isinstance(result, Exception):
                    logger.error(
                        "listener %r failed on a committed change of %s",
                        receiver,
                        sender,
                        exc_info=(type(result), result, result.__traceback__),
                    )

    transaction.on_commit(send)


def transition_announce(
    *, model, instance, action: str, from_status: str, to_status: str, actor=None, transition=None
) -> None:
    """A workflow move was written in this transaction: tell the listeners after it commits."""
    announce_on_commit(
        transition_committed,
        model,
        instance=instance,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        transition=transition,
    )


def record_announce(*, model, action: str, instance=None) -> None:
    """A write others count was made in this transaction: tell the listeners after it commits."""
    announce_on_commit(record_committed, model, instance=instance, action=action)
