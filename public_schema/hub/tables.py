"""The hub's figures as tables: what the pages show, the charts draw, and CSV/Excel export.

A `Table` holds raw values (numbers, not formatted strings), so the same object feeds
the HTML table, its ECharts chart (`chart_spec`), a CSV file and an Excel sheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import figures as f
from .selectors import FIGURE_UNITS, HubStats, hub_ranking

TEXT = "text"


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    unit: str = TEXT


@dataclass
class Table:
    key: str
    title: object
    columns: list[Column]
    rows: list[dict]
    chart: str = "bar"  # bar | stacked | none
    chart_columns: list[str] = field(default_factory=list)  # numeric columns drawn as series
    label_column: str = "tenant"
    # When `rows` are only some of the tenants (the page; exports have them all): which ones.
    note: str = ""

    def chart_spec(self) -> dict | None:
        """Categories and series for static/js/hub-charts.js; the city total row is not drawn."""
        if self.chart == "none" or not self.chart_columns:
            return None
        rows = [row for row in self.rows if not row.get("_city")]
        by_key = {column.key: column for column in self.columns}
        return {
            "key": self.key,
            "type": self.chart,
            "categories": [str(row.get(self.label_column) or "—") for row in rows],
            "series": [
                {
                    "name": str(by_key[key].label),
                    "unit": by_key[key].unit,
                    "data": [_number(row.get(key)) for row in rows],
                }
                for key in self.chart_columns
            ],
        }


def _number(value):
    return None if value is None else float(value)


# How much of a per-tenant table the dashboard page shows: the tenants with the largest
# values of the table's lead figure, the ranking's best, a page of the list of
# sub-platforms. The exports (CSV, Excel) and the API have every tenant.
TOP_N = 10
RANKING_TOP_N = 20
TENANTS_PER_PAGE = 50

# Figures the ranking can be made on (and the overview's columns), in display order.
RANKABLE = [
    "enterprises",
    "enterprises_verified",
    "enterprises_above_size",
    "applications",
    "approval_rate",
    "median_days",
    "p90_days",
    "on_time_rate",
    "overdue_now",
    "funds_budgeted",
    "funds_approved",
    "funds_disbursed",
    "subscriptions_active",
    "revenue",
    "demands_received",
    "demands_resolution_rate",
    "demands_on_time_reply_rate",
    "demands_on_time_resolution_rate",
    "demands_satisfaction_rate",
]
FIGURE_LABELS = {
    **{figure.key: figure.label for figure in f.SHOWN_SCALARS},
    "approvals": gettext_lazy("Approved"),
    "rejections": gettext_lazy("Rejected"),
    "approval_rate": gettext_lazy("Approval rate"),
    "median_days": gettext_lazy("Median working days to decision"),
    "p90_days": gettext_lazy("90th percentile working days"),
    "on_time_rate": gettext_lazy("On-time rate"),
    "funds_approved": gettext_lazy("Funds approved"),
    "demands_received": gettext_lazy("Demands received"),
    "demands_resolved": gettext_lazy("Demands resolved"),
    "demands_reply_due": gettext_lazy("First replies due"),
    "demands_replied_on_time": gettext_lazy("Replied on time"),
    "demands_resolution_due": gettext_lazy("Answers due"),
    "demands_resolved_on_time": gettext_lazy("Answered on time"),
    "demands_rated": gettext_lazy("Rated"),
    "demands_satisfied": gettext_lazy("Satisfied"),
    "demands_resolution_rate": gettext_lazy("Resolution rate"),
    "demands_on_time_reply_rate": gettext_lazy("On-time reply rate"),
    "demands_on_time_resolution_rate": gettext_lazy("On-time resolution rate"),
    "demands_satisfaction_rate": gettext_lazy("Satisfaction rate"),
}
DEMAND_TABLE_KEYS = [
    "demands_received",
    "demands_resolved",
    "demands_resolution_rate",
    "demands_on_time_reply_rate",
    "demands_on_time_resolution_rate",
    "demands_satisfaction_rate",
]
DEMAND_CHART_KEYS = [
    "demands_resolution_rate",
    "demands_on_time_reply_rate",
    "demands_on_time_resolution_rate",
    "demands_satisfaction_rate",
]
# The list of sub-platforms: the key figures, one column each, sortable.
OVERVIEW_KEYS = [
    "enterprises",
    "applications",
    "approval_rate",
    "median_days",
    "on_time_rate",
    "overdue_now",
    "funds_approved",
    "demands_received",
    "demands_resolution_rate",
]
KIND_KEYS = [
    "applications",
    "approval_rate",
    "median_days",
    "on_time_rate",
    "overdue_now",
    "funds_approved",
    "demands_received",
    "demands_resolution_rate",
]


def _figure_column(key: str) -> Column:
    return Column(key, FIGURE_LABELS[key], FIGURE_UNITS[key])


def _tenant_cells(tenant) -> dict:
    """The cells every per-tenant row starts with."""
    return {
        "tenant": tenant.name,
        "slug": tenant.schema_name,
        "kind": tenant.get_kind_display(),
        "status": tenant.get_status_display(),
        "_suspended": tenant.is_suspended,
    }


def _sort_key(figure: str):
    """Sort key for tenants on a figure: tenants without a value go last (both directions)."""

    def key(row):
        value = row.values.get(figure)
        return (value is not None, value if value is not None else 0)

    return key


def top_rows(stats: HubStats, figure: str, limit: int | None) -> list:
    """The tenants with the largest values of `figure` (registry order among equals), or all of them."""
    if limit is None or len(stats.rows) <= limit:
        return stats.rows
    return sorted(stats.rows, key=_sort_key(figure), reverse=True)[:limit]


def _tenant_rows(stats: HubStats, keys: list[str], tenant_rows=None, *, with_city: bool = True) -> list[dict]:
    rows = [
        {**_tenant_cells(row.tenant), **{key: row.values.get(key) for key in keys}}
        for row in (stats.rows if tenant_rows is None else tenant_rows)
    ]
    if with_city and len(stats.rows) != 1:
        rows.append(
            {"tenant": _("City total"), "_city": True, **{key: stats.city.values.get(key) for key in keys}}
        )
    return rows


def _top_note(stats: HubStats, lead: str, limit: int | None) -> str:
    if limit is None or len(stats.rows) <= limit:
        return ""
    return _(
        "The %(shown)s sub-platforms with the highest “%(figure)s”, of %(total)s. All of them: the CSV or"
        " Excel file, or the list of sub-platforms."
    ) % {"shown": limit, "figure": FIGURE_LABELS[lead], "total": len(stats.rows)}


def _tenant_table(key, title, stats, figure_keys, *, lead, limit=None, chart="bar", chart_keys=None) -> Table:
    """A figure table per tenant, with the city total; with `limit`, only the top tenants on `lead`."""
    columns = [Column("tenant", _("Sub-platform")), Column("status", _("Status"))]
    columns += [_figure_column(figure) for figure in figure_keys]
    return Table(
        key,
        title,
        columns,
        _tenant_rows(stats, figure_keys, top_rows(stats, lead, limit)),
        chart=chart,
        chart_columns=list(chart_keys if chart_keys is not None else figure_keys),
        note=_top_note(stats, lead, limit),
    )


def _status_table(stats: HubStats, limit: int | None = None) -> Table:
    """Submitted applications per tenant by status (a pivot: one column per status)."""
    statuses = f.APPLICATION_STATUSES
    keys = [f"status_{value}" for value, _label in statuses]
    columns = [Column("tenant", _("Sub-platform")), Column("status", _("Status"))]
    columns += [Column(key, label, f.COUNT) for key, (_value, label) in zip(keys, statuses, strict=True)]
    rows = _tenant_rows(stats, keys, top_rows(stats, "applications", limit))
    return Table(
        "applications",
        _("Applications by status"),
        columns,
        rows,
        chart="stacked",
        chart_columns=keys,
        note=_top_note(stats, "applications", limit),
    )


def _stage_table(stats: HubStats) -> Table:
    """Applications held at each stage now (in review, or approved and on notice / awaiting payment).

    From the city's rows: the selected tenants together (the one tenant of a drill-down).
    """
    held: dict[str, int] = {}
    order: dict[str, int] = {}
    for row in stats.by_status:
        if row["tenant_id"] is not None or not row["stage"]:
            continue
        if row["status"] not in f.HELD_AT_A_STAGE:
            continue
        held[row["stage"]] = held.get(row["stage"], 0) + int(row["n"])
        order[row["stage"]] = min(order.get(row["stage"], 99), row["position"] or 99)
    rows = [{"stage": stage, "held": held[stage]} for stage in sorted(held, key=lambda s: (order[s], s))]
    columns = [Column("stage", _("Stage")), Column("held", _("Applications at this stage"), f.COUNT)]
    return Table(
        "stages", _("Applications by stage"), columns, rows, chart_columns=["held"], label_column="stage"
    )


def _timeliness_table(stats: HubStats) -> Table:
    rows = [
        {"stage": row["stage"], "exits": row["exits"], "on_time": row["on_time"], "rate": row["rate"]}
        for row in stats.timeliness
        if row["tenant_id"] is None
    ]
    columns = [
        Column("stage", _("Stage")),
        Column("exits", _("Stages completed"), f.COUNT),
        Column("on_time", _("Within the time limit"), f.COUNT),
        Column("rate", _("On-time rate"), f.RATE),
    ]
    return Table(
        "timeliness", _("On-time rate per stage"), columns, rows, chart_columns=["rate"], label_column="stage"
    )


def hub_tables(*, stats: HubStats, rank_by: str = "approval_rate", limit: int | None = None) -> list[Table]:
    """Every figure table of the dashboard, in page order.

    `limit`: the page shows the top `limit` tenants of each per-tenant table (on its lead
    figure: the most enterprises, applications, overdue, funds approved, revenue, demands)
    and the ranking's best RANKING_TOP_N; None (exports) gives every tenant.
    """
    tables = [
        _tenant_table(
            "enterprises",
            _("Enterprises"),
            stats,
            ["enterprises", "enterprises_verified", "enterprises_above_size"],
            lead="enterprises",
            limit=limit,
        ),
        _status_table(stats, limit),
        _stage_table(stats),
        _tenant_table(
            "decisions",
            _("Decisions"),
            stats,
            ["applications", "approvals", "rejections", "approval_rate", "median_days", "p90_days"],
            chart_keys=["approval_rate", "median_days", "p90_days"],
            lead="applications",
            limit=limit,
        ),
        _timeliness_table(stats),
        _tenant_table(
            "deadlines",
            _("Deadlines"),
            stats,
            ["on_time_rate", "overdue_now"],
            lead="overdue_now",
            limit=limit,
        ),
        _tenant_table(
            "funds",
            _("Funds"),
            stats,
            ["funds_budgeted", "funds_approved", "funds_disbursed"],
            lead="funds_approved",
            limit=limit,
        ),
        _tenant_table(
            "services",
            _("Value-added services"),
            stats,
            ["subscriptions_active", "revenue"],
            lead="revenue",
            limit=limit,
        ),
        # Demands filed in the range; city rates are ratios of the summed counts.
        _tenant_table(
            "demands",
            _("Enterprise demands"),
            stats,
            DEMAND_TABLE_KEYS,
            chart_keys=DEMAND_CHART_KEYS,
            lead="demands_received",
            limit=limit,
        ),
    ]
    if len(stats.rows) != 1:
        tables.append(
            ranking_table(stats=stats, figure=rank_by, limit=None if limit is None else RANKING_TOP_N)
        )
    return tables


def ranking_table(*, stats: HubStats, figure: str, limit: int | None = None) -> Table:
    if figure not in RANKABLE:
        figure = "approval_rate"
    rows = []
    for position, row in enumerate(hub_ranking(stats=stats, figure=figure)[:limit], start=1):
        rows.append({"rank": position, **_tenant_cells(row.tenant), figure: row.values.get(figure)})
    columns = [
        Column("rank", _("Rank"), f.COUNT),
        Column("tenant", _("Sub-platform")),
        Column("status", _("Status")),
        _figure_column(figure),
    ]
    title = _("Ranking by %(figure)s") % {"figure": FIGURE_LABELS[figure]}
    note = ""
    if limit is not None and len(stats.rows) > limit:
        note = _("The best %(shown)s of %(total)s. All of them: the CSV or Excel file.") % {
            "shown": limit,
            "total": len(stats.rows),
        }
    return Table("ranking", title, columns, rows, chart_columns=[figure], note=note)


def kind_table(*, stats: HubStats) -> Table:
    """The selected tenants by kind (districts, parks, institutions), with the city total.

    Sums, rates as ratios of the sums and percentiles of the kind's own working days:
    the city view at a glance, whatever the number of tenants.
    """
    rows = [
        {
            "tenant": group.label,
            "kind_value": group.kind,
            "tenants": group.tenants,
            **{key: group.values.get(key) for key in KIND_KEYS},
        }
        for group in stats.by_kind
    ]
    rows.append(
        {
            "tenant": _("City total"),
            "_city": True,
            "tenants": len(stats.rows),
            **{key: stats.city.values.get(key) for key in KIND_KEYS},
        }
    )
    columns = [Column("tenant", _("Kind")), Column("tenants", _("Number of sub-platforms"), f.COUNT)]
    columns += [_figure_column(key) for key in KIND_KEYS]
    return Table(
        "kinds",
        _("By kind of sub-platform"),
        columns,
        rows,
        chart_columns=["applications", "approval_rate", "on_time_rate", "demands_resolution_rate"],
    )


def overview_rows(*, stats: HubStats, sort: str | None = None, search: str = "") -> list:
    """The selected tenants for the list of sub-platforms: narrowed to names or slugs containing
    `search`, sorted on a column (`-key`: descending; tenants without a value last)."""
    tenant_rows = stats.rows
    if search:
        needle = search.casefold()
        tenant_rows = [
            row
            for row in tenant_rows
            if needle in row.tenant.name.casefold() or needle in row.tenant.schema_name.casefold()
        ]
    key, descending = (sort or "").lstrip("-"), (sort or "").startswith("-")
    if key in OVERVIEW_KEYS:
        with_value = [row for row in tenant_rows if row.values.get(key) is not None]
        without = [row for row in tenant_rows if row.values.get(key) is None]
        tenant_rows = sorted(with_value, key=lambda row: row.values[key], reverse=descending) + without
    elif key in ("tenant", "kind", "status"):
        label = {
            "tenant": lambda tenant: tenant.name,
            "kind": lambda tenant: tenant.get_kind_display(),
            "status": lambda tenant: tenant.get_status_display(),
        }[key]
        tenant_rows = sorted(tenant_rows, key=lambda row: label(row.tenant), reverse=descending)
    return tenant_rows


def overview_table(*, stats: HubStats, tenant_rows: list | None = None) -> Table:
    """The list of sub-platforms with the key figures: `tenant_rows` (a page of overview_rows), or every tenant."""
    columns = [Column("tenant", _("Sub-platform")), Column("kind", _("Kind")), Column("status", _("Status"))]
    columns += [_figure_column(key) for key in OVERVIEW_KEYS]
    return Table(
        "tenants",
        _("Sub-platforms"),
        columns,
        _tenant_rows(stats, OVERVIEW_KEYS, tenant_rows, with_city=False),
        chart="none",
    )


def export_tables(*, stats: HubStats, rank_by: str = "approval_rate") -> list[Table]:
    """Every table of the page in full (every tenant), for CSV and Excel."""
    tables = hub_tables(stats=stats, rank_by=rank_by)
    if len(stats.rows) != 1:
        tables = [kind_table(stats=stats), overview_table(stats=stats), *tables]
    return tables


def duplicates_table(*, rows: list[dict]) -> Table:
    columns = [
        Column("credit_code", _("Unified Social Credit Code")),
        Column("enterprise_name", _("Enterprise")),
        Column("category", _("Programme category")),
        Column("tenant_names", _("Awarded by")),
        Column("awards", _("Awards"), f.COUNT),
        Column("amount", _("Total awarded"), f.MONEY),
        Column("latest", _("Latest award")),
        Column("open_recoveries", _("Open recoveries"), f.COUNT),
    ]
    return Table(
        "duplicates",
        _("Awarded in more than one sub-platform"),
        columns,
        rows,
        chart="none",
        label_column="enterprise_name",
    )


def programme_table(*, rows: list[dict]) -> Table:
    """Per programme (public_schema.hub.selectors.programme_figures): the money and the average time per stage."""
    columns = [
        Column("tenant", _("Sub-platform")),
        Column("title", _("Programme")),
        Column("applications", _("Applications"), f.COUNT),
        Column("awarded", _("Awarded"), f.COUNT),
        Column("budget", _("Budget"), f.MONEY),
        Column("committed", _("Committed"), f.MONEY),
        Column("paid", _("Paid"), f.MONEY),
        Column("recovered", _("Recovered"), f.MONEY),
        Column("stage_days", _("Average working days per stage")),
    ]
    shown = [
        {
            **row,
            "stage_days": " · ".join(
                f"{stage['stage']} {stage['average_days']}"
                for stage in row["stages"]
                if stage["average_days"] is not None
            ),
        }
        for row in rows
    ]
    return Table(
        "programmes",
        _("Programmes"),
        columns,
        shown,
        chart="bar",
        chart_columns=["committed", "paid", "recovered"],
        label_column="title",
    )


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _cell(value):
    if hasattr(value, "tzinfo") and value.tzinfo is not None:  # Excel has no time zones
        return value.replace(tzinfo=None)
    return value


def table_csv(table: Table) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel opens UTF-8 Chinese correctly
    writer = csv.writer(out)
    writer.writerow([str(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow(
            ["" if row.get(column.key) is None else row.get(column.key) for column in table.columns]
        )
    return out.getvalue()


def tables_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=str(table.title)[:31].replace("/", "-"))
        sheet.append([str(column.label) for column in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell(row.get(column.key)) for column in table.columns])
        for index, column in enumerate(table.columns, start=1):
            if column.unit == f.MONEY:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
