"""Every hub figure computed live over the tenant schemas: the rollups' reference.

Each family of figures of public_schema.hub.figures is one SQL statement over a chunk of tenant
schemas (one branch per schema, public_schema.hub.selectors.schemas), aggregated per tenant and
city-wide with GROUPING SETS. Figures for a tenant without rows are zeros (its schema
contributes nothing or zero), so a tenant provisioned a second ago is listed with zeros.
"""

from __future__ import annotations

from django.conf import settings

from .. import figures as f
from .schemas import _chunks, _fetch, _union, quote_schema, tables_by_schema
from .stats import ZERO_FIGURES, HubStats, stats_finish
from .tenants import HubFilters, hub_tenants


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
    # Per tenant, plus each tenant's distribution of working days (grouped by days), from
    # which the percentiles of the city and of each kind of tenant are taken across chunks.
    return f"""
SELECT tenant_id, days AS histogram_days, 1 - GROUPING(days) AS is_histogram, count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90_days
FROM (
{f.DECISIONS_DAYS.format(union=union)}
) d GROUP BY GROUPING SETS ((tenant_id), (tenant_id, days))"""


def _status_sql(union: str) -> str:
    return f"SELECT tenant_id, status, stage, position, n FROM (\n{union}\n) u"


def _timeliness_sql(union: str) -> str:
    return f"SELECT tenant_id, stage, position, exits, on_time FROM (\n{union}\n) u"


def hub_stats_live(*, filters: HubFilters, breakdown: bool = True) -> HubStats:
    """Every hub figure, computed live over the tenant schemas (the rollups' reference).

    Four families of figures, each one statement over a chunk of tenant schemas at once
    (settings.PARKHUB_HUB_SCHEMAS_PER_STATEMENT, 200 by default): the scalar figures
    (enterprises, applications, decisions, overdue, funds, subscriptions, revenue,
    demands), working days to decision, applications by status
    and stage, and stage timeliness. Chunks keep one statement's locks (one per table
    and index it reads) within PostgreSQL's lock table; with the defaults 1,000 tenants
    are 5 statements per family. City totals add the chunks' partial sums; the
    percentiles of the city and of each kind come from the tenants' working-day distributions.
    """
    tenants = hub_tenants(filters=filters)
    present = tables_by_schema([tenant.schema_name for tenant in tenants], f.tables_read())
    totals = _LiveTotals(tenants, breakdown)
    params = filters.bounds()
    for chunk in _chunks(tenants, getattr(settings, "PARKHUB_HUB_SCHEMAS_PER_STATEMENT", 200)):
        if union := _scalars_sql(chunk, present):
            totals.add_scalars(_fetch(f"SELECT * FROM (\n{union}\n) u", params))
        if union := _union(chunk, present, f.DECISIONS_TABLES, f.DECISIONS_BRANCH):
            totals.add_decisions(_fetch(_decisions_sql(union), params))
        if union := _union(chunk, present, f.STATUS_TABLES, f.STATUS_BRANCH):
            totals.add_status(_fetch(_status_sql(union), params))
        if union := _union(chunk, present, f.TIMELINESS_TABLES, f.TIMELINESS_BRANCH):
            totals.add_timeliness(_fetch(_timeliness_sql(union), params))
    return stats_finish(
        filters, tenants, totals.values, totals.histograms, totals.status_counts, totals.stage_counts
    )


class _LiveTotals:
    """The chunks' rows added up: per tenant figures, per kind working-day histograms, and the
    status / stage rows of the city (tenant None) and, with `breakdown`, of each tenant."""

    def __init__(self, tenants, breakdown: bool):
        self.kind_of = {tenant.pk: tenant.kind for tenant in tenants}
        self.values: dict[int | None, dict] = {tenant.pk: dict(ZERO_FIGURES) for tenant in tenants}
        self.values[None] = dict(ZERO_FIGURES)
        self.histograms: dict[str, dict[int, int]] = {}
        self.status_counts: dict[tuple, list] = {}
        self.stage_counts: dict[tuple, list] = {}
        self.breakdown = breakdown

    def _rows_for(self, tenant_id):
        return (tenant_id, None) if self.breakdown else (None,)

    def add_scalars(self, rows) -> None:
        for row in rows:
            figures = self.values[row.pop("tenant_id")]
            figures.update({k: v for k, v in row.items() if v is not None})
            # Replies and answers due: those given and the open deadlines passed by now.
            for due, (given, deadline) in f.DEMANDS_DUE.items():
                figures[due] = (figures.pop(given, 0) or 0) + (figures.pop(deadline.key, 0) or 0)

    def add_decisions(self, rows) -> None:
        for row in rows:
            if row["is_histogram"]:
                if row["histogram_days"] is not None:
                    histogram = self.histograms.setdefault(self.kind_of[row["tenant_id"]], {})
                    histogram[row["histogram_days"]] = histogram.get(row["histogram_days"], 0) + row["n"]
                continue
            figures = self.values[row["tenant_id"]]
            for key in ("median_days", "p90_days"):
                if row[key] is not None:
                    figures[key] = row[key]

    def add_status(self, rows) -> None:
        for row in rows:
            key = f"status_{row['status']}"
            if key in self.values[row["tenant_id"]]:
                self.values[row["tenant_id"]][key] += row["n"]
            for tenant_id in self._rows_for(row["tenant_id"]):
                entry = self.status_counts.setdefault(
                    (tenant_id, row["status"], row["stage"]), [row["position"], 0]
                )
                entry[1] += row["n"]

    def add_timeliness(self, rows) -> None:
        for row in rows:
            self.values[row["tenant_id"]]["stage_exits"] += row["exits"]
            self.values[row["tenant_id"]]["stage_exits_on_time"] += row["on_time"]
            for tenant_id in self._rows_for(row["tenant_id"]):
                entry = self.stage_counts.setdefault((tenant_id, row["stage"]), [row["position"], 0, 0])
                entry[1] += row["exits"]
                entry[2] += row["on_time"]
