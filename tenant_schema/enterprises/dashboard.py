"""The park administrator's dashboard: the park's own figures, from the definitions the hub uses.

Every number here is a figure of tenant_schema.figures run over this tenant's schema alone,
the same SQL the hub runs over every schema (its live path), so the park and the city never
disagree about what "overdue" or "revenue" means. One statement for the headline figures,
one for applications by status and stage, one per monthly series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_schema import figures as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIODS = ("year", "12m", "all")

# The headline figures, in the order the page shows them (the keys of tenant_schema.figures).
HEADLINE_KEYS = [
    "enterprises",
    "enterprises_verified",
    "applications",
    "approvals",
    "funds_approved",
    "overdue_now",
    "demands_received",
    "demands_resolved",
    "revenue",
    "subscriptions_active",
]
REVENUE_KEYS = {"revenue", "subscriptions_active"}


@dataclass(frozen=True)
class Period:
    key: str
    date_from: dt.date | None
    date_to: dt.date

    def bounds(self) -> dict:
        """The parameters of the figures' live SQL (see tenant_schema.figures)."""
        start_date = self.date_from or dt.date(1970, 1, 1)
        return {
            "start": dt.datetime.combine(start_date, dt.time.min, tzinfo=SHANGHAI),
            "end": dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI),
            "start_date": start_date,
            "end_date": self.date_to,
            "now": timezone.now(),
        }


def dashboard_period(key: str, *, today: dt.date | None = None) -> Period:
    """This calendar year (the default), the last twelve months, or everything so far."""
    today = today or timezone.localdate()
    if key == "12m":
        return Period("12m", today.replace(year=today.year - 1) + dt.timedelta(days=1), today)
    if key == "all":
        return Period("all", None, today)
    return Period("year", today.replace(month=1, day=1), today)


def _schema() -> str:
    return '"' + connection.schema_name.replace('"', '""') + '"'


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _headline(params: dict) -> dict:
    figures = {figure.key: figure for figure in f.SCALAR_FIGURES}
    columns = ", ".join(f"({figures[key].sql.format(schema=_schema())}) AS {key}" for key in HEADLINE_KEYS)
    values = _rows(f"SELECT {columns}", params)[0]
    return dict(zip(HEADLINE_KEYS, values, strict=True))


def _by_status_and_stage(params: dict) -> tuple[list, list]:
    """Submitted applications in the period by status, and those held at a stage now by stage."""
    rows = _rows(f.STATUS_BRANCH.format(schema=_schema()), params)
    labels = dict(f.APPLICATION_STATUSES)
    by_status = {value: 0 for value, _label in f.APPLICATION_STATUSES}
    by_stage: dict[str, list] = {}
    for status, stage, position, count in rows:
        if status in by_status:
            by_status[status] += count
        if status in f.HELD_AT_A_STAGE and stage:
            entry = by_stage.setdefault(stage, [position or 0, 0])
            entry[1] += count
    statuses = [(str(labels[value]), count) for value, count in by_status.items()]
    stages = [(name, count) for name, (_position, count) in sorted(by_stage.items(), key=lambda i: i[1][0])]
    return statuses, stages


def _by_month(figure: f.Figure, params: dict) -> dict[str, float]:
    """One day figure summed per Shanghai month of the period: the hub's definition, grouped by month."""
    total = "count(*)" if figure.value == "1" else f"coalesce(sum({figure.value}), 0)"
    sql = (
        f"SELECT to_char({figure.day}, 'YYYY-MM') AS month, {total}"
        f" FROM {_schema()}.{f.table(figure.model)}"
        f" WHERE ({figure.where}) AND {figure.in_range()} GROUP BY 1 ORDER BY 1"
    )
    return {month: float(value) for month, value in _rows(sql, params)}


def _months(period: Period, found: list[dict]) -> list[str]:
    """Every month of the period (the months with rows, from the first, when it is open-ended)."""
    first = period.date_from or min(
        (dt.date.fromisoformat(f"{month}-01") for series in found for month in series),
        default=period.date_to.replace(day=1),
    )
    months, day = [], first.replace(day=1)
    while day <= period.date_to:
        months.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _shown(value, unit: str) -> str:
    if unit == f.MONEY:
        return f"¥{value or 0:,.2f}"
    return f"{int(value or 0):,}"


def park_dashboard(*, period: Period, with_revenue: bool) -> dict:
    """The park's figures over `period`, and the chart specs static/js/hub-charts.js draws.

    `with_revenue`: service revenue and subscriptions are the administrator's (a reviewer's
    home shows the work, not the money).
    """
    params = period.bounds()
    headline = _headline(params)
    statuses, stages = _by_status_and_stage(params)
    monthly = [_by_month(f.APPLICATIONS, params)]
    if with_revenue:
        monthly.append(_by_month(f.REVENUE, params))
    months = _months(period, monthly)
    demand_keys = [
        "demands_received",
        "demands_resolved",
        "demands_replied_on_time",
        "demands_resolved_on_time",
    ]
    demand_figures = {figure.key: figure for figure in f.DEMAND_FIGURES}
    demand_values = _rows(
        "SELECT " + ", ".join(f"({demand_figures[key].sql.format(schema=_schema())})" for key in demand_keys),
        params,
    )[0]
    count = _("Applications")
    charts = [
        {
            "key": "stages",
            "type": "bar",
            "categories": [name for name, _n in stages],
            "series": [
                {"name": _("Held at this stage now"), "unit": f.COUNT, "data": [n for _s, n in stages]}
            ],
        },
        {
            "key": "statuses",
            "type": "bar",
            "categories": [label for label, _n in statuses],
            "series": [{"name": count, "unit": f.COUNT, "data": [n for _l, n in statuses]}],
        },
        {
            "key": "monthly",
            "type": "bar",
            "categories": months,
            "series": [
                {
                    "name": str(f.APPLICATIONS.label),
                    "unit": f.COUNT,
                    "data": [monthly[0].get(month, 0) for month in months],
                }
            ],
        },
        {
            "key": "demands",
            "type": "bar",
            "categories": [str(demand_figures[key].label) for key in demand_keys],
            "series": [{"name": _("Demands"), "unit": f.COUNT, "data": list(demand_values)}],
        },
    ]
    if with_revenue:
        charts.append(
            {
                "key": "revenue",
                "type": "bar",
                "categories": months,
                "series": [
                    {
                        "name": str(f.REVENUE.label),
                        "unit": f.MONEY,
                        "data": [monthly[1].get(month, 0) for month in months],
                    }
                ],
            }
        )
    labels = {figure.key: str(figure.label) for figure in f.SCALAR_FIGURES}
    units = {figure.key: figure.unit for figure in f.SCALAR_FIGURES}
    cards = [
        {"key": key, "label": labels[key], "value": _shown(headline[key], units[key])}
        for key in HEADLINE_KEYS
        if with_revenue or key not in REVENUE_KEYS
    ]
    return {
        "cards": cards,
        "headline": headline,
        "charts": charts,
        "has_stages": bool(stages),
        "has_months": bool(months),
    }
