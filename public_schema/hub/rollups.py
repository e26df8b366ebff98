"""Rollup tables of the city hub: refresh per tenant, and the hooks that keep them current.

The dashboard (public_schema.hub.selectors.hub_stats) reads the rollup tables of public_schema.hub.models in the
public schema: a few thousand rows and a trivial plan, instead of one planned branch per
tenant schema (see docs/hub.md for the measurements). This module fills them.

`rollup_refresh(schema_name=...)` recomputes one tenant's rows from its schema with
set-based SQL (the definitions of public_schema.hub.figures, grouped by day instead of filtered by a
range) as delete + insert in one transaction, under an advisory lock per tenant, so it is
safe to run twice or concurrently. Then it derives, in the public schema, the month rows
from the day rows and the all-time rows (`day` NULL) from the month rows.

Kept current by:
- `rollup_touch()`, called by public_schema.hub.apps when the kernel announces a committed change to a
  table the figures read (saas.signals: workflow moves of applications, demands and
  subscriptions, enterprise verification; enterprise writes and imports, a demand filed):
  it queues `hub.rollup_refresh` for that schema after ROLLUP_DEBOUNCE_SECONDS, unless one
  is already queued (a cache key, deleted by the task when it starts): a burst of
  transitions refreshes once.
- `hub.rollup_reconcile_all` (beat, nightly): one `hub.rollup_refresh` per live tenant,
  which also catches changes made without a hook (programmes, payments without a
  subscription change) and anything lost with a broker outage.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from . import figures as f

logger = logging.getLogger(__name__)


def debounce_seconds() -> int:
    return int(getattr(settings, "PARKHUB_HUB_ROLLUP_DEBOUNCE_SECONDS", 10))


# Every SQL below is a figure of public_schema.hub.figures, grouped by day instead of filtered by a range.

# Applications by their status now (by submission day) and stages left / left in time (by
# the day left): taken from the tenant's hub_rollupstatus / hub_rolluptimeliness day rows
# just written, summed over stages (DERIVED_DAY_SQL), so one RollupDay row per tenant
# gives them (drafts have no column: the dashboard does not show them).
STATUS_COLUMNS = f.STATUS_COLUMNS
STAGE_COLUMNS = f.STAGE_COLUMNS
DEMAND_COLUMNS = [figure.key for figure in f.DEMAND_FIGURES]


def _day_sources() -> list[tuple[tuple[str, ...], str]]:
    """Sources of hub_rollupday: (tables read, SQL over {schema} giving day, key, value).

    The day figures of one table placed by one column are read in one scan, each row
    contributing to every figure (0 where it does not count).
    """
    groups: dict[tuple[str, str, str], list] = {}
    for figure in f.DAY_FIGURES:
        groups.setdefault((f.table(figure.model), figure.day, figure.when), []).append(figure)
    sources = []
    for (name, day, when), figures in groups.items():
        values = ",\n  ".join(f"('{figure.key}', {figure.per_row})" for figure in figures)
        sources.append(
            (
                (name,),
                f"""
SELECT {day} AS day, x.key, x.value
FROM {{schema}}.{name} t,
LATERAL (VALUES
  {values}) x(key, value)
WHERE {when} IS NOT NULL""",
            )
        )
    return sources


# Keys are the columns of RollupDay; a schema without the tables contributes nothing.
DAY_COLUMNS = [*(figure.key for figure in f.DAY_FIGURES), *STATUS_COLUMNS, *STAGE_COLUMNS]
DAY_SOURCES = _day_sources()

DERIVED_DAY_SQL = """
SELECT day, 'status_' || status AS key, n AS value FROM public.hub_rollupstatus
WHERE tenant_id = %(tenant)s AND day IS NOT NULL AND NOT month
UNION ALL
SELECT day, x.key, x.value FROM public.hub_rolluptimeliness t,
LATERAL (VALUES ('stage_exits', t.exits), ('stage_exits_on_time', t.on_time)) x(key, value)
WHERE t.tenant_id = %(tenant)s AND t.day IS NOT NULL AND NOT t.month"""

DECISION_DAYS_SQL = f.decisions_sql(by_day=True)
STATUS_SQL = f.status_sql(by_day=True)
TIMELINESS_SQL = f.timeliness_sql(by_day=True)

_BUDGET = f.FUNDS_BUDGETED
PROGRAMMES_SQL = f"""
SELECT {_BUDGET.starts} AS opens_at, {_BUDGET.ends} AS closes_at, {_BUDGET.value} AS budget
FROM {{schema}}.{f.table(_BUDGET.model)} WHERE {_BUDGET.rows}"""

OVERDUE_SQL = f"SELECT {f.OVERDUE.sorted_sql()} FROM {{schema}}.{f.table(f.OVERDUE.model)}"

_ACTIVE = f.ACTIVE_SUBSCRIPTIONS
SUBSCRIPTIONS_SQL = f"""
SELECT array_agg({_ACTIVE.starts} ORDER BY {_ACTIVE.starts}), array_agg({_ACTIVE.ends} ORDER BY {_ACTIVE.ends})
FROM {{schema}}.{f.table(_ACTIVE.model)} WHERE {_ACTIVE.rows} AND {_ACTIVE.ends} > {_ACTIVE.starts}"""

# Demands' deadlines still open: they count in the on-time rates' denominators once passed.
# Per day of filing (the cohort), and all of them (hub_rolluptenant).
_REPLY, _RESOLUTION = f.DEMAND_REPLY_OPEN, f.DEMAND_RESOLUTION_OPEN
DEMANDS_DUE_SQL = "\nUNION ALL\n".join(
    f"""
