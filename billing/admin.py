"""Read-mostly admin for support staff; changes go through the pages and the API (the services)."""

from django.contrib import admin

from .models import Payment, Provider, Rating, Service, Subscription, SubscriptionHistory, Voucher


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "provider", "price", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name"]


admin.site.register(Provider)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    readonly_fields = [field.name for field in Payment._meta.fields]


class HistoryInline(admin.TabularInline):
    model = SubscriptionHistory
    extra = 0
    can_delete = False
    readonly_fields = [field.name for field in SubscriptionHistory._meta.fields]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "service", "term_months", "status", "amount_due", "starts_at", "ends_at"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "service__name"]
    readonly_fields = [field.name for field in Subscription._meta.fields]
    inlines = [PaymentInline, HistoryInline]


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = ["code", "enterprise", "kind", "value", "expires_on", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "enterprise__name"]
    readonly_fields = [field.name for field in Voucher._meta.fields]


admin.site.register(Rating)
