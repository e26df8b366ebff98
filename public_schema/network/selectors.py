"""Reads of the network's shared tables."""

from django.db.models import QuerySet

from .models import Handoff


def handoffs_pending_for(*, reference: str) -> QuerySet[Handoff]:
    """Envelopes about `reference` (an order) not yet applied on the other side: shown as "pending"."""
    return Handoff.objects.filter(reference=reference, state=Handoff.State.PENDING).order_by("created_at")


def handoffs_stuck(*, limit: int = 100) -> QuerySet[Handoff]:
    """Envelopes still pending after a failed attempt, for the hub's operators (oldest first)."""
    return (
        Handoff.objects.filter(state=Handoff.State.PENDING, attempts__gt=0)
        .select_related("sender", "receiver")
        .order_by("created_at")[:limit]
    )
