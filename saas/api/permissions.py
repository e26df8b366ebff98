from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from every_schema.accounts import roles
from tenant_schema.enterprises.selectors import user_is_park_admin, user_is_park_staff


class IsHubOperator(BasePermission):
    """Hub operators, signed in on the hub itself."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            connection.schema_name == "public"
            and user
            and user.is_authenticated
            and (user.is_superuser or user.has_role(roles.HUB_OPERATOR))
        )


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
