"""Reads of programmes."""

from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from .models import Programme


def programme_list_open(*, now=None) -> QuerySet[Programme]:
    """Programmes an enterprise can apply to now."""
    now = now or timezone.now()
    return Programme.objects.filter(status=Programme.Status.OPEN, opens_at__lte=now, closes_at__gt=now).order_by("closes_at")


def programme_get(*, pk) -> Programme:
    try:
        return Programme.objects.get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme") from None


def programme_get_open(*, pk) -> Programme:
    try:
        return programme_list_open().get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme") from None


def programme_awarded_total(*, programme: Programme) -> Decimal:
    """Approved (including disbursed) amounts against the budget."""
    total = programme.applications.filter(status__in=["approved", "disbursed"]).aggregate(total=Sum("approved_amount"))["total"]
    return total or Decimal("0")
