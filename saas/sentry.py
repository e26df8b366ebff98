"""Error tracking with Sentry (sentry-sdk), switched on by SENTRY_DSN.

Django and Celery integrations; each event is tagged with the tenant schema it happened in
(the connection's, which django-tenants sets for a request and tenant-schemas-celery for a
task) and the request id of saas.logs. No personal data leaves the installation:
send_default_pii is off, and `before_send` drops the user except for the id, the request's
body, cookies and credentials headers, and replaces e-mail addresses and mainland mobile
numbers wherever they appear in the event (exception messages, log messages, local
variables), and every value whose key names a password, token or secret.
"""

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SENSITIVE_KEY = re.compile(
    r"pass|pwd|secret|token|authorization|cookie|session|csrf|api_?key|email|phone|mobile", re.I
)
FILTERED = "[Filtered]"
_DROPPED_HEADERS = {"cookie", "authorization", "x-forwarded-for", "x-real-ip", "proxy-authorization"}


def _scrub(value, depth: int = 0):
    if depth > 20:
        return value
    if isinstance(value, str):
        return MOBILE.sub(FILTERED, EMAIL.sub(FILTERED, value))
    if isinstance(value, dict):
        return {
            key: (
                FILTERED
                if isinstance(key, str) and SENSITIVE_KEY.search(key) and isinstance(item, str | int)
                else _scrub(item, depth + 1)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    return value


def before_send(event, hint):
    from django.db import connection

    tags = event.setdefault("tags", {})
    tags.setdefault("tenant", getattr(connection, "schema_name", None) or "unknown")
    from saas.logs import _current_request

    request = _current_request.get()
    if request is not None and getattr(request, "request_id", None):
        tags.setdefault("request_id", request.request_id)
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    http = event.get("request")
    if http:
        http.pop("data", None)
        http.pop("cookies", None)
        http.pop("env", None)
        headers = http.get("headers")
        if isinstance(headers, dict):
            http["headers"] = {k: v for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS}
        if http.get("query_string"):
            http["query_string"] = FILTERED
    return _scrub(event)


def before_breadcrumb(crumb, hint):
    return _scrub(crumb)


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration(), LoggingIntegration()],
        send_default_pii=False,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=traces_sample_rate,
    )
