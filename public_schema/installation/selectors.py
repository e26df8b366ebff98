"""The installation's identity as every page and mail shows it."""

import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import caches

from .models import Installation

logger = logging.getLogger(__name__)
# The same in every schema: the "shared" cache's keys carry no schema, so one write clears it everywhere.
CACHE_KEY = "installation:identity"
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class InstallationIdentity:
    hub_name: str
    platform_name: str
    contact_email: str
    contact_phone: str

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone)


def installation_settings_identity() -> InstallationIdentity:
    """The environment's values alone (what a blank field of the hub's page falls back to)."""
    return InstallationIdentity(
        hub_name=settings.PARKHUB_HUB_NAME,
        platform_name=settings.PARKHUB_PLATFORM_NAME,
        contact_email=settings.PARKHUB_CONTACT_EMAIL,
        contact_phone=settings.PARKHUB_CONTACT_PHONE,
    )


def installation_identity_uncached() -> InstallationIdentity:
    defaults = installation_settings_identity()
    row = Installation.objects.filter(pk=Installation.SINGLETON_ID).first()
    if row is None:
        return defaults
    return InstallationIdentity(
        **{field: getattr(row, field) or getattr(defaults, field) for field in asdict(defaults)}
    )


def installation_identity() -> InstallationIdentity:
    """The identity, from the cache when it holds it; a cache that cannot answer costs one query, not the page."""
    cache = caches["shared"]
    try:
        cached = cache.get(CACHE_KEY)
    except Exception:  # Redis down or frozen: pages keep working (tests/faults/)
        logger.warning("installation identity: cache unavailable, reading the database", exc_info=True)
        return installation_identity_uncached()
    if cached is not None:
        return InstallationIdentity(**cached)
    identity = installation_identity_uncached()
    try:
        cache.set(CACHE_KEY, asdict(identity), CACHE_SECONDS)
    except Exception:
        logger.warning("installation identity: cache unavailable, not cached", exc_info=True)
    return identity


def installation_row() -> Installation:
    """The editable row (unsaved and blank when the hub never edited it)."""
    return Installation.objects.filter(pk=Installation.SINGLETON_ID).first() or Installation(
        pk=Installation.SINGLETON_ID
    )
