"""Reads of the network's shared tables."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Handoff

# An envelope never attempted this long after it was sent lost its message (a broker outage at send).
UNATTEMPTED_AFTER = timedelta(minutes=5)


def handoffs_pending_for(*, reference: str) -> QuerySet[Handoff]:
    """Envelopes about `reference` (an order) not yet applied on the other side: shown as "pending"."""
    return Handoff.objects.filter(reference=reference, state=Handoff.State.PENDING).order_by("created_at")


def handoffs_for(*, reference: str) -> QuerySet[Handoff]:
    """Every envelope about `reference`, whatever its state (a sender's page of what went where)."""
    return Handoff.objects.filter(reference=reference).select_related("receiver").order_by("created_at", "pk")


def handoffs_stuck(
    *, limit: int = 100, unattempted_after: timedelta = UNATTEMPTED_AFTER
) -> QuerySet[Handoff]:
    """Envelopes the hub's operators should look at, oldest first: pending after a failed attempt,
    or never attempted `unattempted_after` after they were sent (their message was lost)."""
    return (
        Handoff.objects.filter(state=Handoff.State.PENDING)
        .filter(Q(attempts__gt=0) | Q(created_at__lte=timezone.now() - unattempted_after))
        .select_related("sender", "receiver")
        .order_by("created_at", "pk")[:limit]
    )


def handoff_get_pending(*, pk) -> Handoff:
    """A pending envelope for the hub's "resend now" (Http404 for anything else)."""
    from django.http import Http404

    try:
        return Handoff.objects.select_related("receiver").get(pk=pk, state=Handoff.State.PENDING)
    except (Handoff.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pending handoff") from None


def handoffs_pending_count() -> int:
    """Every envelope not yet applied (on its way or stuck): the figure to watch."""
    return Handoff.objects.filter(state=Handoff.State.PENDING).count()
