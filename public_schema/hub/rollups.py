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
- `rollup_touch()`, called in the writing transaction of every change the hub counts
  (saas.workflow.transition_apply for applications and demands, enterprise writes and
  imports, subscription transitions; the filing of a demand, which is no transition, by
  the post_save receiver in public_schema.hub.apps): on commit it queues `hub.rollup_refresh` for that
  schema after ROLLUP_DEBOUNCE_SECONDS, unless one is already queued (a cache key, deleted
  by the task when it starts): a burst of transitions refreshes once.
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

logger = logging.getLogger(__name__)

SHANGHAI_DAY = "({column} AT TIME ZONE 'Asia/Shanghai')::date"


def _day(column: str) -> str:
    return SHANGHAI_DAY.format(column=column)


def debounce_seconds() -> int:
    return int(getattr(settings, "PARKHUB_HUB_ROLLUP_DEBOUNCE_SECONDS", 10))


# Demands (tenant_schema.demands.selectors FIGURES_COLUMNS), counted on the day of filing. Column names
# of RollupDay; "replied" and "answered" are the parts of reply_due / resolution_due that
# no longer depend on the clock (the rest is in hub_rollupdemanddue).
DEMAND_COLUMNS = ["demands_received", "demands_resolved", "demands_replied", "demands_replied_on_time",
                  "demands_answered", "demands_resolved_on_time", "demands_rated", "demands_satisfied"]
DEMANDS_DAY_SQL = f"""
SELECT {_day('d.created_at')} AS day, x.key, x.value
FROM {{schema}}.demands_demand d,
LATERAL (VALUES
  ('demands_received', 1),
  ('demands_resolved', CASE WHEN d.status = 'closed' THEN 1 ELSE 0 END),
  ('demands_replied', CASE WHEN d.first_reply_due_at IS NOT NULL AND d.first_replied_at IS NOT NULL THEN 1 ELSE 0 END),
  ('demands_replied_on_time', CASE WHEN d.first_replied_at <= d.first_reply_due_at THEN 1 ELSE 0 END),
  ('demands_answered', CASE WHEN d.resolution_due_at IS NOT NULL AND d.status IN ('answered', 'closed') THEN 1 ELSE 0 END),
  ('demands_resolved_on_time', CASE WHEN d.status IN ('answered', 'closed') AND d.answered_at <= d.resolution_due_at
                                    THEN 1 ELSE 0 END),
  ('demands_rated', CASE WHEN d.rating <> '' THEN 1 ELSE 0 END),
  ('demands_satisfied', CASE WHEN d.rating IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)) x(key, value)
WHERE d.created_at IS NOT NULL"""
# Deadlines still open: they count in the on-time rates' denominators once passed.
DEMANDS_DUE_SQL = f"""
SELECT {_day('created_at')} AS day, 'reply' AS kind, array_agg(first_reply_due_at ORDER BY first_reply_due_at) AS due_times
FROM {{schema}}.demands_demand
WHERE created_at IS NOT NULL AND first_reply_due_at IS NOT NULL AND first_replied_at IS NULL
GROUP BY 1
UNION ALL
SELECT {_day('created_at')} AS day, 'resolution' AS kind, array_agg(resolution_due_at ORDER BY resolution_due_at)
FROM {{schema}}.demands_demand
WHERE created_at IS NOT NULL AND resolution_due_at IS NOT NULL AND status NOT IN ('answered', 'closed')
GROUP BY 1"""

# Applications by their status now (by submission day) and stages left / left in time (by
# the day left): taken from the tenant's hub_rollupstatus / hub_rolluptimeliness day rows
# just written, summed over stages (DERIVED_DAY_SQL), so one RollupDay row per tenant
# gives them (drafts have no column: the dashboard does not show them).
STATUS_COLUMNS = ["status_in_review", "status_returned", "status_approved", "status_disbursed", "status_rejected",
                  "status_withdrawn"]
STAGE_COLUMNS = ["stage_exits", "stage_exits_on_time"]

# Sources of hub_rollupday: (tables read, SQL over {schema} giving day, key, value).
# Keys are the columns of RollupDay; a schema without the tables contributes nothing.
DAY_COLUMNS = ["enterprises", "enterprises_verified", "enterprises_above_size", "applications", "approvals",
               "rejections", "funds_approved", "funds_disbursed", "revenue", *DEMAND_COLUMNS, *STATUS_COLUMNS,
               *STAGE_COLUMNS]
