from django.contrib import admin

from .models import CityProgramme, CityProgrammeDelivery, CityProgrammeShare


class ShareInline(admin.TabularInline):
    model = CityProgrammeShare
    extra = 0
    readonly_fields = ["tenant", "budget"]


@admin.register(CityProgramme)
class CityProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_at", "closes_at", "created_at"]
    inlines = [ShareInline]


@admin.register(CityProgrammeDelivery)
class CityProgrammeDeliveryAdmin(admin.ModelAdmin):
    list_display = ["city_programme", "tenant", "programme_id", "delivered_at"]
