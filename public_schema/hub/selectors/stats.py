"""The hub's figures as the pages read them (HubStats), and the arithmetic both paths share.

Per tenant, per kind of tenant and city-wide; rates are ratios of summed counts, and
percentiles of working days come from distributions added up, never from averages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from public_schema.tenants.models import Tenant

from .. import figures as f
from .tenants import KIND_LABELS, HubFilters, HubTenant


@dataclass
class TenantFigures:
    """One row of the overview: a tenant (or the city when `tenant` is None) and its figures."""

    tenant: HubTenant | None
    values: dict = field(default_factory=dict)

    @property
    def is_city(self) -> bool:
        return self.tenant is None


@dataclass
class KindFigures:
    """The figures of every selected tenant of one kind (district, park, institution) together."""

    kind: str
    label: str
    tenants: int
    values: dict = field(default_factory=dict)


@dataclass
class HubStats:
    filters: HubFilters
    rows: list[TenantFigures]  # one per tenant, registry order
    city: TenantFigures
    # {tenant_id|None, status, stage, position, n} and {tenant_id|None, stage, position, exits,
    # on_time, rate}: the city's rows (tenant_id None, the selected tenants together), and
    # each tenant's too when asked for (`breakdown`).
    by_status: list[dict]
    timeliness: list[dict]
    by_kind: list[KindFigures] = field(default_factory=list)

    def row_for(self, tenant_id: int | None) -> TenantFigures:
        if tenant_id is None:
            return self.city
        return next(row for row in self.rows if row.tenant.pk == tenant_id)


# Demands: counts (additive per tenant) and the rates derived from them. The counts are the
# figures of public_schema.hub.figures, with the replies and answers due (given + open deadlines passed).
DEMAND_COUNTS = [
    *(figure.key for figure in f.DEMAND_FIGURES if figure.key not in f.WORKING_KEYS),
    *f.DEMANDS_DUE,
]
DEMAND_RATES = {  # rate: (part, whole)
    "demands_resolution_rate": ("demands_resolved", "demands_received"),
    "demands_on_time_reply_rate": ("demands_replied_on_time", "demands_reply_due"),
    "demands_on_time_resolution_rate": ("demands_resolved_on_time", "demands_resolution_due"),
    "demands_satisfaction_rate": ("demands_satisfied", "demands_rated"),
}
# Submitted applications by their status now (status_<status>), and stages left / left by
# their due time: the counts behind the status table and the on-time rate.
STATUS_COUNTS = f.STATUS_COLUMNS
STAGE_COUNTS = f.STAGE_COLUMNS

# Every figure of a tenant without rows: the scalar figures of public_schema.hub.figures (the decisions
# among them), the rates and percentiles derived here, the status and stage counts.
ZERO_FIGURES = {
    **{figure.key: 0 for figure in f.SHOWN_SCALARS},
    "approval_rate": None,
    "median_days": None,
    "p90_days": None,
    "on_time_rate": None,
    **{key: 0 for key in DEMAND_COUNTS},
    **{key: None for key in DEMAND_RATES},
    **{key: 0 for key in STATUS_COUNTS + STAGE_COUNTS},
}
ADDITIVE = list(
    dict.fromkeys(
        [figure.key for figure in f.SHOWN_SCALARS] + [*DEMAND_COUNTS, *STATUS_COUNTS, *STAGE_COUNTS]
    )
)
FIGURE_UNITS = {
    **{figure.key: figure.unit for figure in f.SHOWN_SCALARS},
    "approval_rate": f.RATE,
    "median_days": f.DAYS,
    "p90_days": f.DAYS,
    "on_time_rate": f.RATE,
    **{key: f.COUNT for key in DEMAND_COUNTS},
    **{key: f.RATE for key in DEMAND_RATES},
    **{key: f.COUNT for key in STATUS_COUNTS + STAGE_COUNTS},
}


def _rate(part, whole) -> float | None:
    return round(float(part) * 100 / float(whole), 1) if whole else None


def percentile_from_histogram(histogram: dict[int, int], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over the values a {value: count} histogram stands for.

    Exact, not an estimate: the position fraction × (n − 1) between the sorted values,
    interpolated linearly, as percentile_cont does. Used to combine distributions of
    working days (of tenants, chunks, rollup rows) into medians and 90th percentiles.
    """
    return percentiles_from_histogram(histogram, (fraction,))[0]