DAY_SOURCES: list[tuple[tuple[str, ...], str]] = [
    (("enterprises_enterprise",), f"""
SELECT {_day('created_at')} AS day, x.key, x.value
FROM {{schema}}.enterprises_enterprise e,
LATERAL (VALUES ('enterprises', 1), ('enterprises_verified', CASE WHEN e.status = 'verified' THEN 1 ELSE 0 END),
                ('enterprises_above_size', CASE WHEN e.above_designated_size THEN 1 ELSE 0 END)) x(key, value)
WHERE e.created_at IS NOT NULL"""),
    (("applications_application",), f"""
SELECT {_day('submitted_at')} AS day, 'applications' AS key, 1 AS value
FROM {{schema}}.applications_application WHERE submitted_at IS NOT NULL"""),
    (("applications_application",), f"""
SELECT {_day('decided_at')} AS day, x.key, x.value
FROM {{schema}}.applications_application a,
LATERAL (VALUES ('approvals', CASE WHEN a.status <> 'rejected' THEN 1 ELSE 0 END),
                ('rejections', CASE WHEN a.status = 'rejected' THEN 1 ELSE 0 END),
                ('funds_approved', CASE WHEN a.status <> 'rejected' THEN coalesce(a.approved_amount, 0) ELSE 0 END)) x(key, value)
WHERE a.decided_at IS NOT NULL AND a.status IN ('approved', 'disbursed', 'rejected')"""),
    (("applications_application",), """
SELECT disbursed_on AS day, 'funds_disbursed' AS key, coalesce(disbursed_amount, 0) AS value
FROM {schema}.applications_application WHERE status = 'disbursed' AND disbursed_on IS NOT NULL"""),
    (("billing_payment",), f"""
SELECT {_day('confirmed_at')} AS day, 'revenue' AS key, amount AS value
FROM {{schema}}.billing_payment WHERE status = 'succeeded' AND confirmed_at IS NOT NULL"""),
    (("demands_demand",), DEMANDS_DAY_SQL),
]

DERIVED_DAY_SQL = """
SELECT day, 'status_' || status AS key, n AS value FROM public.hub_rollupstatus
WHERE tenant_id = %(tenant)s AND day IS NOT NULL AND NOT month
UNION ALL
SELECT day, x.key, x.value FROM public.hub_rolluptimeliness t,
LATERAL (VALUES ('stage_exits', t.exits), ('stage_exits_on_time', t.on_time)) x(key, value)
WHERE t.tenant_id = %(tenant)s AND t.day IS NOT NULL AND NOT t.month"""

DECISION_DAYS_SQL = f"""
SELECT {_day('a.decided_at')} AS day, we.ordinal - ws.ordinal AS days, count(*) AS n
FROM {{schema}}.applications_application a
JOIN public.hub_workingday ws ON ws.day = {_day('a.submitted_at')}
JOIN public.hub_workingday we ON we.day = {_day('a.decided_at')}
WHERE a.decided_at IS NOT NULL AND a.status IN ('approved', 'disbursed', 'rejected')
GROUP BY 1, 2"""

STATUS_SQL = f"""
SELECT {_day('a.submitted_at')} AS day, a.status, coalesce(st.name, '') AS stage, min(st.position) AS position,
       count(*) AS n
FROM {{schema}}.applications_application a
LEFT JOIN {{schema}}.funding_stage st ON st.id = a.current_stage_id
WHERE a.submitted_at IS NOT NULL
GROUP BY 1, a.status, st.name"""

TIMELINESS_SQL = f"""
SELECT {_day('e.left_at')} AS day, st.name AS stage, min(st.position) AS position, count(*) AS exits,
       count(*) FILTER (WHERE e.left_at <= e.due_at) AS on_time
FROM (
  SELECT to_stage_id, due_at,
         lead(created_at) OVER (PARTITION BY application_id ORDER BY created_at, id) AS left_at
  FROM {{schema}}.applications_applicationevent
) e
JOIN {{schema}}.funding_stage st ON st.id = e.to_stage_id
WHERE e.due_at IS NOT NULL AND e.left_at IS NOT NULL
GROUP BY 1, st.name"""

PROGRAMMES_SQL = """
SELECT opens_at, closes_at, budget FROM {schema}.funding_programme WHERE status <> 'draft'"""

OVERDUE_SQL = """
SELECT array_agg(stage_due_at ORDER BY stage_due_at) FROM {schema}.applications_application
WHERE status IN ('in_review', 'approved') AND stage_due_at IS NOT NULL"""

