from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from saas.workflow import TransitionRefused

from .models import Domain, Tenant
from .services import tenant_reactivate, tenant_suspend


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class TenantActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "kind", "status", "slot", "created_at"]
    list_filter = ["kind", "status", "slot"]
    search_fields = ["name", "schema_name"]
    inlines = [DomainInline]
    # The status is tenant_suspend / tenant_reactivate's (the actions below), never a form field.
    readonly_fields = [
        "schema_name",
        "kind",
        "status",
        "slot",
        "created_at",
        "status_changed_at",
        "status_reason",
    ]
    actions = ["suspend", "reactivate"]
    action_form = TenantActionForm

    def _status_action(self, request, queryset, service, done_message):
        reason = (request.POST.get("reason") or "").strip()
        if service is tenant_suspend and not reason:
            self.message_user(
                request,
                _("Say why in the reason field: the park's people and support will read it."),
                messages.ERROR,
            )
            return
        changed = 0
        for tenant in queryset:
            try:
                service(tenant=tenant, reason=reason, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{tenant.name}: {' '.join(error.messages)}", messages.ERROR)
            except TransitionRefused as refused:
                self.message_user(request, f"{tenant.name}: {refused.message}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Suspend the selected sub-platforms (their pages answer 503; data is kept)"))
    def suspend(self, request, queryset):
        self._status_action(request, queryset, tenant_suspend, _("%(count)d suspended."))

    @admin.action(description=_("Reactivate the selected sub-platforms"))
    def reactivate(self, request, queryset):
        self._status_action(request, queryset, tenant_reactivate, _("%(count)d reactivated."))

    def has_module_permission(self, request):
        # The registry is the hub's: a tenant site's admin never lists it.
        return connection.schema_name == "public" and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return connection.schema_name == "public" and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return connection.schema_name == "public" and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Dropping a schema is an operator's deliberate act, not a click in the admin.
        return False

    def has_add_permission(self, request):
        # Tenants are provisioned with `manage.py tenant_create` or the hub API.
        return False
