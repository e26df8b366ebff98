"""Admin of the unit registry on the hub: the configurable list of department desks and their staff.

A new unit added here is always a desk (desk_create); sub-platforms, parks and institutions
become units when they go live, and their staff are their own sites' accounts.
"""

from django.contrib import admin

from .models import DeskStaff, HandlingUnit
from .services import desk_create


class DeskStaffInline(admin.TabularInline):
    model = DeskStaff
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = []
    extra = 0


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "tenant", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    inlines = [DeskStaffInline]

    def get_fields(self, request, obj=None):
        return (
            ["name", "code", "is_active", "sort_order"]
            if obj is None
            else ["name", "kind", "code", "tenant", "is_active", "sort_order"]
        )

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["kind", "code", "tenant"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        desk = desk_create(name=obj.name, code=obj.code)
        desk.is_active, desk.sort_order = obj.is_active, obj.sort_order
        desk.save(update_fields=["is_active", "sort_order"])
        obj.pk = desk.pk
        obj._state.adding = False
        return None

    def has_delete_permission(self, request, obj=None):
        return False  # a unit that held demands stays named in their timelines; retire it instead
