"""What every log line says about where it was written: request id, tenant schema, user, task.

The request being served is kept in a context variable by saas.telemetry's middleware (one
per thread under gunicorn's threads), so a line logged anywhere below a view carries the
request's id and its user without passing the request around. A Celery task's line carries
the task's id; the schema is the connection's, which django-tenants sets for a request and
tenant-schemas-celery for a task.
"""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.core.signals import request_finished

_current_request = contextvars.ContextVar("parkhub_current_request", default=None)

# What a request id sent by our proxy may look like (nginx's $request_id is 32 hex digits):
# anything else is replaced, so a header cannot write arbitrary text into every log line.
_REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id_trusted(request) -> bool:
    """Whether X-Request-ID was set by our own proxy rather than by the client.

    nginx overwrites the header (deploy/nginx/parkhub.conf); with PARKHUB_TRUSTED_PROXIES the
    peer must be one of them, with PARKHUB_TRUSTED_PROXY_COUNT at least one proxy must stand in
    front. Without a proxy (development, tests) a client's header is never believed.
    """
    from saas.client_address import _address, _trusted_networks

    networks = _trusted_networks(tuple(settings.PARKHUB_TRUSTED_PROXIES))
    if networks:
        peer = _address(request.META.get("REMOTE_ADDR") or "")
        return peer is not None and any(peer in network for network in networks)
    return settings.PARKHUB_TRUSTED_PROXY_COUNT > 0


def request_id_for(request) -> str:
    """The id of this request: the proxy's X-Request-ID when trusted and well-formed, else a new one."""
    sent = request.META.get("HTTP_X_REQUEST_ID", "")
    if sent and _REQUEST_ID_SHAPE.fullmatch(sent) and request_id_trusted(request):
        return sent
    return uuid.uuid4().hex


def request_enter(request) -> None:
    _current_request.set(request)


def request_leave(**kwargs) -> None:
    """On request_finished, once the response is closed: Django's own "Not Found" and
    "Internal Server Error" lines, written after the middleware returned, still carry the id."""
    _current_request.set(None)


request_finished.connect(request_leave, dispatch_uid="saas.logs.request_leave")


def _user_id(request) -> int | str | None:
    """The signed-in user's id, only if something already loaded the user (never a query from logging)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    from django.utils.functional import empty

    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class ContextFilter(logging.Filter):
    """Adds request_id, tenant, user_id and task_id to every record (empty when not known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current_request.get()
        record.request_id = getattr(request, "request_id", "") if request is not None else ""
        record.user_id = _user_id(request) if request is not None else None
        try:
            from django.db import connection

            record.tenant = getattr(connection, "schema_name", "") or ""
        except Exception:  # logging before Django is set up
            record.tenant = ""
        record.task_id = ""
        try:
            from celery import current_task

            if current_task and current_task.request.id:
                record.task_id = current_task.request.id
        except Exception:
            pass
        return True
