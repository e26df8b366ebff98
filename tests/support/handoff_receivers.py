"""A handoff kind for the tests, "test.provider": it writes service providers in the receiver's schema.

Imported by the test modules and by a test's own worker (`celery worker --include
tests.support.handoff_receivers`), so both sides know the kind. What the receiver writes is
observable and keyed on the envelope: a provider named after its idempotency key, and before
it a second one ("<key>:first"), so a delivery stopped between the two would show as half
written. It uses a plain INSERT on purpose: a second application would fail on the unique
name instead of passing silently, so "applied once" is the envelope's doing.

The payload steers it:
- `fail_attempts`: raise on the first n attempts (the envelope counts them), after writing;
- `refuse`: refuse with this reason;
- `hold_seconds`: sleep inside the delivery (two deliveries overlap).
"""

import time

from public_schema.network.handoffs import HandoffRefused, handoff_receiver
from tenant_schema.billing.models import Provider

KIND = "test.provider"


class ReceiverBroke(RuntimeError):
    pass


@handoff_receiver(KIND)
def provider_receive(handoff) -> dict:
    payload = handoff.payload
    if payload.get("refuse"):
        raise HandoffRefused(payload["refuse"])
    first = Provider.objects.create(name=f"{handoff.idempotency_key}:first")
    if handoff.attempts < payload.get("fail_attempts", 0):
        raise ReceiverBroke(f"the receiver broke on attempt {handoff.attempts + 1}")
    time.sleep(payload.get("hold_seconds", 0))
    provider = Provider.objects.create(name=handoff.idempotency_key, description=payload.get("note", ""))
    return {"provider_id": provider.pk, "first_id": first.pk}


def providers(schema_name: str, key: str) -> list[str]:
    """The rows the receiver wrote for envelope `key` in `schema_name`."""
    from django_tenants.utils import schema_context

    with schema_context(schema_name):
        return sorted(Provider.objects.filter(name__startswith=key).values_list("name", flat=True))
