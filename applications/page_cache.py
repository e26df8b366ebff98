"""The enterprise's application pages, rendered once and kept until something on them changes.

An enterprise looks at its list and its timelines far more often than they change. What is
below the navigation is kept in the cache (Redis) under a key made of

- the tenant: django-tenants' key function puts the schema first, and the key holds when the
  tenant was made, so a tenant made again under the same name starts afresh;
- the enterprise and the version of its application pages, which database triggers move in
  the transaction of any change the pages show (applications.page_versions), and which is
  loaded with the signed-in user (accounts.backends), so a kept page costs no query;
- the page and the language.

A page is only ever kept under its own enterprise's key after the scoped fetch found it, so
another enterprise's id, or another tenant's, finds nothing and gets the fetch's 404.

A kept page expires at the first moment its clocks would read differently: a due date
passing ("overdue") or midnight in Shanghai (working days left). Its forms carry a stand-in
for the CSRF token, which belongs to the visitor's session and is put in when the page is
served. If the cache cannot be reached the page is rendered as it would be without one and
the error logged: a Redis outage slows these pages down, it does not break them.
"""

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from saas.workdays import SHANGHAI

logger = logging.getLogger(__name__)

CSRF_STAND_IN = "csrf-token-stand-in-5d1f0c7e"

Parts = dict[str, str]


def pages_version(enterprise) -> int:
    """The version loaded with the user; read (one query) only if the enterprise came another way."""
    try:
        return enterprise.application_pages_version.version
    except enterprise._meta.get_field("application_pages_version").related_model.DoesNotExist:
        return 0  # no application yet, nor any change since the triggers were installed


def page_render(template: str, context: dict) -> str:
    """A page part rendered without the request: nothing in it may depend on the session."""
    return render_to_string(template, {**context, "csrf_token": CSRF_STAND_IN})


def clocks_change_at(now: dt.datetime, due_dates: Iterable[dt.datetime | None]) -> dt.datetime:
    """When "n working days left" / "overdue" on a page next read differently."""
    tomorrow = timezone.localtime(now, SHANGHAI).date() + dt.timedelta(days=1)
    change_at = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=SHANGHAI)
    upcoming = [due for due in due_dates if due is not None and due > now]
    return min([change_at, *upcoming])


def enterprise_page(
    request, *, page: str, build: Callable[[], tuple[Parts, dt.datetime]], kept: bool = True
) -> dict:
    """The context to render: the page's parts (`page`) from the cache, else `build()` them and keep them.

    `build` returns the parts and the moment they stop being true. `kept=False` builds
    without reading or writing the cache (a page showing a form error). The context also
    holds the CSRF token put into the parts, so the layout's forms use the same one.
    """
    enterprise = request.enterprise
    key = ":".join(
        [
            "application-pages",
            f"{request.tenant.created_at.timestamp():.6f}",
            str(enterprise.pk),
            str(pages_version(enterprise)),
            translation.get_language(),
            page,
        ]
    )
    parts = None
    if kept:
        try:
            parts = cache.get(key)
        except Exception:  # noqa: BLE001 — any cache failure: render without it
            logger.exception("Application page cache unreachable; rendering %s without it", page)
            kept = False
    if parts is None:
        parts, valid_until = build()
        seconds = math.floor((valid_until - timezone.now()).total_seconds())
        if kept and seconds >= 1:
            try:
                cache.set(key, parts, timeout=seconds)
            except Exception:  # noqa: BLE001
                logger.exception("Application page cache unreachable; %s not kept", page)
    token = get_token(request)
    page_parts = {name: mark_safe(text.replace(CSRF_STAND_IN, token)) for name, text in parts.items()}  # noqa: S308
    return {"page": page_parts, "csrf_token": token}
