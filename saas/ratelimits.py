"""Limits on what anyone may send without an account: registering an enterprise, filing an objection.

django-ratelimit counts POSTs per client address in the cache (tenant-aware keys, so each
park counts its own). The address is the one login lockout uses (django-axes, which reads
X-Forwarded-For behind our proxy in production), so both see the same client. Rates are
settings (`PARKHUB_RATES`), read at request time. Over the limit a page gets 429 with what to
do next (saas.views.too_many_requests) and the API a 429 JSON error (saas.api.exceptions).
If the cache is down the limit is not enforced rather than refusing everyone
(`RATELIMIT_FAIL_OPEN`).
"""

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def client_address(group, request) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def rate_of(group, request) -> str:
    return settings.PARKHUB_RATES[group]


def limit_posts(group: str):
    """Decorator: at most PARKHUB_RATES[group] POSTs per client address."""
    return ratelimit(group=group, key=client_address, rate=rate_of, method="POST", block=True)
