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
    which enterprise the user belongs to and whether they are park staff. Loading the
    enterprise seat (`membership` and its enterprise) and the role names in the query
    that loads the user saves three or four round trips a page. The role names are a
    snapshot taken when the request began (`User.role_set`); the workflow transitions
    check the role in the database again, under their row lock.
    """

    def get_user(self, user_id):
        users = UserModel._default_manager.annotate(
            role_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name"))
        )
        if connection.schema_name != get_public_schema_name():  # the hub has no enterprises
            users = users.select_related("membership__enterprise")
        try:
            user = users.get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
