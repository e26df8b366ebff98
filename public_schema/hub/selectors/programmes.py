"""The hub's figures per programme: applications, awarded, committed, paid, recovered, and
the average working days per stage; live over the tenant schemas, or from the rollups.

Both read the one definition of public_schema.hub.figures (PROGRAMME_FIGURES_SQL,
PROGRAMME_STAGE_SQL): live runs it over the selected tenants' schemas (one branch each),
the rollup refresh stores its rows (public_schema.hub.rollups), so the two answer the same
once the rollups are refreshed. The figures are as now: the date range does not apply.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from .. import figures as f
from .schemas import _chunks, _fetch, _union, tables_by_schema
from .tenants import HubFilters, hub_tenants


def _rows(programmes: list[dict], stages: list[dict], names: dict[int, str]) -> list[dict]:
    """One row per programme with its tenant's name and its stages [(stage, exits, average days)]."""
    by_programme: dict[tuple, list] = {}
    for stage in sorted(stages, key=lambda s: (s["tenant_id"], s["programme_id"], s["position"], s["stage"])):
        exits = int(stage["exits"])
        average = round(float(stage["days_total"]) / exits, 1) if exits else None
        by_programme.setdefault((stage["tenant_id"], stage["programme_id"]), []).append(
            {"stage": stage["stage"], "exits": exits, "average_days": average}
        )
    rows = []
    for programme in programmes:
        key = (programme["tenant_id"], programme["programme_id"])
        row = {
            "tenant_id": programme["tenant_id"],
            "tenant": names.get(programme["tenant_id"], ""),
            "programme_id": programme["programme_id"],
            "title": programme["title"],
            "category": programme["category"],
            "budget": Decimal(programme["budget"]),
            **{k: programme[k] for k in f.PROGRAMME_FIGURE_KEYS},
            "stages": by_programme.get(key, []),
        }
        for money in ("committed", "paid", "recovered"):
            row[money] = Decimal(row[money])
        for count in ("applications", "awarded"):
            row[count] = int(row[count])
        rows.append(row)
    rows.sort(key=lambda r: (r["tenant"], r["title"], r["programme_id"]))
    return rows


def programme_figures_live(*, filters: HubFilters) -> list[dict]:
    tenants = hub_tenants(filters=filters)
    names = {tenant.pk: tenant.name for tenant in tenants}
    present = tables_by_schema([t.schema_name for t in tenants], f.programme_tables_read())
    programmes, stages = [], []
    for chunk in _chunks(tenants, getattr(settings, "PARKHUB_HUB_SCHEMAS_PER_STATEMENT", 200)):
        if union := _union(chunk, present, f.PROGRAMME_TABLES, f.PROGRAMME_FIGURES_SQL):
            programmes += _fetch(union, {})
        if union := _union(chunk, present, f.PROGRAMME_STAGE_TABLES, f.PROGRAMME_STAGE_SQL):
            stages += _fetch(union, {})
    return _rows(programmes, stages, names)


def programme_figures_rollup(*, filters: HubFilters) -> list[dict]:
    tenants = hub_tenants(filters=filters)
    names = {tenant.pk: tenant.name for tenant in tenants}
    ids = [int(tenant.pk) for tenant in tenants]
    columns = ", ".join(f.PROGRAMME_FIGURE_KEYS)
    programmes = _fetch(
        f"SELECT tenant_id, programme_id, title, category, budget, {columns}"
        " FROM hub_rollupprogrammefigures WHERE tenant_id = ANY(%(ids)s)",
        {"ids": ids},
    )
    stages = _fetch(
        "SELECT tenant_id, programme_id, stage, position, exits, days_total"
        " FROM hub_rollupprogrammestage WHERE tenant_id = ANY(%(ids)s)",
        {"ids": ids},
    )
    return _rows(programmes, stages, names)


def programme_figures(*, filters: HubFilters) -> list[dict]:
    """Per programme, from the rollups unless settings.PARKHUB_HUB_ROLLUPS is False (as hub_stats)."""
    if getattr(settings, "PARKHUB_HUB_ROLLUPS", True):
        return programme_figures_rollup(filters=filters)
    return programme_figures_live(filters=filters)
