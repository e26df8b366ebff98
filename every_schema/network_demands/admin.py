"""Admin: network demand copies and their history are read-only (writes go through services.demand_step)."""

from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin, ServiceOwnedInline

from .models import NetworkDemand, NetworkDemandHistory


class NetworkDemandHistoryInline(ServiceOwnedInline):
    model = NetworkDemandHistory
    fields = [
        "created_at",
        "seq",
        "action",
        "from_status",
        "to_status",
        "unit_name",
        "to_unit_name",
        "comment",
    ]
    readonly_fields = fields


@admin.register(NetworkDemand)
class NetworkDemandAdmin(ServiceOwnedAdmin):
    list_display = ["title", "unit_name", "status", "holder_unit_name", "due_at", "enterprise_name"]
    list_filter = ["status", "extension", "channel"]
    search_fields = ["title", "reference", "enterprise_name"]
    inlines = [NetworkDemandHistoryInline]
