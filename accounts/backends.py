"""How a signed-in user is loaded on every request."""

from django.contrib.auth.backends import ModelBackend, UserModel
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef
from django_tenants.utils import get_public_schema_name


class UserBackend(ModelBackend):
    """Django's ModelBackend, loading with the user what nearly every page reads.

    The navigation, the enterprise pages and the scoped selectors ask on each request
    which enterprise the user belongs to, whether they are park staff and how many
    notifications are unread (the badge). Loading the enterprise seat (`membership` and
    its enterprise), the role names and the unread count in the query that loads the user
    saves four or five round trips a page. They are a snapshot taken when the request
    began (`User.role_set`); the workflow transitions check the role in the database
    again, under their row lock.
    """

    def get_user(self, user_id):
        users = UserModel._default_manager.annotate(
            role_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name"))
        )
        if connection.schema_name != get_public_schema_name():  # the hub has no enterprises
            from notifications.selectors import unread_count_subquery

            users = users.select_related("membership__enterprise").annotate(
                unread_notification_count=unread_count_subquery()
            )
        try:
            user = users.get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
