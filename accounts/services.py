"""Writes for accounts: users, roles and one-time password links."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
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


# ---------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------

API_TOKEN_PREFIX = "ph_"


def api_token_hash(secret: str) -> str:
    """The one form of a token's secret that is stored and looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user, name: str, lifetime_days: int | None = None):
    """Make a token for `user` and return (token, secret); the secret is never stored, only its hash.

    The caller shows the secret once. The lifetime is API_TOKEN_LIFETIME_DAYS unless a
    shorter one is asked for; it is capped at that setting so a leaked token dies on its own.
    """
    from .models import ApiToken

    longest = settings.API_TOKEN_LIFETIME_DAYS
    days = min(lifetime_days or longest, longest)
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=api_token_hash(secret),
        prefix=secret[:10],
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


def api_token_revoke(*, token) -> None:
    """Revoke a token at once; revoking twice keeps the first time. The row stays, for the owner's list."""
    from .models import ApiToken

    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])


def api_token_touch(*, token) -> None:
    """Note when a token was last used, at most once every few minutes: not a write per request."""
    from .models import ApiToken

    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
