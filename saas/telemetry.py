"""The first middleware: probes, metrics, and the request's id, before any tenant routing.

It sits before django-tenants' HostTenantMiddleware and SecurityMiddleware so that
`/healthz` and `/readyz` answer on any Host header (the kubelet probes by pod IP), for an
unknown or suspended tenant, and over plain HTTP without the HTTPS redirect; and so that
`/metrics` with the right bearer token answers on whatever host Prometheus scrapes. It
never calls request.get_host(), which would refuse a Host outside ALLOWED_HOSTS.

For every other request it gives the request an id (X-Request-ID from our proxy, or a new
one), echoed in the response's X-Request-ID and carried by every log line written while
the request is served (saas.logs), times the response for the latency histogram
(saas.metrics), and writes one JSON-able access line per request.
"""

import json
import logging
import time

from django.http import HttpResponse

from saas import health, logs, metrics

access_log = logging.getLogger("parkhub.request")

_PROBE_HEADERS = {"Cache-Control": "no-store"}


def _json(body: dict, status: int) -> HttpResponse:
    response = HttpResponse(json.dumps(body), content_type="application/json", status=status)
    for name, value in _PROBE_HEADERS.items():
        response[name] = value
    return response


class TelemetryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if request.method in ("GET", "HEAD"):
            if path == "/healthz":
                return _json({"status": "ok"}, 200)
            if path == "/readyz":
                ready, checks = health.readiness()
                return _json(
                    {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
                )
            if path == "/metrics" and metrics.token_valid(request.META.get("HTTP_AUTHORIZATION", "")):
                response = HttpResponse(metrics.scrape(), content_type=metrics.CONTENT_TYPE)
                response["Cache-Control"] = "no-store"
                return response

        request.request_id = logs.request_id_for(request)
        logs.request_enter(request)  # left on request_finished (saas.logs)
        started = time.monotonic()
        response = self.get_response(request)
        seconds = time.monotonic() - started
        response["X-Request-ID"] = request.request_id
        metrics.request_observe(request, response, seconds)
        route = metrics.route_of(request)
        access_log.info(
            "%s %s %s %.0fms",
            request.method,
            route,
            response.status_code,
            seconds * 1000,
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "tenant_kind": metrics.tenant_kind_of(request),
            },
        )
        return response
