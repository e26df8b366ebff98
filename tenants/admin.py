from django.contrib import admin
from django.db import connection

from .models import Domain, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "kind", "status", "slot", "created_at"]
    list_filter = ["kind", "status", "slot"]
    search_fields = ["name", "schema_name"]
    inlines = [DomainInline]
    readonly_fields = ["schema_name", "slot", "created_at", "status_changed_at"]

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
