"""API permissions of a tenant's park staff (the roles are held in the tenant's own schema)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .selectors import user_is_park_admin, user_is_park_staff


class IsParkAdministrator(BasePermission):
    """The tenant's park administrators."""

    message = _("Only a park administrator can do this.")

    def has_permission(self, request, view):
        return user_is_park_admin(request.user)


class IsParkStaff(BasePermission):
    """The tenant's park administrators and reviewers."""

    message = _("Only park staff can see this.")

    def has_permission(self, request, view):
        return user_is_park_staff(request.user)
