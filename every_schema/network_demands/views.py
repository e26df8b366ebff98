"""Pages of network demands, the same on a sub-platform's, an institution's and the hub's site.

A unit's staff: the demands their unit holds or held, one demand with its timeline and the
steps `workflow.actions_for` offers (the service's own check), and a form to record a demand
taken by phone, at the hall or on WeChat. An enterprise: its demands and the filing form. The
hub's supervision office: the supervision board, the ranking and the figures (with CSV).
Every demand is fetched through `demand_get_for_user` (the same 404 for "not yours").
"""

import csv
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from public_schema.handling_units.models import HandlingUnit
from public_schema.handling_units.selectors import unit_ids_for_user, units_dispatchable
from saas.workflow import TransitionRefused
from tenant_schema.demands.models import Category, Rating

from . import workflow as wf
from .models import NetworkDemand
from .selectors import (
    demand_get_for_user,
    demand_is_pending,
    demand_list_for_user,
    demand_timeline,
    enterprise_of,
    figures,
    is_supervisor,
    supervision_board,
    unit_ranking,
    viewer_kind,
)
from .services import demand_file, demand_step

INPUTS = ("category", "to_unit", "rating", "deadline", "extension_days")


def _viewer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if viewer_kind(user=request.user) is None:
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def _supervisor_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def _common(request) -> dict:
    return {"viewer": viewer_kind(user=request.user), "supervisor": is_supervisor(request.user)}


@_viewer_required
def demand_list(request):
    """The unit's demands (held now first) or the enterprise's own."""
    held_only = request.GET.get("held") == "1"
    demands = list(demand_list_for_user(user=request.user, held_only=held_only)[:200])
    now = timezone.now()
    for demand in demands:
        demand.overdue = demand.is_overdue(now)
    return render(
        request,
        "network_demands/list.html",
        {"demands": demands, "held_only": held_only, **_common(request)},
    )


def _recording_units(user) -> list[HandlingUnit]:
    ids = unit_ids_for_user(user)
    return list(HandlingUnit.objects.filter(pk__in=ids).exclude(kind=HandlingUnit.Kind.SUPERVISION))


@_viewer_required
def demand_new(request):
    """The enterprise files online; a unit's staff record a demand taken another way, with its channel."""
    enterprise = enterprise_of(request.user)
    units = _recording_units(request.user)
    if enterprise is None and not units:
        raise Http404("No such page")
    errors = {}
    if request.method == "POST":
        channel = "online" if enterprise is not None else request.POST.get("channel", "")
        unit = next(
            (u for u in units if str(u.pk) == request.POST.get("unit", str(units[0].pk) if units else "")),
            None,
        )
        try:
            demand = demand_file(
                actor=request.user,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                channel=channel,
                category=request.POST.get("category", ""),
                enterprise_name=request.POST.get("enterprise_name", ""),
                enterprise_credit_code=request.POST.get("enterprise_credit_code", ""),
                contact_name=request.POST.get("contact_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                unit=unit,
                reference=request.POST.get("reference") or None,
            )
        except ValidationError as invalid:
            errors = invalid.message_dict if hasattr(invalid, "error_dict") else {"__all__": invalid.messages}
        else:
            messages.success(request, _("The demand was filed."))
            return redirect("network_demands:detail", pk=demand.pk)
    return render(
        request,
        "network_demands/new.html",
        {
            "enterprise": enterprise,
            "units": units,
            "channels": [c for c in NetworkDemand.Channel.choices if c[0] != "online"],
            "categories": Category.choices,
            "errors": errors,
            "form": request.POST,
            "reference": request.POST.get("reference") or uuid.uuid4(),
            **_common(request),
        },
        status=400 if errors else 200,
    )


def _detail_page(request, demand, *, status=200, error=""):
    actions = [t.action for t in wf.actions_for(request.user, demand)]
    return render(
        request,
        "network_demands/detail.html",
        {
            "demand": demand,
            "actions": actions,
            "read_only": not actions
            and viewer_kind(user=request.user) == "staff"
            and not demand.is_held_here,
            "history": demand_timeline(demand=demand, user=request.user),
            "pending": demand_is_pending(demand=demand),
            "overdue": demand.is_overdue(),
            "sign_overdue": demand.sign_overdue(),
            "units": [u for u in units_dispatchable() if u.pk != demand.unit_id] if actions else [],
            "categories": Category.choices,
            "ratings": Rating.choices,
            "error": error,
            **_common(request),
        },
        status=status,
    )


@_viewer_required
def demand_detail(request, pk):
    return _detail_page(request, demand_get_for_user(user=request.user, pk=pk))


@_viewer_required
@require_POST
def demand_act(request, pk):
    """Take the step named in the form; a refused one shows the page again with the reason (409/400)."""
    demand = demand_get_for_user(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    if action not in wf.ACTIONS:
        raise Http404("No such action")
    fields = {name: request.POST[name] for name in INPUTS if request.POST.get(name)}
    try:
        demand_step(
            demand=demand,
            action=action,
            actor=request.user,
            comment=request.POST.get("comment", ""),
            expected_status=request.POST.get("expected_status") or None,
            **fields,
        )
    except TransitionRefused as refused:
        return _detail_page(
            request, demand_get_for_user(user=request.user, pk=pk), status=409, error=str(refused.message)
        )
    except ValidationError as invalid:
        return _detail_page(
            request,
            demand_get_for_user(user=request.user, pk=pk),
            status=400,
            error=" ".join(invalid.messages),
        )
    messages.success(request, f"{wf.action_label(action)} ✓")
    return redirect("network_demands:detail", pk=pk)


@_supervisor_required
def supervision(request):
    """The hub's board: overdue, not signed for in time, extended and reopened demands, and the ranking."""
    return render(
        request,
        "network_demands/supervision.html",
        {"board": supervision_board(), "ranking": unit_ranking(), **_common(request)},
    )


@_supervisor_required
def figures_page(request):
    by = request.GET.get("by", "unit")
    if by not in ("unit", "subplatform", "category"):
        by = "unit"
    return render(
        request,
        "network_demands/figures.html",
        {"citywide": figures()[0], "rows": figures(by=by), "by": by, **_common(request)},
    )


@_supervisor_required
def figures_csv(request):
    by = request.GET.get("by", "unit")
    if by not in ("unit", "subplatform", "category"):
        raise Http404("No such breakdown")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network-demands-{by}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with the BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Name"),
            _("Demands"),
            _("Resolved"),
            _("Resolution rate (%)"),
            _("On-time rate (%)"),
            _("Satisfaction (%)"),
            _("Reopened"),
            _("Average handling time (days)"),
        ]
    )
    for row in [{**figures()[0], "name": _("City-wide")}, *figures(by=by)]:
        writer.writerow(
            [
                row["name"],
                row["total"],
                row["resolved"],
                row["resolution_rate"],
                row["on_time_rate"],
                row["satisfaction_rate"],
                row["reopened"],
                row["average_handling_days"],
            ]
        )
    return response
