"""The address of the client behind our proxy: the one place login lockout and rate limits read it.

Behind nginx or an ingress every request's REMOTE_ADDR is the proxy's, so lockout and rate
limits keyed on it would lock a park administrator out after anyone's five bad passwords and
let one client use up the registration limit of the whole internet. The proxy appends the
address it saw to X-Forwarded-For (`$proxy_add_x_forwarded_for`), after whatever the client
sent itself; only the entries our own proxies added can be believed, so the client is read
from the right:

- PARKHUB_TRUSTED_PROXIES (addresses or networks): REMOTE_ADDR and then X-Forwarded-For are
  walked from the right while the address is one of ours; the first that is not is the client.
  A request that does not come from a trusted proxy is its REMOTE_ADDR, whatever it claims.
- otherwise PARKHUB_TRUSTED_PROXY_COUNT hops: the client is the entry that many places left of
  REMOTE_ADDR (0, the default outside production: REMOTE_ADDR itself).

Whatever a client writes into X-Forwarded-For lands left of what our proxies add, so it can
neither hide the client nor name someone else.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _trusted_networks(proxies: tuple[str, ...]):
    try:
        return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"PARKHUB_TRUSTED_PROXIES: {error}") from None


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address as our trusted proxies saw it (also axes' AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = [
        entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()
    ]
    chain = [*forwarded, remote] if remote else forwarded
    networks = _trusted_networks(tuple(settings.PARKHUB_TRUSTED_PROXIES))
    if networks:
        for hop, entry in enumerate(reversed(chain)):
            address = _address(entry)
            if address is None:
                # Not an address, so written by no proxy of ours: the last hop we can vouch for.
                return chain[len(chain) - hop] if hop else remote
            if not any(address in network for network in networks):
                return str(address)
        return chain[0] if chain else None
    count = settings.PARKHUB_TRUSTED_PROXY_COUNT
    if count <= 0 or len(chain) <= count:
        # No proxy expected, or a request that did not pass through all of them: the peer is the client.
        return remote
    address = _address(chain[-1 - count])
    return str(address) if address is not None else remote


def client_key(group, request) -> str:
    """django-ratelimit's key: the same address login lockout counts."""
    return client_ip(request) or "unknown"
