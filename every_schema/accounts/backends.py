"""How a signed-in user is loaded on every request."""

from django.contrib.auth.backends import ModelBackend, UserModel
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef
from django_tenants.utils import get_public_schema_name

from saas.compiled import CompiledQuery


def _users_with_roles():
    return UserModel._default_manager.annotate(
        role_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name"))
    )


def _tenant_users():
    from tenant_schema.notifications.selectors import unread_count_subquery

    return (
        _users_with_roles()
        .select_related("membership__enterprise__application_pages_version")
        .annotate(unread_notification_count=unread_count_subquery())
    )


# The hub (public schema) has no enterprises or notifications: a query of its own.
_hub_user_query = CompiledQuery(lambda user_id: _users_with_roles().filter(pk=user_id), user_id=int)
_tenant_user_query = CompiledQuery(lambda user_id: _tenant_users().filter(pk=user_id), user_id=int)


class UserBackend(ModelBackend):
    """Django's ModelBackend, loading with the user what nearly every page reads.

    The navigation, the enterprise pages and the scoped selectors ask on each request
    which enterprise the user belongs to, whether they are park staff and how many
    notifications are unread (the badge). Loading the enterprise seat (`membership`, its
    enterprise and the version of its application pages, which keys their cache), the role
    names and the unread count in the query that loads the user saves four or five round
    trips a page, and compiling that query once per process (saas.compiled) saves Django
    rebuilding its SQL on every request. They are a snapshot taken when the request began
    (`User.role_set`); the workflow transitions check the role in the database again,
    under their row lock.
    """

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        query = _hub_user_query if connection.schema_name == get_public_schema_name() else _tenant_user_query
        user = query.first(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