def percentiles_from_histogram(histogram: dict[int, int], fractions: tuple[float, ...]) -> list[float | None]:
    """percentile_from_histogram for several fractions, sorting the histogram once."""
    total = sum(histogram.values())
    if not total:
        return [None] * len(fractions)
    values = sorted(histogram)
    results = []
    for fraction in fractions:
        position = fraction * (total - 1)
        below, above = int(position), min(int(position) + 1, total - 1)
        seen, at_below, at_above = 0, None, None
        for value in values:
            seen += histogram[value]
            if at_below is None and seen > below:
                at_below = value
            if seen > above:
                at_above = value
                break
        results.append(float(at_below + (at_above - at_below) * (position - below)))
    return results


def stats_finish(filters, tenants, values, histograms, status_counts, stage_counts) -> HubStats:
    """City and per-kind totals, rates and the sorted status / timeliness lists, the same for both paths.

    `histograms`: per kind of tenant, the working days to decision {days: decisions}, from
    which the percentiles of each kind and of the city are exact.
    """
    city = values[None]
    kinds: dict[str, KindFigures] = {}
    labels = KIND_LABELS
    for tenant in tenants:
        group = kinds.get(tenant.kind)
        if group is None:
            group = kinds[tenant.kind] = KindFigures(
                kind=tenant.kind,
                label=str(labels.get(tenant.kind, tenant.kind)),
                tenants=0,
                values=dict.fromkeys(ADDITIVE, 0),
            )
        group.tenants += 1
        figures, totals = values[tenant.pk], group.values
        for key in ADDITIVE:
            totals[key] += figures[key] or 0
    for key in ADDITIVE:
        city[key] = sum(group.values[key] for group in kinds.values())
    city_histogram: dict[int, int] = {}
    for histogram in histograms.values():
        for days, n in histogram.items():
            city_histogram[days] = city_histogram.get(days, 0) + n
    city["median_days"] = percentile_from_histogram(city_histogram, 0.5)
    city["p90_days"] = percentile_from_histogram(city_histogram, 0.9)

    for group in kinds.values():
        histogram = histograms.get(group.kind, {})
        group.values["median_days"] = percentile_from_histogram(histogram, 0.5)
        group.values["p90_days"] = percentile_from_histogram(histogram, 0.9)

    # Rates are ratios of the summed counts, never averages of tenants' rates.
    for figures in [*values.values(), *(group.values for group in kinds.values())]:
        figures["approval_rate"] = _rate(figures["approvals"], figures["approvals"] + figures["rejections"])
        figures["on_time_rate"] = _rate(figures["stage_exits_on_time"], figures["stage_exits"])
        for rate, (part, whole) in DEMAND_RATES.items():
            figures[rate] = _rate(figures[part], figures[whole])
    by_status = [
        {"tenant_id": tenant_id, "status": status, "stage": stage, "position": position, "n": n}
        for (tenant_id, status, stage), (position, n) in status_counts.items()
    ]
    timeliness = [
        {
            "tenant_id": tenant_id,
            "stage": stage,
            "position": position,
            "exits": exits,
            "on_time": on_time,
            "rate": _rate(on_time, exits),
        }
        for (tenant_id, stage), (position, exits, on_time) in stage_counts.items()
    ]
    # City rows first, then tenants by id, within each stage (and status).
    by_status.sort(
        key=lambda row: (
            row["position"] is None,
            row["position"] or 0,
            row["stage"],
            row["status"],
            row["tenant_id"] is not None,
            row["tenant_id"] or 0,
        )
    )
    timeliness.sort(
        key=lambda row: (
            row["position"] or 0,
            row["stage"],
            row["tenant_id"] is not None,
            row["tenant_id"] or 0,
        )
    )
    kind_order = [value for value, _label in Tenant.Kind.choices]
    return HubStats(
        filters=filters,
        rows=[TenantFigures(tenant=tenant, values=values[tenant.pk]) for tenant in tenants],
        city=TenantFigures(tenant=None, values=city),
        by_status=by_status,
        timeliness=timeliness,
        by_kind=sorted(kinds.values(), key=lambda group: kind_order.index(group.kind)),
    )


def hub_ranking(*, stats: HubStats, figure: str) -> list[TenantFigures]:
    """Tenants best first on `figure` (fewest first for days and overdue); tenants without a value last."""
    lower_is_better = FIGURE_UNITS.get(figure) == f.DAYS or figure == "overdue_now"
    with_value = [row for row in stats.rows if row.values.get(figure) is not None]
    without = [row for row in stats.rows if row.values.get(figure) is None]
    with_value.sort(key=lambda row: Decimal(str(row.values[figure])), reverse=not lower_is_better)
    return with_value + without
