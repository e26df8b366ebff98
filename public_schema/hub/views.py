from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from public_schema.tenants.models import Tenant
from public_schema.tenants.selectors import spare_pool_size, tenant_get_live, tenant_list_live
from public_schema.tenants.services import tenant_reactivate, tenant_site_url, tenant_suspend

from .access import hub_operator_required


@hub_operator_required
def hub_home(request):
    kind = request.GET.get("kind") or None
    status = request.GET.get("status") or None
    tenants = list(tenant_list_live(kind=kind, status=status))
    for tenant in tenants:
        tenant.site_url = tenant_site_url(tenant=tenant)
    return render(
        request,
        "hub/home.html",
        {
            "tenants": tenants,
            "kinds": [choice for choice in Tenant.Kind.choices if choice[0] != Tenant.Kind.HUB],
            "statuses": Tenant.Status.choices,
            "selected_kind": kind or "",
            "selected_status": status or "",
            "spare_pool_size": spare_pool_size(),
        },
    )


@require_POST
@hub_operator_required
def tenant_status_change(request, slug, action):
    tenant = tenant_get_live(slug=slug)
    try:
        if action == "suspend":
            tenant_suspend(tenant=tenant)
            messages.success(request, _("%(name)s is suspended; its data is kept.") % {"name": tenant.name})
        else:
            tenant_reactivate(tenant=tenant)
            messages.success(request, _("%(name)s is active again.") % {"name": tenant.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("hub:home")
