"""The hub dashboard, its drill-down per tenant, the wall screen and the duplicate-award list.

The city page shows what an official reads: the city's figures, the kinds of sub-platform
side by side, each table's top tenants with a chart, the ranking's best, and the list of
sub-platforms a page at a time (sorted on any column, searched by name), each leading to
its drill-down. Every page answers `?format=csv&table=<key>` (one table, every tenant) and
`?format=xlsx` (every table of the page in full, one sheet each; `&table=` for one), with
the page's own filters.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from public_schema.tenants.selectors import tenant_get_live

from .access import hub_operator_required
from .forms import HubFilterForm
from .selectors import duplicate_award_list, hub_stats, programme_figures
from .tables import (
    OVERVIEW_KEYS,
    TENANTS_PER_PAGE,
    TOP_N,
    duplicates_table,
    export_tables,
    hub_tables,
    kind_table,
    overview_rows,
    overview_table,
    programme_table,
    table_csv,
    tables_xlsx,
)

WALL_REFRESH_SECONDS = 60


def _export(request, tables, name: str):
    """The CSV or Excel answer for `?format=`, or None when the page itself is wanted."""
    wanted = request.GET.get("format")
    if wanted not in ("csv", "xlsx"):
        return None
    key = request.GET.get("table")
    if key:
        tables = [table for table in tables if table.key == key]
        if not tables:
            raise Http404
    stamp = timezone.localdate().isoformat()
    if wanted == "csv":
        table = tables[0]
        response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
        filename = f"{name}-{table.key}-{stamp}.csv"
    else:
        response = HttpResponse(
            tables_xlsx(tables),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{name}-{key or 'all'}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _query(request) -> str:
    """The page's filters as a query string, for export links and drill-downs."""
    params = request.GET.copy()
    for key in ("format", "table", "page"):
        params.pop(key, None)
    return params.urlencode()


def _drill_url(request) -> str:
    """The drill-down's address with "__slug__" for the tenant, keeping the page's filters."""
    query = _query(request)
    return reverse("hub:tenant_dashboard", args=["__slug__"]) + (f"?{query}" if query else "")


# The page's sections (tabs), in order: an overview that fits one screen, then one section per
# question an official asks. Every table of hub_tables belongs to exactly one (tests/hub).
SECTIONS = [
    ("overview", _lazy("Overview"), ["kinds"]),
    (
        "applications",
        _lazy("Applications and decisions"),
        ["applications", "stages", "decisions", "timeliness", "deadlines"],
    ),
    ("funds", _lazy("Funds and services"), ["funds", "services"]),
    ("demands", _lazy("Enterprise demands"), ["demands"]),
    ("enterprises", _lazy("Enterprises and ranking"), ["enterprises", "ranking"]),
]


def _sections(tables, *, with_tenant_list: bool) -> list[dict]:
    """The tables grouped into the page's sections; a section with nothing to show is left out."""
    by_key = {table.key: table for table in tables}
    sections = [
        {"key": key, "label": label, "tables": [by_key[k] for k in keys if k in by_key]}
        for key, label, keys in SECTIONS
    ]
    sections = [section for section in sections if section["tables"] or section["key"] == "overview"]
    if with_tenant_list:
        sections.append(
            {"key": "tenants", "label": _lazy("Sub-platforms"), "tables": [], "tenant_list": True}
        )
    return sections


def _charts(tables):
    return [spec for table in tables if (spec := table.chart_spec())]


def _wants_export(request) -> bool:
    return request.GET.get("format") in ("csv", "xlsx")


SORTABLE = ["tenant", "kind", "status", *OVERVIEW_KEYS]


