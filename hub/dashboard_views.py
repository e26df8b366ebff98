"""The hub dashboard, its drill-down per tenant, the wall screen and the duplicate-award list.

Every page answers `?format=csv&table=<key>` (one table) and `?format=xlsx` (every
table of the page, one sheet each; `&table=` for one), with the page's own filters.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.selectors import tenant_get_live

from .access import hub_operator_required
from .forms import HubFilterForm
from .selectors import duplicate_award_list, hub_stats
from .tables import duplicates_table, hub_tables, table_csv, tables_xlsx

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
            tables_xlsx(tables), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"{name}-{key or 'all'}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _query(request) -> str:
    """The page's filters as a query string, for export links and drill-downs."""
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("table", None)
    return params.urlencode()


def _charts(tables):
    return [spec for table in tables if (spec := table.chart_spec())]


@hub_operator_required
def dashboard(request):
    form = HubFilterForm(request.GET or None)
    stats = hub_stats(filters=form.filters())
    tables = hub_tables(stats=stats, rank_by=form.rank_by_value())
    return _export(request, tables, "hub") or render(
        request, "hub/dashboard.html",
        {"form": form, "stats": stats, "tables": tables, "charts": _charts(tables), "tenant": None, "headline": stats.city.values,
         "query": _query(request)},
    )


@hub_operator_required
def tenant_dashboard(request, slug):
    """One tenant's aggregates (the same figures, never its records)."""
    tenant = tenant_get_live(slug=slug)
    form = HubFilterForm(request.GET or None)
    stats = hub_stats(filters=form.filters(slug=tenant.schema_name))
    tables = hub_tables(stats=stats)
    return _export(request, tables, tenant.schema_name) or render(
        request, "hub/dashboard.html",
        {"form": form, "stats": stats, "tables": tables, "charts": _charts(tables), "tenant": tenant,
         "headline": stats.rows[0].values,
         "query": _query(request)},
    )


@hub_operator_required
def wall(request):
    """The city's big screen: headline numbers and charts, dark, reloading itself every minute."""
    form = HubFilterForm(request.GET or None)
    stats = hub_stats(filters=form.filters())
    tables = [t for t in hub_tables(stats=stats) if t.key in ("applications", "decisions", "funds", "timeliness", "demands")]
    return render(
        request, "hub/wall.html",
        {"stats": stats, "city": stats.city.values, "charts": _charts(tables), "refresh": WALL_REFRESH_SECONDS,
         "now": timezone.localtime(), "title": _("City hub")},
    )


@hub_operator_required
def duplicates(request):
    form = HubFilterForm(request.GET or None)
    table = duplicates_table(rows=duplicate_award_list(filters=form.filters()))
    return _export(request, [table], "duplicate-awards") or render(
        request, "hub/duplicates.html", {"form": form, "table": table, "query": _query(request)}
    )
