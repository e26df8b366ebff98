"""View-only admin for support staff: every billing row is written by tenant_schema.billing.services (the
catalogue, vouchers, orders, payments and their history), through the pages and the API."""

from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin, ServiceOwnedInline

from .models import Payment, Provider, Rating, Service, Subscription, SubscriptionHistory, Voucher


@admin.register(Service)
class ServiceAdmin(ServiceOwnedAdmin):
    list_display = ["name", "category", "provider", "price", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name"]


@admin.register(Provider)
class ProviderAdmin(ServiceOwnedAdmin):
    list_display = ["name", "contact"]


class PaymentInline(ServiceOwnedInline):
    model = Payment
    readonly_fields = [field.name for field in Payment._meta.fields]


class HistoryInline(ServiceOwnedInline):
    model = SubscriptionHistory
    readonly_fields = [field.name for field in SubscriptionHistory._meta.fields]


@admin.register(Subscription)
class SubscriptionAdmin(ServiceOwnedAdmin):
    list_display = ["enterprise", "service", "term_months", "status", "amount_due", "starts_at", "ends_at"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "service__name"]
    readonly_fields = [field.name for field in Subscription._meta.fields]
    inlines = [PaymentInline, HistoryInline]


@admin.register(Voucher)
class VoucherAdmin(ServiceOwnedAdmin):
    list_display = ["code", "enterprise", "kind", "value", "expires_on", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "enterprise__name"]
    readonly_fields = [field.name for field in Voucher._meta.fields]


@admin.register(Rating)
class RatingAdmin(ServiceOwnedAdmin):
    list_display = ["service", "enterprise", "score", "updated_at"]
