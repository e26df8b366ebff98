"""Provisioning and lifecycle of tenants.

A new tenant must not wait for every migration to replay. We keep a pool of spare
schemas migrated in advance (rows with slot=spare, so every `migrate` keeps them
current) and provision by renaming one: `ALTER SCHEMA … RENAME` takes about a
millisecond whatever the number of tenants. When the pool is empty we clone the
migrated template schema instead, and refill the pool in the background.

Everything a provisioning does (rename or clone, tenant row, domain, roles, first
administrator) happens in one transaction; PostgreSQL's DDL is transactional, so a
failure midway leaves no schema and no rows behind.
"""

import logging
import re
import secrets
from dataclasses import dataclass

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from every_schema.accounts import roles
from every_schema.accounts.services import roles_sync, user_create, user_password_set_path
from public_schema.network.services import institution_profile_create
from saas.celery import send_on_commit
from saas.workflow import transition_apply

from .models import Domain, Tenant, TenantStatusHistory
from .workflow import TENANT_STATUS

logger = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]{1,29}$")
SPARE_PREFIX = "spare_"
RESERVED_SLUGS = frozenset(
    {"public", "hub", "www", "api", "admin", "static", "media", "mail", "template", "information_schema"}
)
# Serialises pool refills across processes (any constant the rest of the code does not use).
_POOL_REFILL_LOCK_ID = 0x5041524B  # "PARK"


@dataclass(frozen=True)
class ProvisionedTenant:
    tenant: Tenant
    administrator_id: int
    administrator_email: str
    password_set_url: str
    method: str  # "pool" or "clone"


def tenant_slug_validate(*, slug: str) -> str:
    """Normalise a slug and refuse one that cannot become a tenant's schema and subdomain."""
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            {
                "slug": _(
                    "Use 2 to 30 lower-case letters and digits, starting with a letter "
                    "(it becomes the site address, e.g. jiaodong.%(base)s)."
                )
                % {"base": settings.PARKHUB_BASE_DOMAIN}
            }
        )
    if (
        slug in RESERVED_SLUGS
        or slug == settings.PARKHUB_TEMPLATE_SCHEMA
        or slug.startswith(("pg", SPARE_PREFIX.rstrip("_")))
    ):
        raise ValidationError(
            {"slug": _("“%(slug)s” is reserved by the platform; choose another.") % {"slug": slug}}
        )
    if Tenant.objects.filter(schema_name__iexact=slug).exists() or schema_exists(slug):
        raise ValidationError(
            {"slug": _("A tenant with the address “%(slug)s” already exists.") % {"slug": slug}}
        )
    return slug


def tenant_domain_for(*, slug: str) -> str:
    return f"{slug}.{settings.PARKHUB_BASE_DOMAIN}"


def tenant_site_url(*, tenant: Tenant, path: str = "/") -> str:
    """Absolute URL of a page on a tenant's own host (for links in mail and command output)."""
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else tenant_domain_for(slug=tenant.schema_name)
    port = settings.PARKHUB_URL_PORT
    return f"{settings.PARKHUB_URL_SCHEME}://{host}{':' + str(port) if port else ''}{path}"


