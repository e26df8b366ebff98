from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin, ServiceOwnedInline

from .models import CityProgramme, CityProgrammeDelivery, CityProgrammeShare


class ShareInline(ServiceOwnedInline):
    model = CityProgrammeShare
    readonly_fields = ["tenant", "budget"]


@admin.register(CityProgramme)
class CityProgrammeAdmin(ServiceOwnedAdmin):
    list_display = ["title", "opens_at", "closes_at", "created_at"]
    inlines = [ShareInline]


@admin.register(CityProgrammeDelivery)
class CityProgrammeDeliveryAdmin(ServiceOwnedAdmin):
    list_display = ["city_programme", "tenant", "programme_id", "delivered_at"]
