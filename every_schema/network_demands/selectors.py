"""Reads of network demands, always scoped to who may see them (the same 404 otherwise).

A unit's staff see their unit's copies (the ones it holds now and the ones it passed on,
read-only, as far as it took part); an enterprise sees its own demands on its
sub-platform's copy, with the whole timeline. The supervision board, the ranking and the
figures read the supervision office's copies on the hub, which hear every step.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from public_schema.handling_units.models import HandlingUnit
from public_schema.handling_units.selectors import supervision_unit_id, unit_ids_for_user
from public_schema.network.models import Handoff
from tenant_schema.demands.models import Category, Rating

from .models import NetworkDemand, NetworkDemandHistory

S = NetworkDemand.Status
OPEN = (S.RECEIVED, S.HANDLING, S.DISPATCHED, S.RETURNED)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


def enterprise_of(user):
    if connection.schema_name == "public" or not getattr(user, "is_authenticated", False):
        return None
    from tenant_schema.enterprises.selectors import enterprise_of_user  # tenant schemas only

    return enterprise_of_user(user=user)


def viewer_kind(*, user) -> str | None:
    """ "staff" of a unit here, "enterprise" on its sub-platform, or None (nothing to see)."""
    if unit_ids_for_user(user):
        return "staff"
    if enterprise_of(user) is not None:
        return "enterprise"
    return None


def demand_list_for_user(*, user, held_only: bool = False) -> QuerySet[NetworkDemand]:
    ids = unit_ids_for_user(user)
    if ids:
        rows = NetworkDemand.objects.filter(unit_id__in=ids)
        if held_only:
            rows = rows.filter(holder_unit_id=F("unit_id"), status__in=OPEN)
        return rows
    enterprise = enterprise_of(user)
    if enterprise is not None:
        return NetworkDemand.objects.filter(enterprise_id=enterprise.pk, unit_id=F("origin_unit_id"))
    return NetworkDemand.objects.none()


def demand_get_for_user(*, user, pk) -> NetworkDemand:
    try:
        return demand_list_for_user(user=user).get(pk=int(pk))
    except (NetworkDemand.DoesNotExist, TypeError, ValueError):
        raise Http404("No such demand") from None


def demand_timeline(*, demand: NetworkDemand, user) -> QuerySet[NetworkDemandHistory]:
    """Every step this copy recorded; the enterprise reads the public ones."""
    rows = demand.history.select_related("actor")
    if viewer_kind(user=user) != "staff":
        rows = rows.filter(is_public=True)
    return rows


def demand_is_pending(*, demand: NetworkDemand) -> bool:
    """Whether a step of this copy is still on its way to another unit."""
    return Handoff.objects.filter(
        reference=demand.reference, state=Handoff.State.PENDING, payload__from_unit_id=demand.unit_id
    ).exists()


# ---------------------------------------------------------------------------
# The hub: supervision board, ranking, figures (the supervision office's copies)
# ---------------------------------------------------------------------------


def is_supervisor(user) -> bool:
    return connection.schema_name == "public" and supervision_unit_id() in unit_ids_for_user(user)


def network_copies() -> QuerySet[NetworkDemand]:
    return NetworkDemand.objects.filter(unit_id=supervision_unit_id())


def supervision_board(*, now=None) -> dict[str, list[NetworkDemand]]:
    """Overdue (past the time limit or the supervision deadline), not signed for in time,
    extended or asking to be, and reopened after an unsatisfied rating."""
    now = now or timezone.now()
    rows = network_copies().filter(status__in=OPEN)
    overdue = rows.filter(
        Q(supervised_due_at__isnull=True, due_at__lt=now) | Q(supervised_due_at__lt=now)
    ).order_by("due_at")
    return {
        "overdue": list(overdue),
        "unsigned": list(rows.filter(status=S.DISPATCHED, sign_due_at__lt=now).order_by("sign_due_at")),
        "extended": list(rows.exclude(extension=NetworkDemand.Extension.NONE).order_by("due_at")),
        "reopened": list(rows.filter(reopen_count__gt=0).order_by("due_at")),
    }


def unit_ranking(*, now=None) -> list[dict]:
    """Units by their overdue work: held overdue now, answered late, and reopened against them."""
    now = now or timezone.now()
    rows = network_copies()
    late_now = Q(status__in=OPEN) & (
        Q(supervised_due_at__isnull=True, due_at__lt=now) | Q(supervised_due_at__lt=now)
    )
    held = {
        r["holder_unit_id"]: r
        for r in rows.values("holder_unit_id", "holder_unit_name").annotate(
            overdue_now=Count("pk", filter=late_now),
            answered_late=Count(
                "pk", filter=Q(answered_on_time=False, answered_by_unit_id=F("holder_unit_id"))
            ),
        )
    }
    reopened = dict(
        rows.filter(reopened_unit_id__isnull=False).values_list("reopened_unit_id").annotate(n=Count("pk"))
    )
    names = dict(HandlingUnit.objects.values_list("pk", "name"))
    ranking = []
    for unit_id in set(held) | set(reopened):
        row = held.get(unit_id, {})
        entry = {
            "unit_id": unit_id,
            "unit_name": names.get(unit_id) or row.get("holder_unit_name", ""),
            "overdue_now": row.get("overdue_now", 0),
            "answered_late": row.get("answered_late", 0),
            "reopened": reopened.get(unit_id, 0),
        }
        entry["total"] = entry["overdue_now"] + entry["answered_late"] + entry["reopened"]
        if entry["total"]:
            ranking.append(entry)
    return sorted(ranking, key=lambda e: (-e["total"], e["unit_name"]))


DIMENSIONS = {
    "unit": ("holder_unit_id", "holder_unit_name"),
    "subplatform": ("origin_unit_id", "origin_unit_name"),
    "category": ("category", "category"),
}


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def figures(*, by: str | None = None) -> list[dict]:
    """Resolution rate, on-time rate, satisfaction and average handling time, city-wide (by=None)
    or per unit (the one holding or having answered it), per sub-platform of origin, per category.

    One definition for the page, the CSV and the API: counts over the supervision copies.
    """
    rows = network_copies()
    aggregates = {
        "total": Count("pk"),
        "resolved": Count("pk", filter=Q(status__in=(S.ANSWERED, S.CLOSED))),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "on_time": Count("pk", filter=Q(answered_on_time=True)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating__in=SATISFIED)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "average_handling": Avg(
            ExpressionWrapper(F("answered_at") - F("filed_at"), output_field=DurationField()),
            filter=Q(answered_at__isnull=False),
        ),
    }
    if by is None:
        grouped = [{"key": "", "name": "", **rows.aggregate(**aggregates)}]
    else:
        key, name = DIMENSIONS[by]
        grouped = [
            {"key": r[key], "name": r[name], **r}
            for r in rows.values(key, name).annotate(**aggregates).order_by(name)
        ]
    labels = dict(Category.choices)
    result = []
    for r in grouped:
        average = r["average_handling"]
        result.append(
            {
                "key": r["key"],
                "name": str(labels.get(r["name"], r["name"])) if by == "category" else r["name"],
                "total": r["total"],
                "resolved": r["resolved"],
                "resolution_rate": _rate(r["resolved"], r["total"]),
                "on_time_rate": _rate(r["on_time"], r["answered"]),
                "satisfaction_rate": _rate(r["satisfied"], r["rated"]),
                "reopened": r["reopened"],
                "average_handling_days": round(average.total_seconds() / 86400, 1) if average else None,
            }
        )
    return result