SELECT {f.shanghai_day(deadline.cohort)} AS day, '{kind}' AS kind, array_agg({deadline.due} ORDER BY {deadline.due}) AS due_times
FROM {{schema}}.{f.table(deadline.model)}
WHERE {deadline.cohort} IS NOT NULL AND {deadline.rows}
GROUP BY 1"""
    for kind, deadline in (("reply", _REPLY), ("resolution", _RESOLUTION))
)
DEMANDS_OPEN_DUE_SQL = f"""
SELECT {_REPLY.sorted_sql()}, {_RESOLUTION.sorted_sql()}
FROM {{schema}}.{f.table(_REPLY.model)} WHERE {_REPLY.cohort} IS NOT NULL"""

# Running totals of the enterprise counts (registered up to the row's day), for "registered
# by the end of the range": summed over the day rows in order, the latest of a month or ever.
TO_DATE_COLUMNS = {f"{figure.key}_to_date": figure.key for figure in f.DAY_FIGURES if figure.to_date}

# Month and all-time rows, derived in the public schema from the tenant's rows one grain
# finer: (table, grouping columns besides the period, summed columns, columns taken by min).
# hub_rollupday also merges its working-day histograms (_day_period_sql).
PERIOD_TABLES = [
    ("hub_rollupstatus", ["status", "stage"], ["n"], ["position"]),
    ("hub_rolluptimeliness", ["stage"], ["exits", "on_time"], ["position"]),
]
# Which rows a period is summed from, and how a row is assigned to its period.
MONTHS_FROM_DAYS = ("TRUE", "date_trunc('month', day)::date", "day IS NOT NULL AND NOT month")
ALL_TIME_FROM_MONTHS = ("FALSE", "NULL::date", "month")


def _day_period_sql(month: str, period: str, source: str) -> str:
    """hub_rollupday rows of one grain from the finer ones: sums, latest running totals, and
    histograms added up."""
    columns = [*DAY_COLUMNS, *TO_DATE_COLUMNS]
    totals = [*(f"sum({c}) AS {c}" for c in DAY_COLUMNS), *(f"max({c}) AS {c}" for c in TO_DATE_COLUMNS)]
    return f"""
INSERT INTO public.hub_rollupday (tenant_id, month, day, {", ".join(columns)}, decision_days, decision_counts)
SELECT %(tenant)s, {month}, s.period, {", ".join(f"s.{c}" for c in columns)},
       coalesce(h.days, '{{}}'), coalesce(h.counts, '{{}}')
FROM (
  SELECT {period} AS period, {", ".join(totals)}
  FROM public.hub_rollupday WHERE tenant_id = %(tenant)s AND {source} GROUP BY 1
) s LEFT JOIN (
  SELECT period, array_agg(days ORDER BY days) AS days, array_agg(n ORDER BY days) AS counts FROM (
    SELECT {period} AS period, u.days, sum(u.n) AS n
    FROM public.hub_rollupday, unnest(decision_days, decision_counts) u(days, n)
    WHERE tenant_id = %(tenant)s AND {source} GROUP BY 1, 2
  ) x GROUP BY period
) h ON h.period IS NOT DISTINCT FROM s.period"""


NEEDED_TABLES = f.tables_read()


def _execute(cursor, sql: str, params=None):
    cursor.execute(sql, params or {})


def rollup_refresh(*, schema_name: str) -> bool:
    """Recompute one tenant's rollup rows from its schema; False when it is not a tenant (any more).

    Delete + insert in one transaction under an advisory lock on the tenant: readers see
    the old rows or the new ones, and two refreshes of one tenant run one after the other.
    """
    from public_schema.tenants.models import Tenant

    from .selectors.schemas import quote_schema, tables_by_schema

    tenant_id = Tenant.objects.filter(schema_name=schema_name).values_list("pk", flat=True).first()
    if tenant_id is None:
        return False
    present = tables_by_schema([schema_name], NEEDED_TABLES)[schema_name]
    schema = quote_schema(schema_name)
    params = {"tenant": tenant_id}

    def has(*tables):
        return set(tables) <= present

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('hub_rollup'), %s)", [tenant_id])
        for table in (
            "hub_rollupday",
            "hub_rollupstatus",
            "hub_rolluptimeliness",
            "hub_rollupprogramme",
            "hub_rolluptenant",
            "hub_rollupdemanddue",
            "hub_rollupprogrammefigures",
            "hub_rollupprogrammestage",
        ):
            cursor.execute(f"DELETE FROM public.{table} WHERE tenant_id = %s", [tenant_id])

        # Day rows (status and timeliness first: the day rows of hub_rollupday sum them).
        if has(*f.STATUS_TABLES):
            _execute(
                cursor,
                f"""
