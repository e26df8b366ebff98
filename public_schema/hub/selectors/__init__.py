"""Cross-tenant reads of the city hub, one module per concept.

- tenants: the filters (HubFilters) and the tenants they select;
- schemas: SQL over many tenant schemas at once;
- stats: HubStats, the figures' keys and units, totals, rates and percentiles;
- live: every figure computed over the tenant schemas (public_schema.hub.figures' live SQL);
- rollup: every figure from the rollup tables (what the pages read);
- awards: the duplicate awards across sub-platforms;
- programmes: the figures per programme (awarded, committed, paid, recovered, time per stage).

See docs/hub.md for the measurements behind the choices.
"""

from __future__ import annotations

from django.conf import settings

from ..awards import duplicate_awards_for
from .awards import duplicate_award_list
from .live import hub_stats_live
from .programmes import programme_figures, programme_figures_live, programme_figures_rollup
from .rollup import hub_stats_rollup, period_cover
from .schemas import quote_schema
from .stats import (
    ADDITIVE,
    FIGURE_UNITS,
    ZERO_FIGURES,
    HubStats,
    KindFigures,
    TenantFigures,
    hub_ranking,
    percentile_from_histogram,
    percentiles_from_histogram,
)
from .tenants import STATUS_ACTIVE, STATUS_ALL, STATUS_SUSPENDED, HubFilters, HubTenant, hub_tenants

__all__ = [
    "ADDITIVE",
    "FIGURE_UNITS",
    "STATUS_ACTIVE",
    "STATUS_ALL",
    "STATUS_SUSPENDED",
    "ZERO_FIGURES",
    "HubFilters",
    "HubStats",
    "HubTenant",
    "KindFigures",
    "TenantFigures",
    "duplicate_award_list",
    "duplicate_awards_for",
    "hub_ranking",
    "hub_stats",
    "hub_stats_live",
    "hub_stats_rollup",
    "hub_tenants",
    "percentile_from_histogram",
    "programme_figures",
    "programme_figures_live",
    "programme_figures_rollup",
    "percentiles_from_histogram",
    "period_cover",
    "quote_schema",
]


def hub_stats(*, filters: HubFilters, breakdown: bool = True) -> HubStats:
    """Every hub figure for the tenants the filters select, per tenant and city-wide.

    From the rollup tables in the public schema (hub_stats_rollup), unless
    settings.PARKHUB_HUB_ROLLUPS is False: then live over every tenant schema
    (hub_stats_live). Both give the same figures once the rollups are refreshed.
    `breakdown=False` leaves each tenant's rows out of `by_status` and `timeliness` (the
    city's rows are always there; the per-tenant status counts and on-time rate are in
    the tenant's figures either way): what the dashboard pages need, and cheaper.
    """
    if getattr(settings, "PARKHUB_HUB_ROLLUPS", True):
        return hub_stats_rollup(filters=filters, breakdown=breakdown)
    return hub_stats_live(filters=filters, breakdown=breakdown)
