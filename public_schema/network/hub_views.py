"""The hub's pages of the institution pool (入库): the list by status, one institution, its review steps."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from public_schema.hub.access import hub_operator_required
from public_schema.tenants.services import tenant_site_url
from saas.workflow import TransitionRefused

from . import workflow as wf
from .models import InstitutionProfile
from .selectors import (
    admission_history_for,
    admission_timeline,
    institution_get_for_hub,
    institution_pool_counts,
    institution_pool_list,
    institution_products,
    institution_ranking,
)
from .services import admission_transition
from .site_views import expected_status


@hub_operator_required
def pool_list(request):
    status = request.GET.get("status") or None
    if status not in InstitutionProfile.Status.values:
        status = None
    counts = institution_pool_counts()
    return render(
        request,
        "network/hub_pool.html",
        {
            "profiles": institution_pool_list(status=status),
            "statuses": [(value, label, counts[value]) for value, label in InstitutionProfile.Status.choices],
            "total": sum(counts.values()),
            "selected_status": status or "",
        },
    )


@hub_operator_required
def pool_detail(request, slug):
    profile = institution_get_for_hub(slug=slug)
    return render(
        request,
        "network/hub_pool_detail.html",
        {
            "profile": profile,
            "site_url": tenant_site_url(tenant=profile.tenant),
            "timeline": admission_timeline(profile=profile),
            "history": admission_history_for(profile=profile),
            "actions": wf.ADMISSION_WORKFLOW.actions_for(request.user, profile),
            "products": institution_products(institution=profile.tenant),
            "show_hub_names": True,
        },
    )


@require_POST
@hub_operator_required
def pool_act(request, slug, action):
    profile = institution_get_for_hub(slug=slug)
    if action not in wf.ADMISSION_WORKFLOW.transitions:
        raise Http404
    try:
        admission_transition(
            profile_id=profile.pk,
            action=action,
            actor=request.user,
            comment=request.POST.get("comment", ""),
            expected=expected_status(request.POST),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except TransitionRefused as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(
            request,
            _("%(name)s: %(action)s done.")
            % {"name": profile.tenant.name, "action": wf.ADMISSION_WORKFLOW.get(action).label},
        )
    return redirect("pool:detail", slug=slug)


@hub_operator_required
def pool_ranking(request):
    """The institutions ranked on their published figures (绩效排名); `?format=csv` exports the same rows."""
    ranking = list(institution_ranking())
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="institution-ranking.csv"'
        response.write("\ufeff")  # so that spreadsheet programs read the Chinese names as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                _("rank"),
                _("institution"),
                _("orders"),
                _("on-time delivery (%)"),
                _("average rating"),
                _("vouchers redeemed"),
            ]
        )
        for rank, row in enumerate(ranking, start=1):
            writer.writerow(
                [
                    rank,
                    row.institution.name,
                    row.orders,
                    "" if row.on_time_rate is None else row.on_time_rate,
                    "" if row.rating_average is None else row.rating_average,
                    row.vouchers_redeemed,
                ]
            )
        return response
    return render(request, "network/hub_ranking.html", {"ranking": ranking})
