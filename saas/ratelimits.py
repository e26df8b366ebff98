"""Limits on what anyone may send without an account: registering an enterprise, filing an objection.

django-ratelimit counts POSTs per client address in the cache (tenant-aware keys, so each
park counts its own). The address is the one login lockout uses (saas.client_address, which
reads X-Forwarded-For from our trusted proxy in production), so both see the same client.
Rates are settings (`PARKHUB_RATES`), read at request time. Over the limit a page gets 429
with what to do next (saas.views.too_many_requests) and the API a 429 JSON error
(saas.api.exceptions).

If the cache cannot be reached the limit is not enforced rather than refusing everyone: the
README promises that pages keep working while Redis is down. django-ratelimit's own
RATELIMIT_FAIL_OPEN only covers a cache that answers "nothing"; redis-py raises
ConnectionError, TimeoutError and friends, which would be a 500. Any error counting is
therefore logged and the request let through.
"""

import functools
import logging

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from .client_address import client_key

logger = logging.getLogger(__name__)


def rate_of(group, request) -> str:
    return settings.PARKHUB_RATES[group]


def _over_limit(request, group: str) -> bool:
    try:
        return is_ratelimited(
            request=request, group=group, key=client_key, rate=rate_of, method="POST", increment=True
        )
    except Exception:  # noqa: BLE001 — any cache failure: fail open, as RATELIMIT_FAIL_OPEN says
        logger.warning("Rate-limit cache unreachable; %s not limited for this request", group, exc_info=True)
        return False


def limit_posts(group: str):
    """Decorator: at most PARKHUB_RATES[group] POSTs per client address; 429 above it."""

    def decorator(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            if _over_limit(request, group):
                request.limited = True
                raise Ratelimited()
            return view(request, *args, **kwargs)

        return limited

    return decorator
