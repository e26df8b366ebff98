from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin

from .models import AutoApplication, PushDelivery, PushRun


@admin.register(PushRun)
class PushRunAdmin(ServiceOwnedAdmin):
    list_display = ["programme", "status", "sent", "total", "created_at", "finished_at"]
    readonly_fields = ["programme", "started_by", "status", "sent", "total", "finished_at"]


@admin.register(PushDelivery)
class PushDeliveryAdmin(ServiceOwnedAdmin):
    list_display = ["programme", "enterprise", "pushed_at"]


@admin.register(AutoApplication)
class AutoApplicationAdmin(ServiceOwnedAdmin):
    list_display = ["programme", "enterprise", "status", "created_at", "declined_at"]
    readonly_fields = ["programme", "enterprise", "application", "status", "reason", "declined_at"]