def tenant_provision(
    *,
    name: str,
    slug: str,
    kind: str,
    admin_email: str,
    admin_name: str = "",
    parent: Tenant | None = None,
) -> ProvisionedTenant:
    """Create a live tenant with its schema, domain, roles and first administrator.

    Takes a spare schema from the pool when there is one (skipping rows another
    provisioning has locked, so two at once never take the same spare), else clones the
    template. The administrator gets no password: the returned one-time link sets it.
    """
    slug = tenant_slug_validate(slug=slug)
    if kind not in Tenant.Kind.values or kind == Tenant.Kind.HUB:
        raise ValidationError({"kind": _("Choose one of: sub-platform, featured park, service institution.")})
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the tenant a name.")})
    admin_email = (admin_email or "").strip().lower()
    if not admin_email:
        raise ValidationError({"admin_email": _("An administrator email address is required.")})
    if parent is None:
        parent = Tenant.objects.filter(kind=Tenant.Kind.HUB).first()
    template_ensure()

    try:
        with transaction.atomic():
            spare = Tenant.objects.spares().select_for_update(skip_locked=True).order_by("created_at").first()
            if spare is not None:
                _schema_rename(old=spare.schema_name, new=slug)
                tenant = spare
                method = "pool"
            else:
                _template_clone(target=slug)
                tenant = Tenant(slot=Tenant.Slot.LIVE)
                method = "clone"
            tenant.created_at = timezone.now()  # a spare's row was made earlier; the tenant is born now
            tenant.schema_name = slug
            tenant.name = name.strip()
            tenant.kind = kind
            tenant.parent = parent
            tenant.slot = Tenant.Slot.LIVE
            tenant.status = Tenant.Status.ACTIVE
            tenant.save()
            Domain.objects.create(domain=tenant_domain_for(slug=slug), tenant=tenant, is_primary=True)
            with schema_context(slug):
                # Spares and the template carry the roles already (parkhub_setup syncs them
                # after every migrate); a schema missing them gets them here.
                # An institution's first account runs the institution's site, a park's the park.
                first_role = roles.INSTITUTION_ADMIN if kind == Tenant.Kind.INSTITUTION else roles.PARK_ADMIN
                if not Group.objects.filter(name=first_role).exists():
                    roles_sync()
                administrator = user_create(
                    email=admin_email, full_name=admin_name, role=first_role, is_staff=True
                )
                password_set_url = tenant_site_url(
                    tenant=tenant, path=user_password_set_path(user=administrator)
                )
            if kind == Tenant.Kind.INSTITUTION:
                # Its pool entry (入库), a draft until the institution submits it; in the same
                # transaction, so an institution never exists without one.
                institution_profile_create(tenant=tenant)
    except IntegrityError as error:
        # Two requests raced for the same slug; the loser's transaction is rolled back whole.
        raise ValidationError(
            {"slug": _("A tenant with the address “%(slug)s” already exists.") % {"slug": slug}}
        ) from error

    logger.info("provisioned tenant %s by %s", slug, method)
    from .tasks import spare_pool_refill_task  # tasks import this module

    send_on_commit(spare_pool_refill_task)
    return ProvisionedTenant(
        tenant=tenant,
        administrator_id=administrator.pk,
        administrator_email=admin_email,
        password_set_url=password_set_url,
        method=method,
    )


def tenant_administrator_invite(*, provisioned: ProvisionedTenant) -> None:
    """Queue the first administrator's invitation (the one-time link by email) once the provisioning commits."""
    from django.contrib.auth import get_user_model

    from every_schema.accounts.services import invitation_queue

    # The row and the task live in the new tenant's schema: the administrator exists only there.
    with schema_context(provisioned.tenant.schema_name):
        invitation_queue(user=get_user_model().objects.get(pk=provisioned.administrator_id))


