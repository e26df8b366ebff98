"""Reads of programmes."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from .models import Programme


def programme_list_open(*, now=None) -> QuerySet[Programme]:
    """Programmes an enterprise can apply to now."""
    now = now or timezone.now()
    return Programme.objects.filter(
        status=Programme.Status.OPEN, opens_at__lte=now, closes_at__gt=now
    ).order_by("closes_at")


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
    total = programme.applications.filter(status__in=["approved", "disbursed"]).aggregate(
        total=Sum("approved_amount")
    )["total"]
    return total or Decimal("0")


# Staff pages (park programme list and stage editor) -------------------------------------------

AWARDED_STATUSES = ("approved", "disbursed")


def programme_list_for_staff() -> QuerySet[Programme]:
    """Every programme of the tenant with `awarded_total` (approved + disbursed), for the park's list."""
    return Programme.objects.annotate(
        awarded_total=Coalesce(
            Sum("applications__approved_amount", filter=Q(applications__status__in=AWARDED_STATUSES)),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        )
    )


def programme_application_counts(*, programme_ids) -> dict[int, dict[str, int]]:
    """{programme id: {application status: number}} in one query."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in programme_ids}
    rows = (
        Programme.objects.filter(pk__in=programme_ids, applications__isnull=False)
        .values_list("pk", "applications__status")
        .annotate(number=Count("applications"))
        .order_by()
    )
    for pk, status, number in rows:
        counts[pk][status] = number
    return counts


def programme_stages_locked(*, programme: Programme) -> bool:
    """Whether an application has been submitted, after which the stages cannot change (as the service enforces)."""
    return programme.applications.exclude(status="draft").exists()


def programme_list_for_user(
    *, user, status: str = "", category: str = "", search: str = ""
) -> QuerySet[Programme]:
    """Park staff see every programme of the park (filtered by status if asked); everyone else the open ones."""
    from tenant_schema.enterprises.selectors import user_is_park_staff

    if user_is_park_staff(user):
        programmes = Programme.objects.all()
        if status:
            programmes = programmes.filter(status=status)
    else:
        programmes = programme_list_open()
    if category:
        programmes = programmes.filter(category=category)
    if search:
        programmes = programmes.filter(title__icontains=search)
    return programmes


def programme_get_for_user(*, user, pk) -> Programme:
    """One programme if the user may see it; the same 404 for "not open to you" and "does not exist"."""
    from tenant_schema.enterprises.selectors import user_is_park_staff

    if user_is_park_staff(user):
        return programme_get(pk=pk)
    return programme_get_open(pk=pk)
