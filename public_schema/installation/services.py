"""Writes of the installation's identity."""

import logging

from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import transaction

from every_schema.accounts import roles

from .models import Installation
from .selectors import CACHE_KEY

logger = logging.getLogger(__name__)


def _forget_cached_identity():
    try:
        caches["shared"].delete(CACHE_KEY)
    except Exception:
        # The cached copy expires within the hour (selectors.CACHE_SECONDS); the row is saved.
        logger.warning(
            "installation identity: cache unavailable, the old copy expires by itself", exc_info=True
        )


@transaction.atomic
def installation_update(
    *, actor, hub_name: str, platform_name: str, contact_email: str, contact_phone: str
) -> Installation:
    """The hub operator sets the installation's names and contact; a blank value falls back to the setting.

    Only hub operators (and superusers) may: the names appear on every page and mail of every
    tenant. The hub's tenant row takes the hub's name too, so the registry says the same. The
    cached copy is dropped once the change commits, so every process shows it on its next page.
    """
    if actor is not None and not (actor.is_superuser or actor.has_role(roles.HUB_OPERATOR)):
        raise PermissionDenied
    installation, _created = Installation.objects.select_for_update().get_or_create(
        pk=Installation.SINGLETON_ID
    )
    installation.hub_name = hub_name.strip()
    installation.platform_name = platform_name.strip()
    installation.contact_email = contact_email.strip()
    installation.contact_phone = contact_phone.strip()
    installation.updated_by = getattr(actor, "email", "") or ""
    installation.save()
    if installation.hub_name:
        from public_schema.tenants.models import Tenant

        Tenant.objects.filter(schema_name="public").update(name=installation.hub_name)
    transaction.on_commit(_forget_cached_identity)
    return installation