INSERT INTO public.hub_rollupstatus (tenant_id, day, status, stage, position, n)
SELECT %(tenant)s, day, status, stage, position, n FROM ({STATUS_SQL.format(schema=schema)}) s""",
                params,
            )
        if has(*f.TIMELINESS_TABLES):
            _execute(
                cursor,
                f"""
INSERT INTO public.hub_rolluptimeliness (tenant_id, day, stage, position, exits, on_time)
SELECT %(tenant)s, day, stage, position, exits, on_time FROM ({TIMELINESS_SQL.format(schema=schema)}) s""",
                params,
            )
        sources = [sql.format(schema=schema) for tables, sql in DAY_SOURCES if has(*tables)] + [
            DERIVED_DAY_SQL
        ]
        sums = ", ".join(
            f"coalesce(sum(value) FILTER (WHERE key = '{key}'), 0) AS {key}" for key in DAY_COLUMNS
        )
        union = "\nUNION ALL\n".join(sources)
        histograms = (
            f"""SELECT day, array_agg(days ORDER BY days) AS days, array_agg(n ORDER BY days) AS counts
  FROM ({DECISION_DAYS_SQL.format(schema=schema)}) d WHERE days IS NOT NULL GROUP BY day"""
            if has(*f.DECISIONS_TABLES)
            else "SELECT NULL::date AS day, NULL::integer[] AS days, NULL::bigint[] AS counts WHERE FALSE"
        )
        running = ", ".join(f"sum(g.{key}) OVER (ORDER BY g.day)" for key in TO_DATE_COLUMNS.values())
        _execute(
            cursor,
            f"""
INSERT INTO public.hub_rollupday
  (tenant_id, day, {", ".join(DAY_COLUMNS)}, {", ".join(TO_DATE_COLUMNS)}, decision_days, decision_counts)
SELECT %(tenant)s, g.day, {", ".join(f"g.{key}" for key in DAY_COLUMNS)}, {running}, coalesce(h.days, '{{}}'),
       coalesce(h.counts, '{{}}')
FROM (SELECT day, {sums} FROM ({union}) s WHERE day IS NOT NULL GROUP BY day) g
LEFT JOIN ({histograms}) h ON h.day = g.day""",
            params,
        )
        if has(f.table(_REPLY.model)):
            _execute(
                cursor,
                f"""
INSERT INTO public.hub_rollupdemanddue (tenant_id, day, kind, due_times)
SELECT %(tenant)s, day, kind, due_times FROM ({DEMANDS_DUE_SQL.format(schema=schema)}) s""",
                params,
            )
            _execute(
                cursor,
                """
INSERT INTO public.hub_rollupdemanddue (tenant_id, month, day, kind, due_times)
SELECT %(tenant)s, TRUE, date_trunc('month', day)::date, kind, array_agg(due ORDER BY due)
FROM public.hub_rollupdemanddue, unnest(due_times) due
WHERE tenant_id = %(tenant)s AND NOT month GROUP BY 3, kind""",
                params,
            )
        if has(*_BUDGET.tables):
            _execute(
                cursor,
                f"""
INSERT INTO public.hub_rollupprogramme (tenant_id, opens_at, closes_at, budget)
SELECT %(tenant)s, opens_at, closes_at, budget FROM ({PROGRAMMES_SQL.format(schema=schema)}) s""",
                params,
            )
        # Per programme (as now) and per programme and stage.
        if has(*f.PROGRAMME_TABLES):
            _execute(
                cursor,
                f"""
INSERT INTO public.hub_rollupprogrammefigures
  (tenant_id, programme_id, title, category, budget, {", ".join(f.PROGRAMME_FIGURE_KEYS)})
SELECT %(tenant)s, programme_id, title, category, budget, {", ".join(f.PROGRAMME_FIGURE_KEYS)}
FROM ({f.PROGRAMME_FIGURES_SQL.format(schema=schema)}) s""",
                params,
            )
        if has(*f.PROGRAMME_STAGE_TABLES):
            _execute(
                cursor,
                f"""
