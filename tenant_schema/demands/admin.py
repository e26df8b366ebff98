"""Admin: demands and their history are read-only here (writes go through tenant_schema.demands.services);
category time limits are edited through category_policy_set, which checks them."""

from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin

from .models import CategoryPolicy, Demand, DemandEvent
from .services import category_policy_set


class DemandEventInline(admin.TabularInline):
    model = DemandEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "comment", "due_at", "rating"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Demand)
class DemandAdmin(ServiceOwnedAdmin):
    list_display = [
        "title",
        "enterprise",
        "category",
        "status",
        "closed_without_rating",
        "handler",
        "resolution_due_at",
        "created_at",
    ]
    list_filter = ["status", "category", "closed_without_rating"]
    search_fields = ["title", "enterprise__name"]
    inlines = [DemandEventInline]


@admin.register(CategoryPolicy)
class CategoryPolicyAdmin(admin.ModelAdmin):
    list_display = ["category", "first_reply_days", "resolution_days", "department"]

    def save_model(self, request, obj, form, change):
        category_policy_set(
            category=obj.category,
            first_reply_days=obj.first_reply_days,
            resolution_days=obj.resolution_days,
            department=obj.department,
        )
