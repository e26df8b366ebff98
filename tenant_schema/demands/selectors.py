"""Reads of demands: scoped lists (404 for outsiders), staff queues, red/amber/green against the
deadlines, the supervision list of overdue demands, the timeline, and the figures.

The figures are computed by PostgreSQL in one aggregate query (`FIGURES_SQL`), for a
park (its own schema, by category or by month) and for the hub (`hub_demand_figures`:
the same aggregate over a UNION ALL of the tenants' tables, never a Python loop over
tenants' rows). They are the figures Jiaozhou publishes:

- received: demands filed; resolved: demands closed (rated satisfied or basically
  satisfied, or closed without rating after 5 silent working days);
- resolution rate: resolved / received;
- on-time reply rate: of the demands whose first reply was given or is overdue, the
  share replied by the first-reply deadline;
- on-time resolution rate: of the demands answered or past their resolution deadline,
  the share answered (and not reopened since) by the deadline in force;
- satisfaction rate: of the demands carrying a rating, the share satisfied or
  basically satisfied (a reopened demand carries its "unsatisfied" until answered again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, CharField, DateTimeField, F, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workdays import working_days_after, working_days_between
from tenant_schema.enterprises.selectors import user_is_park_staff

from . import workflow as wf
from .models import Category, CategoryPolicy, Demand, DemandAttachment, DemandEvent

S = Demand.Status
User = get_user_model()
AMBER_WORKING_DAYS = 2  # amber: the next deadline falls within this many working days

RAG_LABELS = {"red": _("Overdue"), "amber": _("Due soon"), "green": _("On time")}


def park_admin_ids() -> list[int]:
    return list(
        User.objects.filter(groups__name=roles.PARK_ADMIN, is_active=True).values_list("pk", flat=True)
    )


def park_staff_list() -> QuerySet:
    """Who a demand can be assigned to: the park's active administrators and reviewers."""
    return (
        User.objects.filter(groups__name__in=[roles.PARK_ADMIN, roles.REVIEWER], is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


# ---------------------------------------------------------------------------
# Scoped fetches
# ---------------------------------------------------------------------------


def with_deadline_state(demands: QuerySet[Demand], *, now: dt.datetime | None = None) -> QuerySet[Demand]:
    """Annotate `next_due_at` (the first reply until given, then the resolution) and `rag`.

    Only demands the park holds (accepted, in progress, reopened) run against a deadline;
    the others get no colour.
    """
    now = now or timezone.now()
    amber_until = working_days_after(now, AMBER_WORKING_DAYS)
    open_statuses = list(wf.OPEN_STATUSES)
    return demands.annotate(
        next_due_at=Case(
            When(status__in=open_statuses, first_replied_at__isnull=True, then=F("first_reply_due_at")),
            When(status__in=open_statuses, then=F("resolution_due_at")),
            default=Value(None),
            output_field=DateTimeField(),
        )
    ).annotate(
        rag=Case(
            When(next_due_at__lt=now, then=Value("red")),
            When(next_due_at__lte=amber_until, then=Value("amber")),
            When(next_due_at__isnull=False, then=Value("green")),
            default=Value(""),
            output_field=CharField(),
        )
    )


def demand_list_for_user(*, user, now: dt.datetime | None = None) -> QuerySet[Demand]:
    """Park staff see every demand of the tenant; an enterprise's people only their enterprise's."""
    demands = Demand.objects.select_related("enterprise", "handler", "filer")
    if user_is_park_staff(user):
        pass
    elif user.is_authenticated:
        demands = demands.filter(enterprise__memberships__user=user)
    else:
        demands = demands.none()
    return with_deadline_state(demands, now=now)


def demand_get_for_user(*, user, pk, now: dt.datetime | None = None) -> Demand:
    """One demand if the user may see it; the same 404 for "not yours" and "does not exist"."""
    try:
        return demand_list_for_user(user=user, now=now).get(pk=pk)
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise Http404("No such demand") from None


def demand_attachment_get_for_user(*, user, demand_pk, attachment_pk) -> DemandAttachment:
    demand = demand_get_for_user(user=user, pk=demand_pk)
    try:
        return demand.attachments.get(pk=attachment_pk)
    except (DemandAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment") from None


QUEUE_VIEWS = {
    "mine": _("Mine"),
    "new": _("New"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "answered": _("Waiting for rating"),
    "all": _("All"),
}


def demand_queue(*, user, view: str = "mine", now: dt.datetime | None = None) -> QuerySet[Demand]:
    """Staff work lists: "mine" (open demands I handle), "new" (waiting for acceptance), "due_soon"
    (amber), "overdue" (red), "answered" (waiting for the enterprise's rating), "all"."""
    demands = demand_list_for_user(user=user, now=now)
    if view == "mine":
        demands = demands.filter(handler=user, status__in=wf.OPEN_STATUSES)
    elif view == "new":
        demands = demands.filter(status=S.SUBMITTED)
    elif view == "due_soon":
        demands = demands.filter(rag="amber")
    elif view == "overdue":
        demands = demands.filter(rag="red")
    elif view == "answered":
        demands = demands.filter(status=S.ANSWERED)
    return demands.order_by(F("next_due_at").asc(nulls_last=True), "-created_at", "-pk")


def demand_queue_counts(*, user, now: dt.datetime | None = None) -> dict[str, int]:
    return {
        view: demand_queue(user=user, view=view, now=now).count()
        for view in ("mine", "new", "due_soon", "overdue")
    }


def demand_supervision_list(*, now: dt.datetime | None = None) -> QuerySet[Demand]:
    """Every overdue demand of the park, the longest overdue first (for the park's staff and the escalation job)."""
    return (
        with_deadline_state(Demand.objects.select_related("enterprise", "handler"), now=now)
        .filter(rag="red")
        .order_by("next_due_at", "pk")
    )


def demand_search(
    *, queryset: QuerySet[Demand], search: str = "", status: str = "", category: str = ""
) -> QuerySet[Demand]:
    if search:
        from django.db.models import Q

        queryset = queryset.filter(Q(title__icontains=search) | Q(enterprise__name__icontains=search))
    if status == "closed_unrated":
        queryset = queryset.filter(status=S.CLOSED, closed_without_rating=True)
    elif status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    return queryset


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------


@dataclass
class Milestone:
    key: str  # filed, accepted, first_reply, resolution, rating
    label: object
    state: str  # "done", "current", "waiting"
    due_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    late: bool = False
    working_days_left: int | None = None  # negative when overdue
    note: object = ""


@dataclass
class Timeline:
    demand: Demand
    milestones: list[Milestone]
    events: list[DemandEvent] = field(default_factory=list)


def demand_timeline(
    *, demand: Demand, include_internal: bool = False, now: dt.datetime | None = None
) -> Timeline:
    """Where the demand stands: filed, accepted, first reply, resolution and rating, each with its
    due and done dates, and every recorded step (one query for the events)."""
    now = now or timezone.now()
    events = list(demand.events.select_related("actor", "handler").order_by("created_at", "pk"))
    visible = [e for e in events if include_internal or e.is_public]
    status = demand.status
    held = status in wf.OPEN_STATUSES

    def left(due):
        return working_days_between(now, due) if due else None

    replied = demand.first_replied_at
    first_reply = Milestone(
        "first_reply",
        _("First reply"),
        "done" if replied else ("current" if held else "waiting"),
        due_at=demand.first_reply_due_at,
        done_at=replied,
    )
    answered = status in (S.ANSWERED, S.CLOSED)
    resolution = Milestone(
        "resolution",
        _("Answer"),
        "done" if answered else ("current" if held and replied else "waiting"),
        due_at=demand.resolution_due_at,
        done_at=demand.answered_at if answered else None,
    )
    rating = Milestone(
        "rating",
        _("Rating"),
        "done" if status == S.CLOSED else ("current" if status == S.ANSWERED else "waiting"),
        due_at=demand.rating_due_at,
        done_at=demand.closed_at if status == S.CLOSED else None,
    )
    if status == S.CLOSED:
        rating.note = (
            _("Closed without rating") if demand.closed_without_rating else demand.get_rating_display()
        )
    elif status == S.REOPENED:
        resolution.note = _("Reopened after an unsatisfied rating")
    for milestone in (first_reply, resolution):
        if milestone.due_at:
            milestone.late = (milestone.done_at or now) > milestone.due_at
        if milestone.state == "current":
            milestone.working_days_left = left(milestone.due_at)
    if rating.state == "current":
        rating.working_days_left = left(rating.due_at)
    milestones = [
        Milestone("filed", _("Filed"), "done", done_at=demand.created_at),
        Milestone(
            "accepted",
            _("Accepted"),
            "done" if demand.accepted_at else "current",
            done_at=demand.accepted_at,
            note=demand.department,
        ),
        first_reply,
        resolution,
        rating,
    ]
    return Timeline(demand=demand, milestones=milestones, events=visible)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

# One aggregate over a demands table (or a UNION ALL of them); %(now)s is the moment deadlines are read at.
FIGURES_COLUMNS = """
    COUNT(*) AS received,
    COUNT(*) FILTER (WHERE status = 'closed') AS resolved,
    COUNT(*) FILTER (WHERE status = 'closed' AND closed_without_rating) AS closed_without_rating,
    COUNT(*) FILTER (WHERE status IN ('accepted', 'in_progress', 'reopened')
                     AND COALESCE(CASE WHEN first_replied_at IS NULL THEN first_reply_due_at END,
                                  resolution_due_at) < %(now)s) AS overdue,
    COUNT(*) FILTER (WHERE first_reply_due_at IS NOT NULL
                     AND (first_replied_at IS NOT NULL OR first_reply_due_at < %(now)s)) AS reply_due,
    COUNT(*) FILTER (WHERE first_replied_at <= first_reply_due_at) AS replied_on_time,
    COUNT(*) FILTER (WHERE resolution_due_at IS NOT NULL
                     AND (status IN ('answered', 'closed') OR resolution_due_at < %(now)s)) AS resolution_due,
    COUNT(*) FILTER (WHERE status IN ('answered', 'closed') AND answered_at <= resolution_due_at) AS resolved_on_time,
    COUNT(*) FILTER (WHERE rating <> '') AS rated,
    COUNT(*) FILTER (WHERE rating IN ('satisfied', 'basically_satisfied')) AS satisfied
"""
MONTH_SQL = "to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"

COUNT_NAMES = (
    "received",
    "resolved",
    "closed_without_rating",
    "overdue",
    "reply_due",
    "replied_on_time",
    "resolution_due",
    "resolved_on_time",
    "rated",
    "satisfied",
)


def _rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal (96.6), or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class DemandFigures:
    key: str = ""  # the category, the month ("2026-03"), the tenant's schema, or "" for the total
    label: object = ""
    received: int = 0
    resolved: int = 0
    closed_without_rating: int = 0
    overdue: int = 0
    reply_due: int = 0
    replied_on_time: int = 0
    resolution_due: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def resolution_rate(self) -> Decimal | None:
        return _rate(self.resolved, self.received)

    @property
    def on_time_reply_rate(self) -> Decimal | None:
        return _rate(self.replied_on_time, self.reply_due)

    @property
    def on_time_resolution_rate(self) -> Decimal | None:
        return _rate(self.resolved_on_time, self.resolution_due)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.rated)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.label),
            **{name: getattr(self, name) for name in COUNT_NAMES},
            "resolution_rate": self.resolution_rate,
            "on_time_reply_rate": self.on_time_reply_rate,
            "on_time_resolution_rate": self.on_time_resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
        }


@dataclass
class FiguresReport:
    total: DemandFigures
    rows: list[DemandFigures]
    by: str


def _run(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _figures_from(row: tuple, key: str = "", label: object = "") -> DemandFigures:
    return DemandFigures(key, label, *[int(value or 0) for value in row])


def demand_figures(
    *, by: str = "category", now: dt.datetime | None = None, year: int | None = None
) -> FiguresReport:
    """The park's figures, in total and by "category" or "month" of filing, from one SQL aggregate each.

    `year` restricts to demands filed that year (Shanghai time).
    """
    if by not in ("category", "month"):
        raise ValueError("by must be 'category' or 'month'")
    now = now or timezone.now()
    params: dict = {"now": now}
    where = ""
    if year:
        where = f"WHERE {MONTH_SQL} LIKE %(year)s"
        params["year"] = f"{int(year):04d}-%"
    table = Demand._meta.db_table
    total = _figures_from(_run(f"SELECT {FIGURES_COLUMNS} FROM {table} {where}", params)[0], label=_("Total"))
    group = "category" if by == "category" else MONTH_SQL
    grouped = {
        row[0]: row[1:]
        for row in _run(
            f"SELECT {group} AS key, {FIGURES_COLUMNS} FROM {table} {where} GROUP BY 1 ORDER BY 1", params
        )
    }
    if by == "category":
        # Every category, in the order of the form, with zeros where nothing was filed.
        rows = [
            _figures_from(grouped.get(value, (0,) * len(COUNT_NAMES)), value, label)
            for value, label in Category.choices
        ]
    else:
        rows = [_figures_from(values, key, key) for key, values in grouped.items()]
    return FiguresReport(total=total, rows=rows, by=by)


def hub_demand_figures(*, schema_names: list[str], now: dt.datetime | None = None) -> FiguresReport:
    """Per-tenant and city-wide figures for the hub: one aggregate over a UNION ALL of the tenants' tables.

    The hub passes the schemas of its live tenants (tenants.Tenant); names are checked
    against the registry and quoted, and a tenant without the demands table yet is skipped.
    """
    from public_schema.tenants.models import Tenant

    now = now or timezone.now()
    known = set(Tenant.objects.filter(schema_name__in=schema_names).values_list("schema_name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s AND table_schema = ANY(%s)",
            [Demand._meta.db_table, sorted(known)],
        )
        present = {row[0] for row in cursor.fetchall()}
    schemas = [name for name in schema_names if name in present]
    if not schemas:
        return FiguresReport(total=DemandFigures(label=_("Total")), rows=[], by="tenant")
    quote = connection.ops.quote_name
    columns = (
        "status, closed_without_rating, first_reply_due_at, first_replied_at, resolution_due_at, "
        "answered_at, rating, created_at"
    )
    union = " UNION ALL ".join(
        f"SELECT %(schema_{i})s AS tenant, {columns} FROM {quote(name)}.{Demand._meta.db_table}"
        for i, name in enumerate(schemas)
    )
    params = {"now": now, **{f"schema_{i}": name for i, name in enumerate(schemas)}}
    rows = _run(
        f"SELECT tenant, {FIGURES_COLUMNS} FROM ({union}) AS demands GROUP BY ROLLUP (tenant) ORDER BY tenant NULLS LAST",
        params,
    )
    by_tenant = {row[0]: row[1:] for row in rows}
    total = _figures_from(by_tenant.pop(None, (0,) * len(COUNT_NAMES)), label=_("Total"))
    names = dict(Tenant.objects.filter(schema_name__in=schemas).values_list("schema_name", "name"))
    return FiguresReport(
        total=total,
        rows=[
            _figures_from(by_tenant.get(name, (0,) * len(COUNT_NAMES)), name, names.get(name, name))
            for name in schemas
        ],
        by="tenant",
    )


def category_policy_list() -> list[tuple[str, CategoryPolicy]]:
    """Every category (label, policy) in the order of the choices; an unset one has the default limits, unsaved."""
    policies = {policy.category: policy for policy in CategoryPolicy.objects.all()}
    return [
        (label, policies.get(value) or CategoryPolicy(category=value)) for value, label in Category.choices
    ]
