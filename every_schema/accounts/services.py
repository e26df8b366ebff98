"""Writes for accounts: users, roles and one-time password links."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import get_public_schema_name, schema_context

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


# One statement over many schemas: each schema's roles and their permissions, as a digest
# (query_to_xml runs the inner query per schema inside the one statement).
_ROLE_DIGEST_SQL = r"""
SELECT n.nspname, (xpath('/row/d/text()', query_to_xml(format(
    'SELECT md5(coalesce(string_agg(g.name || '':'' || coalesce(ct.app_label || ''.'' || p.codename, ''''),
                                    '','' ORDER BY g.name, ct.app_label, p.codename), '''')) AS d
     FROM %%1$I.auth_group g
     LEFT JOIN %%1$I.auth_group_permissions gp ON gp.group_id = g.id
     LEFT JOIN %%1$I.auth_permission p ON p.id = gp.permission_id
     LEFT JOIN %%1$I.django_content_type ct ON ct.id = p.content_type_id
     WHERE g.name = ANY(%%2$L)', n.nspname, %s::text[]), false, true, '')))[1]::text
FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
WHERE c.relname = 'auth_group' AND c.relkind = 'r' AND n.nspname = ANY(%s)
"""


def roles_digests(schema_names: list[str]) -> dict[str, str]:
    """{schema: digest of its tenant roles and their permissions}, in one statement.

    Two schemas with the same digest hold the same roles with the same permissions; a
    schema without the auth tables is absent.
    """
    if not schema_names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_ROLE_DIGEST_SQL, [list(roles.TENANT_ROLES), list(schema_names)])
        return dict(cursor.fetchall())


def roles_sync_where_changed(schema_names: list[str], *, reference_schema: str) -> list[str]:
    """Bring the roles of `schema_names` up to date, touching only the schemas that differ.

    `reference_schema` (the template, migrated like every tenant) is synced first; every
    schema whose digest equals it already has what roles_sync would give it. Returns the
    schemas synced: a deploy that changed no role and no model syncs none.
    """
    with schema_context(reference_schema):
        roles_sync()
    digests = roles_digests([reference_schema, *schema_names])
    wanted = digests.get(reference_schema)
    synced = []
    for schema_name in schema_names:
        if schema_name != reference_schema and digests.get(schema_name) != wanted:
            with schema_context(schema_name):
                roles_sync()
            synced.append(schema_name)
    return synced


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
# Invitations: queued on commit, marked sent only once the mail server accepted them
# ---------------------------------------------------------------------------


def invitation_is_accepted(*, user: User) -> bool:
    """The invited person chose a password (or already had one): the link has done its job."""
    return user.has_usable_password() or user.last_login is not None


def invitation_queue(*, user: User):
    """Record that `user` is to get the one-time link, and queue the email once this transaction commits.

    Safe to call twice: a user has one invitation row, and a second call for an invitation
    still pending or already sent queues nothing more (resending is `invitation_resend`).
    """
    from saas.celery import send_on_commit

    from .models import Invitation
    from .tasks import invitation_send_task

    invitation, created = Invitation.objects.get_or_create(user=user)
    if created:
        send_on_commit(invitation_send_task, user_id=user.pk, generation=invitation.generation)
    return invitation


def invitation_resend(*, user: User):
    """Send an unaccepted invitation again, with a new link; earlier links stop working.

    Allowed whenever the invitation is not accepted yet (sent, failed or stuck), but not
    more often than PARKHUB_INVITATION_RESEND_INTERVAL, so a double-click or an impatient
    administrator does not flood the person's mailbox. Rotating the unusable password
    invalidates the earlier links: Django's token hashes the password field.
    """
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    from saas.celery import send_on_commit

    from .models import Invitation
    from .tasks import invitation_send_task

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if invitation_is_accepted(user=user):
            raise ValidationError(
                _(
                    "%(email)s has already chosen a password; if it is forgotten, they can reset it on the sign-in page."
                )
                % {"email": user.email}
            )
        invitation, _created = Invitation.objects.select_for_update().get_or_create(user=user)
        next_allowed = invitation.queued_at + timedelta(seconds=settings.PARKHUB_INVITATION_RESEND_INTERVAL)
        if not _created and timezone.now() < next_allowed:
            raise ValidationError(
                _(
                    "An invitation to %(email)s was queued at %(queued)s; you can send it again after %(next)s."
                )
                % {
                    "email": user.email,
                    "queued": formats.time_format(timezone.localtime(invitation.queued_at), "H:i"),
                    "next": formats.time_format(timezone.localtime(next_allowed), "H:i"),
                }
            )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        if not _created:
            invitation.generation += 1
        invitation.status = Invitation.Status.PENDING
        invitation.attempts = 0
        invitation.last_error = ""
        invitation.sent_at = None
        invitation.queued_at = timezone.now()
        invitation.save()
        send_on_commit(invitation_send_task, user_id=user.pk, generation=invitation.generation)
    return invitation


def invitation_deliver(*, user_id: int, generation: int | None, last_try: bool) -> bool:
    """Send the invitation email if it is still due; True if the mail server accepted it now.

    The row is locked while the message goes out (a second run of the same task skips it)
    and is marked sent only after the server accepted it. A refused or unreachable server
    raises after the attempt and error are recorded, so the Celery task retries; a permanent
    refusal (5xx) or the last try marks it failed. A task queued for an earlier generation, or
    for an invitation already sent, sends nothing.
    """
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from public_schema.tenants.services import tenant_site_url
    from saas.mail import mail_error_describe, mail_error_is_permanent, mail_send

    from .models import Invitation

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    # A task queued without a row (older code, a shell) still sends once: the row is made here.
    Invitation.objects.get_or_create(user=user)
    try:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(user_id=user_id, status=Invitation.Status.PENDING)
                .first()
            )
            if invitation is None or (generation is not None and invitation.generation != generation):
                return False
            user = invitation.user
            tenant = connection.tenant
            context = {
                "user": user,
                "site_name": tenant.name,
                "link": tenant_site_url(tenant=tenant, path=user_password_set_path(user=user)),
            }
            with translation.override(settings.LANGUAGE_CODE):
                subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
                body = render_to_string("accounts/email/invitation.txt", context)
            mail_send(subject=subject, body=body, recipients=[user.email])
            invitation.status = Invitation.Status.SENT
            invitation.sent_at = timezone.now()
            invitation.attempts += 1
            invitation.last_error = ""
            invitation.save(update_fields=["status", "sent_at", "attempts", "last_error"])
            return True
    except Exception as error:
        failed = last_try or mail_error_is_permanent(error)
        still_due = Invitation.objects.filter(user_id=user_id, status=Invitation.Status.PENDING)
        if generation is not None:
            still_due = still_due.filter(generation=generation)
        still_due.update(
            attempts=models.F("attempts") + 1,
            last_error=mail_error_describe(error),
            status=Invitation.Status.FAILED if failed else Invitation.Status.PENDING,
        )
        if failed and mail_error_is_permanent(error):
            return False
        raise


# ---------------------------------------------------------------------------
# Housekeeping in the current schema (run in every schema by the tasks and commands)
# ---------------------------------------------------------------------------


def sessions_clear_expired() -> int:
    """Delete the current schema's expired sessions, as `clearsessions` does; returns how many.

    Revocations waiting to reach the cache carry a far-future expiry (every_schema.accounts.sessions)
    and are left alone.
    """
    from importlib import import_module

    from django.utils import timezone

    model = import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()
    deleted, _per_model = model.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def login_records_purge(*, older_than_days: int | None = None) -> dict[str, int]:
    """Delete django-axes' attempt, lockout and access records older than `older_than_days` (default: the setting).

    A lockout lasts AXES_COOLOFF_TIME (half an hour), so records this old only fill the table.
    """
    from datetime import timedelta

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    days = settings.PARKHUB_LOGIN_RECORDS_KEEP_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    return {
        "attempts": AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "failures": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "access_logs": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
    }


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
