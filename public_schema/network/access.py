"""Who reaches the institution's site pages: its own staff, signed in on it.

Everyone else signed in there (an account with no institution role) gets a 404, as if the
page were not there; pages only the administrator may use answer 403 to the staff, who
can see that the page exists from their own navigation.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from rest_framework.permissions import BasePermission

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant


def _on_institution_site(request) -> bool:
    tenant = getattr(request, "tenant", None)
    return bool(
        tenant is not None
        and tenant.kind == Tenant.Kind.INSTITUTION
        and connection.schema_name == tenant.schema_name
    )


def is_institution_staff(request) -> bool:
    """An administrator or staff member of the institution whose site this is."""
    user = request.user
    return bool(
        _on_institution_site(request)
        and user.is_authenticated
        and user.is_active
        and user.role_set() & set(roles.INSTITUTION_ROLES)
    )


def is_institution_admin(request) -> bool:
    return is_institution_staff(request) and request.user.has_role(roles.INSTITUTION_ADMIN)


def institution_staff_required(view=None, *, admin: bool = False):
    """Institution pages: sign in first; no institution role is a 404; staff on an admin page a 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_institution_staff(request):
                raise Http404
            if admin and not is_institution_admin(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


class IsInstitutionStaff(BasePermission):
    """API: the institution's own people on its own site (others: 403; anonymous: 401 first)."""

    def has_permission(self, request, view):
        return is_institution_staff(request)


class IsInstitutionAdmin(BasePermission):
    def has_permission(self, request, view):
        return is_institution_admin(request)