SUBSCRIPTIONS_SQL = """
SELECT array_agg(starts_at ORDER BY starts_at), array_agg(ends_at ORDER BY ends_at)
FROM {schema}.billing_subscription
WHERE status = 'active' AND starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at"""

DEMANDS_OPEN_DUE_SQL = """
SELECT array_agg(first_reply_due_at ORDER BY first_reply_due_at)
         FILTER (WHERE first_reply_due_at IS NOT NULL AND first_replied_at IS NULL),
       array_agg(resolution_due_at ORDER BY resolution_due_at)
         FILTER (WHERE resolution_due_at IS NOT NULL AND status NOT IN ('answered', 'closed'))
FROM {schema}.demands_demand WHERE created_at IS NOT NULL"""

# Running totals of the enterprise counts (registered up to the row's day), for "registered
# by the end of the range": summed over the day rows in order, the latest of a month or ever.
TO_DATE_COLUMNS = {f"{key}_to_date": key for key in ("enterprises", "enterprises_verified", "enterprises_above_size")}

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
INSERT INTO public.hub_rollupday (tenant_id, month, day, {', '.join(columns)}, decision_days, decision_counts)
SELECT %(tenant)s, {month}, s.period, {', '.join(f's.{c}' for c in columns)},
       coalesce(h.days, '{{}}'), coalesce(h.counts, '{{}}')
FROM (
  SELECT {period} AS period, {', '.join(totals)}
  FROM public.hub_rollupday WHERE tenant_id = %(tenant)s AND {source} GROUP BY 1
) s LEFT JOIN (
  SELECT period, array_agg(days ORDER BY days) AS days, array_agg(n ORDER BY days) AS counts FROM (
    SELECT {period} AS period, u.days, sum(u.n) AS n
    FROM public.hub_rollupday, unnest(decision_days, decision_counts) u(days, n)
    WHERE tenant_id = %(tenant)s AND {source} GROUP BY 1, 2
  ) x GROUP BY period
) h ON h.period IS NOT DISTINCT FROM s.period"""


NEEDED_TABLES = {
    "enterprises_enterprise", "applications_application", "applications_applicationevent", "funding_stage",
    "funding_programme", "billing_payment", "billing_subscription", "demands_demand",
}


def _execute(cursor, sql: str, params=None):
    cursor.execute(sql, params or {})


def rollup_refresh(*, schema_name: str) -> bool:
    """Recompute one tenant's rollup rows from its schema; False when it is not a tenant (any more).

    Delete + insert in one transaction under an advisory lock on the tenant: readers see
    the old rows or the new ones, and two refreshes of one tenant run one after the other.
    """
    from .selectors import _tables_by_schema, quote_schema

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM public.tenants_tenant WHERE schema_name = %s", [schema_name])
        row = cursor.fetchone()
    if row is None:
        return False
    tenant_id = row[0]
    present = _tables_by_schema([schema_name], NEEDED_TABLES)[schema_name]
    schema = quote_schema(schema_name)
    params = {"tenant": tenant_id}

    def has(*tables):
        return set(tables) <= present

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('hub_rollup'), %s)", [tenant_id])
        for table in ("hub_rollupday", "hub_rollupstatus", "hub_rolluptimeliness", "hub_rollupprogramme",
                      "hub_rolluptenant", "hub_rollupdemanddue"):
            cursor.execute(f"DELETE FROM public.{table} WHERE tenant_id = %s", [tenant_id])

        # Day rows (status and timeliness first: the day rows of hub_rollupday sum them).
        if has("applications_application", "funding_stage"):
            _execute(cursor, f"""
INSERT INTO public.hub_rollupstatus (tenant_id, day, status, stage, position, n)
SELECT %(tenant)s, day, status, stage, position, n FROM ({STATUS_SQL.format(schema=schema)}) s""", params)
        if has("applications_applicationevent", "funding_stage"):
            _execute(cursor, f"""
INSERT INTO public.hub_rolluptimeliness (tenant_id, day, stage, position, exits, on_time)
SELECT %(tenant)s, day, stage, position, exits, on_time FROM ({TIMELINESS_SQL.format(schema=schema)}) s""", params)
        sources = [sql.format(schema=schema) for tables, sql in DAY_SOURCES if has(*tables)] + [DERIVED_DAY_SQL]
        sums = ", ".join(f"coalesce(sum(value) FILTER (WHERE key = '{key}'), 0) AS {key}" for key in DAY_COLUMNS)
        union = "\nUNION ALL\n".join(sources)
        histograms = (f"""SELECT day, array_agg(days ORDER BY days) AS days, array_agg(n ORDER BY days) AS counts
  FROM ({DECISION_DAYS_SQL.format(schema=schema)}) d WHERE days IS NOT NULL GROUP BY day"""
                      if has("applications_application") else
                      "SELECT NULL::date AS day, NULL::integer[] AS days, NULL::bigint[] AS counts WHERE FALSE")
        running = ", ".join(f"sum(g.{key}) OVER (ORDER BY g.day)" for key in TO_DATE_COLUMNS.values())
        _execute(cursor, f"""