def _tenant_list(request, stats):
    """The list of sub-platforms on the page: searched, sorted by a column header, one page of it."""
    search = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") not in SORTABLE:
        sort = ""
    page = Paginator(overview_rows(stats=stats, sort=sort, search=search), TENANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    table = overview_table(stats=stats, tenant_rows=list(page.object_list))
    # The kind is in the CSV file and on the drill-down (and by kind: the table above).
    table.columns = [column for column in table.columns if column.key != "kind"]
    headers = []
    for column in table.columns:
        # Figures sort largest first on the first click, names A to Z; a second click reverses.
        first = column.key if column.key in ("tenant", "kind", "status") else f"-{column.key}"
        current = sort.lstrip("-") == column.key
        headers.append(
            {
                "column": column,
                "sort": (sort[1:] if sort.startswith("-") else f"-{sort}") if current else first,
                "direction": ("descending" if sort.startswith("-") else "ascending") if current else "",
            }
        )
    hidden = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in ("q", "sort", "page", "format", "table")
        for value in values
    ]
    # The same orders as a list, for phones (where the table shows as cards, without headings).
    orders = [("", _("Sub-platforms in registry order")), ("tenant", _("Name, A to Z"))]
    for column in table.columns:
        if column.key not in OVERVIEW_KEYS:
            continue
        orders += [
            (f"-{column.key}", _("%(figure)s, highest first") % {"figure": column.label}),
            (column.key, _("%(figure)s, lowest first") % {"figure": column.label}),
        ]
    return {
        "table": table,
        "page": page,
        "headers": headers,
        "search": search,
        "hidden": hidden,
        "matched": page.paginator.count,
        "orders": orders,
        "sort": sort,
    }


@hub_operator_required
def dashboard(request):
    form = HubFilterForm(request.GET or None)
    stats = hub_stats(filters=form.filters(), breakdown=False)
    if _wants_export(request):
        return _export(request, export_tables(stats=stats, rank_by=form.rank_by_value()), "hub")
    tables = [kind_table(stats=stats), *hub_tables(stats=stats, rank_by=form.rank_by_value(), limit=TOP_N)]
    return render(
        request,
        "hub/dashboard.html",
        {
            "form": form,
            "stats": stats,
            "tables": tables,
            "charts": _charts(tables),
            "tenant": None,
            "sections": _sections(tables, with_tenant_list=True),
            "headline": stats.city.values,
            "query": _query(request),
            "tenant_list": _tenant_list(request, stats),
            "drill_url": _drill_url(request),
        },
    )


@hub_operator_required
def tenant_dashboard(request, slug):
    """One tenant's aggregates (the same figures, never its records)."""
    tenant = tenant_get_live(slug=slug)
    form = HubFilterForm(request.GET or None)
    stats = hub_stats(filters=form.filters(slug=tenant.schema_name), breakdown=False)
    tables = hub_tables(stats=stats)
    return _export(request, tables, tenant.schema_name) or render(
        request,
        "hub/dashboard.html",
        {
            "form": form,
            "stats": stats,
            "tables": tables,
            "charts": _charts(tables),
            "tenant": tenant,
            "sections": _sections(tables, with_tenant_list=False),
            "headline": stats.rows[0].values,
            "query": _query(request),
            "drill_url": "",
        },
    )


@hub_operator_required
def wall(request):
    """The city's big screen: headline numbers and charts, dark, reloading itself every minute."""
    form = HubFilterForm(request.GET or None)
    stats = hub_stats(filters=form.filters(), breakdown=False)
    tables = [kind_table(stats=stats)] if len(stats.rows) != 1 else []
    tables += [
        t
        for t in hub_tables(stats=stats, limit=TOP_N)
        if t.key in ("applications", "decisions", "funds", "timeliness", "demands")
    ]
    return render(
        request,
        "hub/wall.html",
        {
            "stats": stats,
            "city": stats.city.values,
            "charts": _charts(tables),
            "refresh": WALL_REFRESH_SECONDS,
            "now": timezone.localtime(),
            "title": _("City hub"),
        },
    )


@hub_operator_required
def duplicates(request):
    form = HubFilterForm(request.GET or None)
    table = duplicates_table(rows=duplicate_award_list(filters=form.filters()))
    return _export(request, [table], "duplicate-awards") or render(
        request,
        "hub/duplicates.html",
        {"form": form, "table": table, "query": _query(request), "drill_url": ""},
    )


@hub_operator_required
def programmes(request):
    """Per programme of every sub-platform: applications, awards, money committed, paid and recovered,
    and the average working days each stage took (as now; the date range does not apply)."""
    form = HubFilterForm(request.GET or None)
    table = programme_table(rows=programme_figures(filters=form.filters()))
    return _export(request, [table], "programmes") or render(
        request,
        "hub/programmes.html",
        {"form": form, "table": table, "query": _query(request), "drill_url": ""},
    )
