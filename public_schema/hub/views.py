"""The hub's tenant pages: the registry, opening a new tenant, suspending and reactivating one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from public_schema.tenants.models import Tenant
from public_schema.tenants.selectors import (
    spare_pool_size,
    tenant_get_live,
    tenant_list_live,
    tenant_status_history,
)
from public_schema.tenants.services import (
    tenant_administrator_invite,
    tenant_provision,
    tenant_reactivate,
    tenant_site_url,
    tenant_suspend,
)
from public_schema.tenants.workflow import TENANT_STATUS
from saas.workflow import TransitionRefused

from .access import hub_operator_required
from .forms import TenantCreateForm, TenantStatusForm


@hub_operator_required
def hub_home(request):
    kind = request.GET.get("kind") or None
    status = request.GET.get("status") or None
    tenants = list(tenant_list_live(kind=kind, status=status))
    for tenant in tenants:
        tenant.site_url = tenant_site_url(tenant=tenant)
        tenant.actions = TENANT_STATUS.actions_for(request.user, tenant)
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


def _form_add_service_error(form, error: ValidationError) -> None:
    """A service's refusal on the field it names, or above the form when it names none."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@hub_operator_required
def tenant_create(request):
    """Open a tenant from the spare pool and show the first administrator's one-time link once."""
    form = TenantCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                provisioned = tenant_provision(**form.cleaned_data)
            except ValidationError as error:
                _form_add_service_error(form, error)
            else:
                tenant_administrator_invite(provisioned=provisioned)
                # Rendered, not redirected: the link is a secret shown this once, never put in a URL.
                return render(
                    request,
                    "hub/tenant_created.html",
                    {
                        "provisioned": provisioned,
                        "tenant": provisioned.tenant,
                        "site_url": tenant_site_url(tenant=provisioned.tenant),
                    },
                    status=201,
                )
        status = 400
    return render(
        request, "hub/tenant_create.html", {"form": form, "spare_pool_size": spare_pool_size()}, status=status
    )


@hub_operator_required
def tenant_status_change(request, slug, action):
    """The confirmation page of a suspension or reactivation (GET), and the move itself (POST)."""
    tenant = tenant_get_live(slug=slug)
    transition = TENANT_STATUS.get(action)
    form = TenantStatusForm(request.POST or None, initial={"expected_status": tenant.status})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            service = tenant_suspend if action == "suspend" else tenant_reactivate
            try:
                service(
                    tenant=tenant,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    expected_status=form.cleaned_data["expected_status"] or None,
                )
            except ValidationError as error:
                _form_add_service_error(form, error)
                status = 400
            except TransitionRefused as refused:
                messages.error(request, refused.message)
                return redirect("hub:home")
            else:
                if action == "suspend":
                    messages.success(
                        request, _("%(name)s is suspended; its data is kept.") % {"name": tenant.name}
                    )
                else:
                    messages.success(request, _("%(name)s is active again.") % {"name": tenant.name})
                return redirect("hub:home")
        else:
            status = 400
    return render(
        request,
        "hub/tenant_status.html",
        {
            "tenant": tenant,
            "action": action,
            "transition": transition,
            "offered": transition in TENANT_STATUS.actions_for(request.user, tenant),
            "form": form,
            "history": tenant_status_history(tenant=tenant),
        },
        status=status,
    )
