"""The enterprise's application pages, rendered once and kept until something on them changes.

An enterprise looks at its list and its timelines far more often than they change. Each is
kept in the cache (Redis) twice: its own part, below the navigation, the same for every
colleague, under a key made of

- the tenant: django-tenants' key function puts the schema first, and the key holds when the
  tenant was made, so a tenant made again under the same name starts afresh;
- the enterprise and the version of its application pages, which database triggers move in
  the transaction of any change the pages show (tenant_schema.applications.page_versions), and which is
  loaded with the signed-in user (every_schema.accounts.backends), so a kept page costs no query;
- the page and the language;
- the release: a digest of the code, templates, translations and styles that build pages, so
  that a deploy never serves a page kept by the code it replaced;

and the whole page, layout included, per visitor: the same key and what the layout shows of
them (`_layout_key`). A kept page costs the session and the user, read for every page, and
one cache read: no query of its own, no template.

A page is only ever kept under its own enterprise's key after the scoped fetch found it, so
another enterprise's id, or another tenant's, finds nothing and gets the fetch's 404.

Kept pages expire at the first moment their clocks would read differently: a due date
passing ("overdue") or midnight in Shanghai (working days left). Their forms carry a
stand-in for the CSRF token, which belongs to the visitor's session and is put in when the
page is served. A visitor with messages waiting (shown once) gets the page rendered. If the
cache cannot be reached the page is rendered as it would be without one and the error
logged: a Redis outage slows these pages down, it does not break them.
"""

import datetime as dt
import functools
import hashlib
import logging
import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from saas.workdays import SHANGHAI

from .models import ApplicationPagesVersion

logger = logging.getLogger(__name__)

CSRF_STAND_IN = "csrf-token-stand-in-5d1f0c7e"

Parts = dict[str, str]


_RELEASE_SUFFIXES = (".py", ".html", ".mo", ".css", ".js")
_NOT_RELEASE = {"node_modules", "staticfiles", "tests", "bench", "docs", "deploy", "media"}


@functools.cache
def release_digest() -> str:
    """A digest of the files that make pages (code, templates, translations, styles), once per process."""
    digest = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(
            name for name in subfolders if name not in _NOT_RELEASE and not name.startswith(".")
        )
        for name in sorted(files):
            if name.endswith(_RELEASE_SUFFIXES):
                path = Path(folder, name)
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def pages_version(enterprise) -> int:
    """The version loaded with the user; read (one query) only if the enterprise came another way."""
    try:
        return enterprise.application_pages_version.version
    except ApplicationPagesVersion.DoesNotExist:
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


def _parts_key(request, page: str) -> str:
    enterprise = request.enterprise
    return ":".join(
        [
            "application-pages",
            release_digest(),
            f"{request.tenant.created_at.timestamp():.6f}",
            str(enterprise.pk),
            str(pages_version(enterprise)),
            translation.get_language(),
            page,
        ]
    )


def _layout_key(request, parts_key: str) -> str:
    """The parts' key and everything the layout (templates/base.html) shows of the visitor.

    Who is signed in (their name, roles and enterprise), their unread count, the tenant's
    name and the address (the language switch returns to it). A value base.html starts to
    show must be added here; tests/applications/test_page_cache.py compares kept and built
    pages after each of these changes.
    """
    from public_schema.installation.selectors import installation_identity
    from tenant_schema.enterprises.selectors import user_is_park_admin, user_is_park_staff
    from tenant_schema.notifications.selectors import notification_unread_count

    user = request.user
    shown = (
        request.tenant.name,
        installation_identity(),  # the platform's name and contact in the title and footer
        user.pk,
        user.get_short_name(),
        user_is_park_staff(user),
        user_is_park_admin(user),  # the staff menu differs by role
        request.enterprise.pk,
        notification_unread_count(user=user),
        request.get_full_path(),
    )
    return f"{parts_key}:{hashlib.blake2b(repr(shown).encode(), digest_size=12).hexdigest()}"


def _cache_get(key: str):
    try:
        return cache.get(key), True
    except Exception:  # noqa: BLE001 — any cache failure: render without it
        logger.exception("Application page cache unreachable; rendering without it")
        return None, False


def _cache_set(key: str, value, until: float) -> None:
    seconds = math.floor(until - timezone.now().timestamp())
    if seconds >= 1:
        try:
            cache.set(key, value, timeout=seconds)
        except Exception:  # noqa: BLE001
            logger.exception("Application page cache unreachable; page not kept")


def _parts(
    request, page: str, build: Callable[[], tuple[Parts, dt.datetime]], kept: bool
) -> tuple[Parts, float]:
    """The page's own parts (the same for every colleague) and until when they hold."""
    key = _parts_key(request, page)
    found, kept = _cache_get(key) if kept else (None, False)
    if found is not None:
        return found["parts"], found["until"]
    parts, valid_until = build()
    until = valid_until.timestamp()
    if kept:
        _cache_set(key, {"parts": parts, "until": until}, until)
    return parts, until


def enterprise_page(
    request,
    *,
    page: str,
    template: str,
    build: Callable[[], tuple[Parts, dt.datetime]],
    kept: bool = True,
    status: int = 200,
) -> HttpResponse:
    """The page, kept whole per visitor (layout included) until anything on it would change.

    `build` returns the page's parts (rendered with `page_render`) and the moment they stop
    being true; `template` puts them (`page`) in the layout. A visitor with messages waiting
    gets the page rendered, as the messages show once. `kept=False` neither reads nor keeps
    anything (a page showing a form error). The visitor's CSRF token replaces the stand-in
    in the layout's forms and the page's alike.
    """
    token = get_token(request)
    kept = kept and not len(messages.get_messages(request))
    layout_key = None
    if kept:
        parts_key = _parts_key(request, page)
        layout_key = _layout_key(request, parts_key)
        html, kept = _cache_get(layout_key)
        if html is not None:
            return HttpResponse(html.replace(CSRF_STAND_IN, token), status=status)
    parts, until = _parts(request, page, build, kept)
    context = {"page": {name: mark_safe(text) for name, text in parts.items()}, "csrf_token": CSRF_STAND_IN}  # noqa: S308
    html = render_to_string(template, context, request=request)
    if kept:
        _cache_set(layout_key, html, until)
    return HttpResponse(html.replace(CSRF_STAND_IN, token), status=status)
