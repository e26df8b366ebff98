"""Admin classes for rows that services own.

Subscriptions, vouchers, payments, workflow histories, tenant status and the like are
written by their services, which check the actor, lock the row and write the history.
The Django admin shows them but never edits, adds or deletes them: an admin form would
bypass all three. Changes the admin should offer are admin actions that call the service.
"""

from django.contrib import admin


class ServiceOwnedAdmin(admin.ModelAdmin):
    """View-only in the admin: no add, change or delete, whoever is signed in."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceOwnedInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
