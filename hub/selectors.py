"""Cross-tenant reads of the city hub, computed in PostgreSQL over every tenant schema.

django-tenants has no cross-tenant query; looping over tenants in Python costs a round
trip (or several) per tenant per figure. Here each family of figures is one SQL
statement built from the tenant registry: one branch per tenant schema (hub.figures),
joined with UNION ALL and aggregated per tenant and city-wide with GROUPING SETS.
(In chunks of a few hundred schemas per statement: see hub_stats.) Schema names come from the registry and are quoted as identifiers; every value goes in
as a bound parameter. See docs/hub.md for the measurements behind the choice.

Figures for a tenant without rows are zeros (its schema contributes nothing or zero),
so a tenant provisioned a second ago is listed with zeros, not left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tenants.models import Tenant

from . import figures as f
from . import rollups
from .models import AwardRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUPLICATE_WINDOW = dt.timedelta(days=365)
STATUS_ALL, STATUS_ACTIVE, STATUS_SUSPENDED = "all", "active", "suspended"


@dataclass(frozen=True)
class HubFilters:
    """What every hub page, export and API call can narrow the figures to.

    date_from / date_to are inclusive calendar days in Shanghai time. status "all"
    lists suspended tenants too (marked as such); "active" leaves them out.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str | None = None
    status: str = STATUS_ALL
    slug: str | None = None  # one tenant (drill-down)

    def bounds(self) -> dict:
        start_date = self.date_from or dt.date(1970, 1, 1)
        end_date = self.date_to or dt.date(2199, 12, 31)
        return {
            "start": dt.datetime.combine(start_date, dt.time.min, tzinfo=SHANGHAI),
            "end": dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI),
            "start_date": start_date,
            "end_date": end_date,
            "now": timezone.now(),
        }


@dataclass
class TenantFigures:
    """One row of the overview: a tenant (or the city when `tenant` is None) and its figures."""

    tenant: Tenant | None
    values: dict = field(default_factory=dict)

    @property
    def is_city(self) -> bool:
        return self.tenant is None


@dataclass
class HubStats:
    filters: HubFilters
    rows: list[TenantFigures]  # one per tenant, registry order
    city: TenantFigures
    by_status: list[dict]  # {tenant_id|None, status, stage, position, n}
    timeliness: list[dict]  # {tenant_id|None, stage|None, position, exits, on_time, rate}

    def row_for(self, tenant_id: int | None) -> TenantFigures:
        if tenant_id is None:
            return self.city
        return next(row for row in self.rows if row.tenant.pk == tenant_id)


def hub_tenants(*, filters: HubFilters) -> list[Tenant]:
    tenants = Tenant.objects.live().order_by("kind", "created_at", "pk")
    if filters.kind:
        tenants = tenants.filter(kind=filters.kind)
    if filters.status in (STATUS_ACTIVE, STATUS_SUSPENDED):
        tenants = tenants.filter(status=filters.status)
    if filters.slug:
        tenants = tenants.filter(schema_name=filters.slug)
    return list(tenants)


def quote_schema(name: str) -> str:
    """A schema name as an SQL identifier, whatever it contains."""
    return '"' + name.replace('"', '""') + '"'


def _tables_by_schema(schemas: list[str], tables: set[str]) -> dict[str, set[str]]:
    """Which of `tables` exist in each schema: one catalogue query, not one per tenant."""
    present: dict[str, set[str]] = {schema: set() for schema in schemas}
    if not schemas:
        return present
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
            [schemas, sorted(tables)],
        )
        for schema, table in cursor.fetchall():
            present[schema].add(table)
    return present


def _union(tenants, present, tables, branch: str) -> str | None:
    """One branch per tenant schema that has `tables`, tagged with the tenant's id."""
    parts = [
        f"SELECT {int(tenant.pk)} AS tenant_id, b.* FROM ({branch.format(schema=quote_schema(tenant.schema_name))}) b"
        for tenant in tenants
        if set(tables) <= present[tenant.schema_name]
    ]
    return "\nUNION ALL\n".join(parts) if parts else None


def _fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _scalars_sql(tenants, present) -> str | None:
    branches = []
    for tenant in tenants:
        schema = quote_schema(tenant.schema_name)
        columns = [
            f"({figure.sql.format(schema=schema)}) AS {figure.key}"
            if set(figure.tables) <= present[tenant.schema_name]
            else f"NULL::numeric AS {figure.key}"
            for figure in f.SCALAR_FIGURES
        ]
        branches.append(f"SELECT {int(tenant.pk)} AS tenant_id, {', '.join(columns)}")
    if not branches:
        return None
    return "\nUNION ALL\n".join(branches)