INSERT INTO public.hub_rollupday
  (tenant_id, day, {', '.join(DAY_COLUMNS)}, {', '.join(TO_DATE_COLUMNS)}, decision_days, decision_counts)
SELECT %(tenant)s, g.day, {', '.join(f'g.{key}' for key in DAY_COLUMNS)}, {running}, coalesce(h.days, '{{}}'),
       coalesce(h.counts, '{{}}')
FROM (SELECT day, {sums} FROM ({union}) s WHERE day IS NOT NULL GROUP BY day) g
LEFT JOIN ({histograms}) h ON h.day = g.day""", params)
        if has("demands_demand"):
            _execute(cursor, f"""
INSERT INTO public.hub_rollupdemanddue (tenant_id, day, kind, due_times)
SELECT %(tenant)s, day, kind, due_times FROM ({DEMANDS_DUE_SQL.format(schema=schema)}) s""", params)
            _execute(cursor, """
INSERT INTO public.hub_rollupdemanddue (tenant_id, month, day, kind, due_times)
SELECT %(tenant)s, TRUE, date_trunc('month', day)::date, kind, array_agg(due ORDER BY due)
FROM public.hub_rollupdemanddue, unnest(due_times) due
WHERE tenant_id = %(tenant)s AND NOT month GROUP BY 3, kind""", params)
        if has("funding_programme"):
            _execute(cursor, f"""
INSERT INTO public.hub_rollupprogramme (tenant_id, opens_at, closes_at, budget)
SELECT %(tenant)s, opens_at, closes_at, budget FROM ({PROGRAMMES_SQL.format(schema=schema)}) s""", params)
        if has("applications_application"):
            percentiles = ("(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days),"
                           " percentile_cont(0.9) WITHIN GROUP (ORDER BY days) FROM ("
                           + DECISION_DAYS_SQL.format(schema=schema).replace(", count(*) AS n", "").replace("GROUP BY 1, 2", "")
                           + ") d)")
        else:
            percentiles = "(SELECT NULL::float8, NULL::float8)"
        overdue = f"({OVERDUE_SQL.format(schema=schema)})" if has("applications_application") else "NULL"
        subs = f"({SUBSCRIPTIONS_SQL.format(schema=schema)})" if has("billing_subscription") else "(SELECT NULL, NULL)"
        demands = f"({DEMANDS_OPEN_DUE_SQL.format(schema=schema)})" if has("demands_demand") else "(SELECT NULL, NULL)"
        _execute(cursor, f"""
INSERT INTO public.hub_rolluptenant
  (tenant_id, refreshed_at, overdue_due, subscription_starts, subscription_ends, median_days, p90_days,
   demand_reply_due, demand_resolution_due)
SELECT %(tenant)s, %(now)s, coalesce({overdue}, '{{}}'), coalesce(s.starts, '{{}}'), coalesce(s.ends, '{{}}'),
       p.median, p.p90, coalesce(d.reply, '{{}}'), coalesce(d.resolution, '{{}}')
FROM {subs} s(starts, ends), {percentiles} p(median, p90), {demands} d(reply, resolution)""",
                 {**params, "now": timezone.now()})

        # Month rows from the day rows, then the all-time rows (day NULL) from the month rows.
        for month, period, source in (MONTHS_FROM_DAYS, ALL_TIME_FROM_MONTHS):
            _execute(cursor, _day_period_sql(month, period, source), params)
            for table, keys, summed, least in PERIOD_TABLES:
                columns = ", ".join([*keys, *summed, *least])
                values = ", ".join([*keys, *(f"sum({c})" for c in summed), *(f"min({c})" for c in least)])
                _execute(cursor, f"""
INSERT INTO public.{table} (tenant_id, month, day, {columns})
SELECT %(tenant)s, {month}, {period}, {values} FROM public.{table}
WHERE tenant_id = %(tenant)s AND {source} GROUP BY {', '.join([period, *keys])}""", params)
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