INSERT INTO public.hub_rollupprogrammestage (tenant_id, programme_id, stage, position, exits, days_total)
SELECT %(tenant)s, programme_id, stage, position, exits, days_total
FROM ({f.PROGRAMME_STAGE_SQL.format(schema=schema)}) s""",
                params,
            )
        if has(*f.DECISIONS_TABLES):
            percentiles = (
                "(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days),"
                " percentile_cont(0.9) WITHIN GROUP (ORDER BY days) FROM ("
                + DECISION_DAYS_SQL.format(schema=schema)
                .replace(", count(*) AS n", "")
                .replace("GROUP BY 1, 2", "")
                + ") d)"
            )
        else:
            percentiles = "(SELECT NULL::float8, NULL::float8)"
        overdue = f"({OVERDUE_SQL.format(schema=schema)})" if has(f.table(f.OVERDUE.model)) else "NULL"
        subs = (
            f"({SUBSCRIPTIONS_SQL.format(schema=schema)})" if has(*_ACTIVE.tables) else "(SELECT NULL, NULL)"
        )
        demands = (
            f"({DEMANDS_OPEN_DUE_SQL.format(schema=schema)})"
            if has(f.table(_REPLY.model))
            else "(SELECT NULL, NULL)"
        )
        _execute(
            cursor,
            f"""
INSERT INTO public.hub_rolluptenant
  (tenant_id, refreshed_at, overdue_due, subscription_starts, subscription_ends, median_days, p90_days,
   demand_reply_due, demand_resolution_due)
SELECT %(tenant)s, %(now)s, coalesce({overdue}, '{{}}'), coalesce(s.starts, '{{}}'), coalesce(s.ends, '{{}}'),
       p.median, p.p90, coalesce(d.reply, '{{}}'), coalesce(d.resolution, '{{}}')
FROM {subs} s(starts, ends), {percentiles} p(median, p90), {demands} d(reply, resolution)""",
            {**params, "now": timezone.now()},
        )

        # Month rows from the day rows, then the all-time rows (day NULL) from the month rows.
        for month, period, source in (MONTHS_FROM_DAYS, ALL_TIME_FROM_MONTHS):
            _execute(cursor, _day_period_sql(month, period, source), params)
            for table, keys, summed, least in PERIOD_TABLES:
                columns = ", ".join([*keys, *summed, *least])
                values = ", ".join([*keys, *(f"sum({c})" for c in summed), *(f"min({c})" for c in least)])
                _execute(
                    cursor,
                    f"""
INSERT INTO public.{table} (tenant_id, month, day, {columns})
SELECT %(tenant)s, {month}, {period}, {values} FROM public.{table}
WHERE tenant_id = %(tenant)s AND {source} GROUP BY {", ".join([period, *keys])}""",
                    params,
                )
    return True


def rollup_refresh_all() -> int:
    """Refresh every live tenant here, one after the other (tests, `manage.py hub_rollup_refresh`)."""
    from public_schema.tenants.models import Tenant

    schemas = list(Tenant.objects.live().values_list("schema_name", flat=True))
    for schema_name in schemas:
        rollup_refresh(schema_name=schema_name)
    return len(schemas)


def dirty_key(schema_name: str) -> str:
    return f"hub:rollup:queued:{schema_name}"


# The cache's keys carry the current schema (django_tenants.cache.make_key); the flag is
# always read and written from the public schema so the sender and the task agree.


def dirty_flag_set(schema_name: str, timeout: int) -> bool:
    """Set the "refresh queued" flag; False when it was already set."""
    from django_tenants.utils import schema_context

    with schema_context("public"):
        return cache.add(dirty_key(schema_name), 1, timeout=timeout)


def dirty_flag_clear(schema_name: str) -> None:
    from django_tenants.utils import schema_context

    with schema_context("public"):
        cache.delete(dirty_key(schema_name))


def rollup_touch() -> None:
    """Mark the current tenant's rollups stale: refresh them (once per burst) after commit.

    Called inside the writing transaction. The schema is captured now (the commit may
    happen after the caller left the tenant's schema_context). At commit: if no refresh is
    queued for the schema (cache.add of dirty_key), queue `hub.rollup_refresh` in that
    schema with a countdown of debounce_seconds(). A broker or cache outage is logged and
    never fails the user's action; the nightly reconciliation catches up.
    """
    schema_name = connection.schema_name
    if not schema_name or schema_name == "public":
        return

    def send():
        try:
            from .tasks import rollup_refresh_task

            delay = debounce_seconds()
            if dirty_flag_set(schema_name, delay + 600):
                rollup_refresh_task.apply_async(countdown=delay, headers={"_schema_name": schema_name})
        except Exception:
            logger.exception("could not queue hub.rollup_refresh in %s", schema_name)

    transaction.on_commit(send)
