"""Writes for accounts: users, roles and one-time password links."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import get_public_schema_name

from . import roles

User = get_user_model()


def roles_sync() -> list[Group]:
    """Create the current schema's role groups and give them their permissions.

    The hub schema gets the hub roles, every other schema the tenant roles. Safe to run
    any number of times: it only adds what is missing and drops what the table no longer lists.
    """
    in_hub = connection.schema_name == get_public_schema_name()
    names = roles.HUB_ROLES if in_hub else roles.TENANT_ROLES
    groups = []
    for name in names:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions_for(roles.ROLE_PERMISSIONS.get(name, [])))
        groups.append(group)
    return groups


def _permissions_for(specs: list[str]) -> list[Permission]:
    permissions: list[Permission] = []
    for spec in specs:
        app_label, codename = spec.split(".", 1)
        found = Permission.objects.filter(content_type__app_label=app_label)
        if codename != "*":
            found = found.filter(codename=codename)
        permissions.extend(found)
    return permissions


@transaction.atomic
def user_create(
    *, email: str, full_name: str = "", password: str | None = None, role: str | None = None, is_staff=False
) -> User:
    """Create an account in the current schema, optionally in one role.

    Without a password the account cannot sign in until its owner sets one through the
    one-time link.
    """
    user = User.objects.create_user(email=email, password=password, full_name=full_name, is_staff=is_staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def user_password_set_path(*, user: User) -> str:
    """Path of the one-time link with which `user` chooses a password.

    Django's token hashes the current password and last login, so the link stops working
    as soon as it has been used, and after PASSWORD_RESET_TIMEOUT.
    """
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    # Tenant sites answer on ROOT_URLCONF; the hub mounts the same accounts URLs.
    return reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uidb64, "token": token},
        urlconf=settings.ROOT_URLCONF,
    )
