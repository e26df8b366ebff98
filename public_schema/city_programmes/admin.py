from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin, ServiceOwnedInline

from .models import CityProgramme, CityProgrammeShare


class ShareInline(ServiceOwnedInline):
    model = CityProgrammeShare
    readonly_fields = ["tenant", "budget", "handoff"]


@admin.register(CityProgramme)
class CityProgrammeAdmin(ServiceOwnedAdmin):
    list_display = ["title", "opens_at", "closes_at", "created_at"]
    inlines = [ShareInline]
