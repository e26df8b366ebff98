from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin

from .models import StripeEvent


@admin.register(StripeEvent)
class StripeEventAdmin(ServiceOwnedAdmin):
    list_display = ["event_id", "type", "tenant_schema", "status", "attempts", "received_at"]
    list_filter = ["status", "type"]
    search_fields = ["event_id", "tenant_schema"]
    readonly_fields = [field.name for field in StripeEvent._meta.fields]