def _decisions_sql(union: str) -> str:
    # Per tenant, plus the distribution of working days over the whole chunk (grouped by
    # days), from which the city-wide percentiles are taken across chunks.
    return f"""
SELECT tenant_id, days AS histogram_days, GROUPING(tenant_id) AS is_histogram,
       count(*) FILTER (WHERE approved) AS approvals,
       count(*) FILTER (WHERE NOT approved) AS rejections,
       coalesce(sum(amount) FILTER (WHERE approved), 0) AS funds_approved,
       count(days) AS decided_with_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90_days
FROM (
{f.DECISIONS_DAYS.format(union=union)}
) d GROUP BY GROUPING SETS ((tenant_id), (days))"""


def _demands_sql(union: str) -> str:
    """Per tenant, the demand counts of demands.selectors.FIGURES_COLUMNS, renamed to the hub's keys."""
    from demands.selectors import FIGURES_COLUMNS

    names = {"received": "demands_received", "resolved": "demands_resolved", "reply_due": "demands_reply_due",
             "replied_on_time": "demands_replied_on_time", "resolution_due": "demands_resolution_due",
             "resolved_on_time": "demands_resolved_on_time", "rated": "demands_rated",
             "satisfied": "demands_satisfied"}
    columns = ", ".join(f"{name} AS {key}" for name, key in names.items())
    return f"""
SELECT tenant_id, {columns} FROM (
  SELECT tenant_id, {FIGURES_COLUMNS} FROM (
{union}
  ) u GROUP BY tenant_id
) d"""


def _status_sql(union: str) -> str:
    return f"SELECT tenant_id, status, stage, position, n FROM (\n{union}\n) u"


def _timeliness_sql(union: str) -> str:
    return f"SELECT tenant_id, stage, position, exits, on_time FROM (\n{union}\n) u"


# Demands: counts (additive per tenant and day) and the rates derived from them.
DEMAND_COUNTS = ["demands_received", "demands_resolved", "demands_reply_due", "demands_replied_on_time",
                 "demands_resolution_due", "demands_resolved_on_time", "demands_rated", "demands_satisfied"]
DEMAND_RATES = {  # rate: (part, whole)
    "demands_resolution_rate": ("demands_resolved", "demands_received"),
    "demands_on_time_reply_rate": ("demands_replied_on_time", "demands_reply_due"),
    "demands_on_time_resolution_rate": ("demands_resolved_on_time", "demands_resolution_due"),
    "demands_satisfaction_rate": ("demands_satisfied", "demands_rated"),
}

ZERO_FIGURES = {
    **{figure.key: 0 for figure in f.SCALAR_FIGURES},
    "approvals": 0, "rejections": 0, "funds_approved": 0, "approval_rate": None,
    "median_days": None, "p90_days": None, "on_time_rate": None,
    **{key: 0 for key in DEMAND_COUNTS}, **{key: None for key in DEMAND_RATES},
}
ADDITIVE = [figure.key for figure in f.SCALAR_FIGURES] + ["approvals", "rejections", "funds_approved", *DEMAND_COUNTS]
FIGURE_UNITS = {
    **{figure.key: figure.unit for figure in f.SCALAR_FIGURES},
    "approvals": f.COUNT, "rejections": f.COUNT, "funds_approved": f.MONEY, "approval_rate": f.RATE,
    "median_days": f.DAYS, "p90_days": f.DAYS, "on_time_rate": f.RATE,
    **{key: f.COUNT for key in DEMAND_COUNTS}, **{key: f.RATE for key in DEMAND_RATES},
}


def _rate(part, whole) -> float | None:
    return round(float(part) * 100 / float(whole), 1) if whole else None


