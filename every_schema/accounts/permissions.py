"""API permissions that depend only on who the user is (their roles), not on a tenant's data."""

from django.db import connection
from rest_framework.permissions import BasePermission

from . import roles


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