def _template_clone(*, target: str) -> None:
    """Copy the migrated template schema (tables, data, sequences) to `target`.

    django-tenants' CloneSchema re-creates its 4,600-line clone_schema() SQL function on
    every call, which slows each later clone on the same connection (measured: 0.4 s
    growing to 2.3 s over 60 clones). We create it once per database and call it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'clone_schema'")
        if cursor.fetchone() is None:
            CloneSchema()._create_clone_schema_function()
        if schema_exists(target):
            raise ValidationError({"slug": _("A schema named “%(slug)s” already exists.") % {"slug": target}})
        cursor.execute("SELECT clone_schema(%s, %s, %s)", [settings.PARKHUB_TEMPLATE_SCHEMA, target, "DATA"])


def _schema_rename(*, old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{old}" RENAME TO "{new}"')


def template_ensure() -> Tenant:
    """Make sure the template schema exists and is migrated; it is what clones copy."""
    template = Tenant.objects.filter(slot=Tenant.Slot.TEMPLATE).first()
    if template is not None and schema_exists(template.schema_name):
        return template
    if template is None:
        template = Tenant.objects.create(
            schema_name=settings.PARKHUB_TEMPLATE_SCHEMA, name="template", slot=Tenant.Slot.TEMPLATE
        )
    _schema_create_by_migrations(template.schema_name)
    with schema_context(template.schema_name):
        roles_sync()
    return template


def _schema_create_by_migrations(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def spare_create(*, method: str = "clone") -> Tenant:
    """Add one pre-migrated spare schema to the pool, by cloning the template or by migrations."""
    schema_name = f"{SPARE_PREFIX}{secrets.token_hex(6)}"
    if method == "clone":
        template_ensure()
        with transaction.atomic():
            _template_clone(target=schema_name)
            return Tenant.objects.create(schema_name=schema_name, name="", slot=Tenant.Slot.SPARE)
    spare = Tenant.objects.create(schema_name=schema_name, name="", slot=Tenant.Slot.SPARE)
    try:
        _schema_create_by_migrations(schema_name)
        with schema_context(schema_name):
            roles_sync()
    except Exception:
        tenant_drop(tenant=spare)
        raise
    return spare


def spare_pool_refill(*, target: int | None = None) -> int:
    """Top the pool up to `target` spares (PARKHUB_SPARE_POOL_SIZE); returns how many were made.

    A session-level advisory lock keeps two workers from both filling the same gap.
    """
    target = settings.PARKHUB_SPARE_POOL_SIZE if target is None else target
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_POOL_REFILL_LOCK_ID])
        if not cursor.fetchone()[0]:
            return 0
    created = 0
    try:
        while Tenant.objects.spares().count() < target:
            spare_create()
            created += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_POOL_REFILL_LOCK_ID])
    return created


def tenant_suspend(
    *, tenant: Tenant, reason: str = "", actor=None, expected_status: str | None = None
) -> Tenant:
    """Close a tenant's pages and API (503) without touching its data.

    A reason is required: a misclick must not take a sub-platform offline unexplained, and
    its people and support read why. `actor` None is the platform itself (a command).
    """
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": _("Say why the platform is suspended: its people and support will read it.")}
        )
    return _tenant_status_move(
        tenant=tenant, action="suspend", reason=reason, actor=actor, expected_status=expected_status
    )


def tenant_reactivate(
    *, tenant: Tenant, reason: str = "", actor=None, expected_status: str | None = None
) -> Tenant:
    """Open a suspended tenant's pages and API again; the move and its reason go in the status history."""
    return _tenant_status_move(
        tenant=tenant, action="reactivate", reason=reason, actor=actor, expected_status=expected_status
    )


def _tenant_status_move(*, tenant: Tenant, action: str, reason: str, actor, expected_status) -> Tenant:
    reason = (reason or "").strip()[:300]

    def change(locked: Tenant, transition) -> dict:
        locked.status_changed_at = timezone.now()
        locked.status_reason = reason
        return {"update_fields": ["status_changed_at", "status_reason"]}

    def history(locked: Tenant, transition, from_status: str, extra: dict):
        return TenantStatusHistory.objects.create(
            tenant=locked,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=locked.status,
            comment=extra.get("comment", ""),
            is_public=False,
        )

    return transition_apply(
        model=Tenant,
        pk=tenant.pk,
        workflow=TENANT_STATUS,
        action=action,
        actor=actor,
        change=change,
        history=history,
        comment=reason,
        expected={"status": expected_status} if expected_status else None,
    )


def tenant_drop(*, tenant: Tenant) -> None:
    """Delete a tenant's schema, domains and row. For operators' clean-ups, never for the hub."""
    if tenant.schema_name == "public":
        raise ValidationError(_("The hub cannot be deleted."))
    with transaction.atomic():
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        Domain.objects.filter(tenant=tenant).delete()
        # The status history is append-only while its tenant exists; erasing the tenant (its
        # schema is gone above) is the one deletion it allows, for that tenant's rows only.
        with pgtrigger.ignore("tenants.TenantStatusHistory:tenant_status_history_no_delete"):
            TenantStatusHistory.objects.filter(tenant=tenant).delete()
        # Its export jobs go with it (the archives stay in storage, backups of their own).
        tenant.exports.all().delete()
        Tenant.objects.filter(pk=tenant.pk).delete()


def hub_ensure(*, name: str | None = None) -> Tenant:
    """The public schema's own tenant row and its hub.<base> domain, named PARKHUB_HUB_NAME unless told."""
    name = name or settings.PARKHUB_HUB_NAME
    hub, _created = Tenant.objects.get_or_create(
        schema_name="public", defaults={"name": name, "kind": Tenant.Kind.HUB, "slot": Tenant.Slot.LIVE}
    )
    Domain.objects.get_or_create(
        domain=f"{settings.PARKHUB_HUB_SUBDOMAIN}.{settings.PARKHUB_BASE_DOMAIN}",
        defaults={"tenant": hub, "is_primary": True},
    )
    roles_sync()
    return hub