def percentile_from_histogram(histogram: dict[int, int], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over the values a {value: count} histogram stands for.

    Exact, not an estimate: the position fraction × (n − 1) between the sorted values,
    interpolated linearly, as percentile_cont does. Used to combine the per-chunk
    distributions of working days into the city-wide median and 90th percentile.
    """
    total = sum(histogram.values())
    if not total:
        return None
    position = fraction * (total - 1)
    below, above = int(position), min(int(position) + 1, total - 1)
    values, seen, at_below, at_above = sorted(histogram), 0, None, None
    for value in values:
        seen += histogram[value]
        if at_below is None and seen > below:
            at_below = value
        if seen > above:
            at_above = value
            break
    return float(at_below + (at_above - at_below) * (position - below))


def _chunks(items: list, size: int):
    for index in range(0, len(items), size):
        yield items[index:index + size]


def hub_stats(*, filters: HubFilters) -> HubStats:
    """Every hub figure for the tenants the filters select, per tenant and city-wide.

    From the rollup tables in the public schema (hub_stats_rollup), unless
    settings.PARKHUB_HUB_ROLLUPS is False: then live over every tenant schema
    (hub_stats_live). Both give the same figures once the rollups are refreshed.
    """
    if getattr(settings, "PARKHUB_HUB_ROLLUPS", True):
        return hub_stats_rollup(filters=filters)
    return hub_stats_live(filters=filters)


def hub_stats_live(*, filters: HubFilters) -> HubStats:
    """Every hub figure, computed live over the tenant schemas (the rollups' reference).

    Four families of figures, each one statement over a chunk of tenant schemas at once
    (settings.PARKHUB_HUB_SCHEMAS_PER_STATEMENT, 200 by default): the scalar figures
    (enterprises, applications, overdue, funds, subscriptions, revenue), decisions
    (approval rate, working days to decision, approved funds), applications by status
    and stage, and stage timeliness. Chunks keep one statement's locks (one per table
    and index it reads) within PostgreSQL's lock table; with the defaults 1,000 tenants
    are 5 statements per family. City totals add the chunks' partial sums; the city's
    percentiles come from the chunks' working-day distributions.
    """
    tenants = hub_tenants(filters=filters)
    params = filters.bounds()
    needed = set().union(
        *(figure.tables for figure in f.SCALAR_FIGURES), f.DECISIONS_TABLES, f.STATUS_TABLES, f.TIMELINESS_TABLES,
        f.DEMANDS_TABLES,
    )
    present = _tables_by_schema([tenant.schema_name for tenant in tenants], needed)
    values: dict[int | None, dict] = {tenant.pk: dict(ZERO_FIGURES) for tenant in tenants}
    values[None] = dict(ZERO_FIGURES)
    histogram: dict[int, int] = {}
    status_counts: dict[tuple, list] = {}
    stage_counts: dict[tuple, list] = {}
    size = getattr(settings, "PARKHUB_HUB_SCHEMAS_PER_STATEMENT", 200)

    for chunk in _chunks(tenants, size):
        if union := _scalars_sql(chunk, present):
            for row in _fetch(f"SELECT * FROM (\n{union}\n) u", params):
                values[row.pop("tenant_id")].update({k: v for k, v in row.items() if v is not None})
        if union := _union(chunk, present, f.DECISIONS_TABLES, f.DECISIONS_BRANCH):
            for row in _fetch(_decisions_sql(union), params):
                if row["is_histogram"]:
                    if row["histogram_days"] is not None:
                        histogram[row["histogram_days"]] = histogram.get(row["histogram_days"], 0) + row["approvals"] + row["rejections"]
                    continue
                figures = values[row["tenant_id"]]
                for key in ("approvals", "rejections", "funds_approved", "median_days", "p90_days"):
                    if row[key] is not None:
                        figures[key] = row[key]
        if union := _union(chunk, present, f.DEMANDS_TABLES, f.DEMANDS_BRANCH):
            for row in _fetch(_demands_sql(union), params):
                values[row.pop("tenant_id")].update(row)
        if union := _union(chunk, present, f.STATUS_TABLES, f.STATUS_BRANCH):
            for row in _fetch(_status_sql(union), params):
                for tenant_id in (row["tenant_id"], None):
                    entry = status_counts.setdefault((tenant_id, row["status"], row["stage"]), [row["position"], 0])
                    entry[1] += row["n"]
        if union := _union(chunk, present, f.TIMELINESS_TABLES, f.TIMELINESS_BRANCH):
            for row in _fetch(_timeliness_sql(union), params):
                for key in ((row["tenant_id"], row["stage"]), (row["tenant_id"], None),
                            (None, row["stage"]), (None, None)):
                    entry = stage_counts.setdefault(key, [row["position"], 0, 0])
                    entry[1] += row["exits"]
                    entry[2] += row["on_time"]

    return _stats_finish(filters, tenants, values, histogram, status_counts, stage_counts)


def _stats_finish(filters, tenants, values, histogram, status_counts, stage_counts) -> HubStats:
    """City totals, rates and the sorted status / timeliness lists, the same for both paths."""
    city = values[None]
    for key in ADDITIVE:
        city[key] = sum((values[tenant.pk][key] or 0) for tenant in tenants)
    city["median_days"] = percentile_from_histogram(histogram, 0.5)
    city["p90_days"] = percentile_from_histogram(histogram, 0.9)
    for figures in values.values():
        figures["approval_rate"] = _rate(figures["approvals"], figures["approvals"] + figures["rejections"])
        # City-wide rates are ratios of the summed counts, never averages of tenants' rates.
        for rate, (part, whole) in DEMAND_RATES.items():
            figures[rate] = _rate(figures[part], figures[whole])
    by_status = [
        {"tenant_id": tenant_id, "status": status, "stage": stage, "position": position, "n": n}
        for (tenant_id, status, stage), (position, n) in status_counts.items()
    ]
    timeliness = []
    for (tenant_id, stage), (position, exits, on_time) in stage_counts.items():
        if stage is None:
            values[tenant_id]["on_time_rate"] = _rate(on_time, exits)
        else:
            timeliness.append({"tenant_id": tenant_id, "stage": stage, "position": position, "exits": exits,
                               "on_time": on_time, "rate": _rate(on_time, exits)})
    by_status.sort(key=lambda row: (row["position"] is None, row["position"] or 0, row["stage"], row["status"]))
    timeliness.sort(key=lambda row: (row["position"] or 0, row["stage"]))
    return HubStats(
        filters=filters,
        rows=[TenantFigures(tenant=tenant, values=values[tenant.pk]) for tenant in tenants],
        city=TenantFigures(tenant=None, values=city),
        by_status=by_status,
        timeliness=timeliness,
    )


def _histograms_in_range(values: dict, where: str, params: dict) -> dict[int, int]:
    """Per tenant median / p90 of the working days decided in a date range; returns the city histogram."""
    histogram: dict[int, int] = {}
    for row in _fetch(f"""
WITH h AS MATERIALIZED (
  SELECT tenant_id, days, sum(n) AS n FROM hub_rollupdecisiondays
  WHERE tenant_id = ANY(%(ids)s) AND {where} GROUP BY tenant_id, days
), c AS (
  SELECT tenant_id, days, sum(n) OVER (PARTITION BY tenant_id ORDER BY days) AS seen,
         0.5::float8 * (sum(n) OVER (PARTITION BY tenant_id) - 1) AS m,
         0.9::float8 * (sum(n) OVER (PARTITION BY tenant_id) - 1) AS q,
         sum(n) OVER (PARTITION BY tenant_id) - 1 AS last
  FROM h
), p AS (
  SELECT tenant_id, max(m) AS m, max(q) AS q,
         min(days) FILTER (WHERE seen > floor(m)) AS m_below, min(days) FILTER (WHERE seen > least(floor(m) + 1, last)) AS m_above,
         min(days) FILTER (WHERE seen > floor(q)) AS q_below, min(days) FILTER (WHERE seen > least(floor(q) + 1, last)) AS q_above
  FROM c GROUP BY tenant_id
)
SELECT tenant_id, NULL::integer AS days, NULL::bigint AS n,
       m_below::float8 + (m_above - m_below)::float8 * (m - floor(m)) AS median_days,
       q_below::float8 + (q_above - q_below)::float8 * (q - floor(q)) AS p90_days
FROM p
UNION ALL
SELECT NULL, days, sum(n)::bigint, NULL, NULL FROM h GROUP BY days""", params):
        if row["tenant_id"] is None:
            histogram[row["days"]] = row["n"]
        else:
            values[row["tenant_id"]].update(median_days=row["median_days"], p90_days=row["p90_days"])
    return histogram


def hub_stats_rollup(*, filters: HubFilters) -> HubStats:
    """Every hub figure from the rollup tables (hub.models, kept by hub.rollups).

    Without a date range, the tenants' all-time rows (day NULL); with one, the day rows in
    it (enterprises: registered by its end). Overdue now and active subscriptions come
    from the sorted due / start / end timestamps per tenant at the current time, by
    width_bucket (a binary search). A tenant never refreshed has no rows: zeros.
    Five short statements over public tables, whatever the number of tenants.
    """
    tenants = hub_tenants(filters=filters)
    params = {**filters.bounds(), "ids": [tenant.pk for tenant in tenants]}
    # width_bucket counts the thresholds <= operand; "due before now" is "<= now - 1 µs".
    params["just_before_now"] = params["now"] - dt.timedelta(microseconds=1)
    values: dict[int | None, dict] = {tenant.pk: dict(ZERO_FIGURES) for tenant in tenants}
    values[None] = dict(ZERO_FIGURES)
    all_time = filters.date_from is None and filters.date_to is None
    where = "day IS NULL" if all_time else "day IS NOT NULL AND day BETWEEN %(start_date)s AND %(end_date)s"
    in_range = "TRUE" if all_time else "day >= %(start_date)s"
    day_where = "day IS NULL" if all_time else "day IS NOT NULL AND day <= %(end_date)s"
    counts = ("enterprises", "enterprises_verified", "enterprises_above_size")
    columns = [f"sum({key})::bigint AS {key}" for key in counts] + [
        f"coalesce(sum({key}) FILTER (WHERE {in_range}), 0)"
        f"{'::bigint' if key in ('applications', 'approvals', 'rejections') or key.startswith('demands_') else ''} AS {key}"
        for key in rollups.DAY_COLUMNS if key not in counts
    ]
    for row in _fetch(f"SELECT tenant_id, {', '.join(columns)} FROM hub_rollupday"
                      f" WHERE tenant_id = ANY(%(ids)s) AND {day_where} GROUP BY tenant_id", params):
        figures = values[row.pop("tenant_id")]
        figures.update(row)
    # Demands: replies / answers given (day rows) plus the open deadlines passed by now.
    for figures in values.values():
        figures["demands_reply_due"] = figures.pop("demands_replied", 0)
        figures["demands_resolution_due"] = figures.pop("demands_answered", 0)
    due_range = "TRUE" if all_time else "day BETWEEN %(start_date)s AND %(end_date)s"
    for row in _fetch("SELECT tenant_id, coalesce(sum(n) FILTER (WHERE kind = 'reply'), 0)::bigint AS reply,"
                      " coalesce(sum(n) FILTER (WHERE kind = 'resolution'), 0)::bigint AS resolution"
                      " FROM hub_rollupdemanddue WHERE tenant_id = ANY(%(ids)s) AND due_at < %(now)s"
                      f" AND {due_range} GROUP BY tenant_id", params):
        figures = values[row["tenant_id"]]
        figures["demands_reply_due"] += row["reply"]
        figures["demands_resolution_due"] += row["resolution"]
    for row in _fetch("SELECT tenant_id, sum(budget) AS funds_budgeted FROM hub_rollupprogramme"
                      " WHERE tenant_id = ANY(%(ids)s) AND opens_at < %(end)s AND closes_at >= %(start)s"
                      " GROUP BY tenant_id", params):
        values[row["tenant_id"]]["funds_budgeted"] = row["funds_budgeted"]
    for row in _fetch("SELECT tenant_id, coalesce(width_bucket(%(just_before_now)s, overdue_due), 0) AS overdue_now,"
                      " coalesce(width_bucket(%(now)s, subscription_starts), 0)"
                      " - coalesce(width_bucket(%(now)s, subscription_ends), 0) AS subscriptions_active"
                      + (", median_days, p90_days" if all_time else "") +
                      " FROM hub_rolluptenant WHERE tenant_id = ANY(%(ids)s)", params):
        values[row.pop("tenant_id")].update(row)

    # Working days to decision: per tenant, the median and 90th percentile are taken in SQL
    # from the summed histogram, by the formula of percentile_from_histogram (the value at
    # position fraction × (n − 1), interpolated); the city's from the city histogram.
    histogram: dict[int, int] = {}
    if all_time:  # per tenant: stored by the refresh (percentile_cont), read with overdue above
        for row in _fetch("SELECT days, sum(n)::bigint AS n FROM hub_rollupdecisiondays"
                          " WHERE tenant_id = ANY(%(ids)s) AND day IS NULL GROUP BY days", params):
            histogram[row["days"]] = row["n"]
    else:
        histogram = _histograms_in_range(values, where, params)

    status_counts: dict[tuple, list] = {}
    for row in _fetch(f"SELECT tenant_id, status, stage, min(position) AS position, sum(n)::bigint AS n"
                      f" FROM hub_rollupstatus WHERE tenant_id = ANY(%(ids)s) AND {where}"
                      f" GROUP BY tenant_id, status, stage", params):
        for tenant_id in (row["tenant_id"], None):
            entry = status_counts.setdefault((tenant_id, row["status"], row["stage"]), [row["position"], 0])
            if row["position"] is not None and (entry[0] is None or row["position"] < entry[0]):
                entry[0] = row["position"]
            entry[1] += row["n"]
    stage_counts: dict[tuple, list] = {}
    for row in _fetch(f"SELECT tenant_id, stage, min(position) AS position, sum(exits)::bigint AS exits,"
                      f" sum(on_time)::bigint AS on_time FROM hub_rolluptimeliness"
                      f" WHERE tenant_id = ANY(%(ids)s) AND {where} GROUP BY tenant_id, stage", params):
        for key in ((row["tenant_id"], row["stage"]), (row["tenant_id"], None),
                    (None, row["stage"]), (None, None)):
            entry = stage_counts.setdefault(key, [row["position"], 0, 0])
            entry[1] += row["exits"]
            entry[2] += row["on_time"]
    return _stats_finish(filters, tenants, values, histogram, status_counts, stage_counts)


def hub_ranking(*, stats: HubStats, figure: str) -> list[TenantFigures]:
    """Tenants best first on `figure` (fewest first for days and overdue); tenants without a value last."""
    lower_is_better = FIGURE_UNITS.get(figure) == f.DAYS or figure == "overdue_now"
    with_value = [row for row in stats.rows if row.values.get(figure) is not None]
    without = [row for row in stats.rows if row.values.get(figure) is None]
    with_value.sort(key=lambda row: Decimal(str(row.values[figure])), reverse=not lower_is_better)
    return with_value + without


# ---------------------------------------------------------------------------
# Duplicate awards: the same enterprise, the same category, two sub-platforms, 12 months.
# ---------------------------------------------------------------------------


def duplicate_awards_for(
    *, credit_code: str, category: str, exclude_schema: str | None = None, at: dt.datetime | None = None
) -> list[AwardRecord]:
    """Awards of the same category to this enterprise by other sub-platforms within 12 months of `at`.

    For a reviewer about to approve: pass the tenant's own schema as `exclude_schema`
    (connection.schema_name) so that its own awards do not count. Works from any
    schema: the registry is in the public schema, on every tenant's search path.
    """
    at = at or timezone.now()
    records = AwardRecord.objects.select_related("tenant").filter(
        credit_code=credit_code,
        category=category,
        approved_at__gt=at - DUPLICATE_WINDOW,
        approved_at__lt=at + DUPLICATE_WINDOW,
    )
    if exclude_schema:
        records = records.exclude(tenant__schema_name=exclude_schema)
    return list(records.order_by("-approved_at"))


def duplicate_award_list(*, filters: HubFilters | None = None) -> list[dict]:
    """Enterprises awarded by more than one sub-platform for the same category within 12 months.

    One row per (credit code, category), listing the sub-platforms and amounts of the
    awards that have a counterpart in another sub-platform less than 12 months apart.
    The date range, if any, selects by the later award's date.
    """
    params = (filters or HubFilters()).bounds()
    sql = """
WITH flagged AS (
  SELECT a.* FROM hub_awardrecord a
  WHERE EXISTS (
    SELECT 1 FROM hub_awardrecord b
    WHERE b.credit_code = a.credit_code AND b.category = a.category AND b.tenant_id <> a.tenant_id
      AND b.approved_at > a.approved_at - %(window)s AND b.approved_at < a.approved_at + %(window)s
  )
)
SELECT f.credit_code, f.category, max(f.enterprise_name) AS enterprise_name,
       count(DISTINCT f.tenant_id) AS tenants, count(*) AS awards, sum(f.amount) AS amount,
       string_agg(DISTINCT t.name, ' / ') AS tenant_names, max(f.approved_at) AS latest
FROM flagged f JOIN tenants_tenant t ON t.id = f.tenant_id
WHERE f.approved_at >= %(start)s AND f.approved_at < %(end)s
GROUP BY f.credit_code, f.category
HAVING count(DISTINCT f.tenant_id) > 1
ORDER BY latest DESC, f.credit_code"""
    return _fetch(sql, {**params, "window": DUPLICATE_WINDOW})
