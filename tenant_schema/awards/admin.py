"""View-only admin: every row here is written by tenant_schema.awards.services through the workflows."""

from django.contrib import admin

from saas.admin_readonly import ServiceOwnedAdmin, ServiceOwnedInline

from .models import Award, Recovery, Report, Tranche


class TrancheInline(ServiceOwnedInline):
    model = Tranche
    fields = ["position", "amount", "condition", "due_on", "status", "paid_on", "reference"]
    readonly_fields = fields


class ReportInline(ServiceOwnedInline):
    model = Report
    fields = ["kind", "due_on", "status", "submitted_at"]
    readonly_fields = fields


@admin.register(Award)
class AwardAdmin(ServiceOwnedAdmin):
    list_display = ["application", "amount", "status", "created_at"]
    list_filter = ["status"]
    inlines = [TrancheInline, ReportInline]


@admin.register(Recovery)
class RecoveryAdmin(ServiceOwnedAdmin):
    list_display = ["award", "reason", "amount_due", "repaid_amount", "deadline", "status"]
    list_filter = ["status", "reason"]
