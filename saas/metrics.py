"""Prometheus metrics: request latency by route and tenant kind, Celery tasks, queue length.

Labels are bounded on purpose: a route is the resolver's view name (never the raw path,
which carries ids), a tenant is its kind (hub, district, park, institution; never the
schema, of which a city has hundreds). Under gunicorn's several worker processes, set
PROMETHEUS_MULTIPROC_DIR (an empty folder per pod, e.g. an emptyDir) and every process
writes its samples there; a scrape of any worker reads them all (deploy/gunicorn.conf.py
removes the files of workers that exited).

The endpoint is /metrics with `Authorization: Bearer <METRICS_TOKEN>`; without the token
(or with METRICS_TOKEN unset) the request goes on to the site, which answers its 404.
"""

import hmac
import os
import time

from celery import signals
from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUEST_LATENCY = Histogram(
    "parkhub_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by route and tenant kind.",
    ["route", "tenant_kind", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASKS = Counter(
    "parkhub_celery_tasks_total", "Celery tasks finished, by task and final state.", ["task", "state"]
)
TASK_DURATION = Histogram(
    "parkhub_celery_task_duration_seconds",
    "Run time of Celery tasks, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)

# kombu's Redis transport keeps a queue's messages of priority N under "<queue>\x06\x16<N>".
_PRIORITY_SEPARATOR = "\x06\x16"


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "unmatched"


def tenant_kind_of(request) -> str:
    tenant = getattr(request, "tenant", None)
    return getattr(tenant, "kind", None) or "none"


def request_observe(request, response, seconds: float) -> None:
    REQUEST_LATENCY.labels(
        route=route_of(request),
        tenant_kind=tenant_kind_of(request),
        method=request.method,
        status=f"{response.status_code // 100}xx",
    ).observe(seconds)


class QueueLengthCollector:
    """The number of messages waiting in each Celery queue, read from Redis at scrape time."""

    def collect(self):
        import redis

        length = GaugeMetricFamily(
            "parkhub_celery_queue_length", "Messages waiting in the Celery queue.", labels=["queue"]
        )
        up = GaugeMetricFamily(
            "parkhub_celery_broker_up", "1 if the broker answered the scrape's queue query."
        )
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        try:
            client = redis.Redis.from_url(
                settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
            )
            try:
                keys = [queue] + [f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in range(1, 10)]
                pipe = client.pipeline()
                for key in keys:
                    pipe.llen(key)
                length.add_metric([queue], sum(pipe.execute()))
            finally:
                client.close()
            up.add_metric([], 1)
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        yield length
        yield up


_queue_collector = QueueLengthCollector()
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    REGISTRY.register(_queue_collector)


def scrape() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_queue_collector)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def token_valid(authorization: str) -> bool:
    """`Bearer <METRICS_TOKEN>`, compared in constant time; never valid while the token is unset."""
    token = settings.METRICS_TOKEN
    scheme, _space, sent = authorization.partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(sent.strip().encode(), token.encode())
    )


# ---------------------------------------------------------------------------
# Celery: counted where tasks run (the worker's processes), through Celery's signals.
# ---------------------------------------------------------------------------

_task_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_prerun(task_id=None, task=None, **kwargs):
    _task_started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    if started is not None:
        TASK_DURATION.labels(task=name).observe(time.monotonic() - started)
    TASKS.labels(task=name, state=state or "UNKNOWN").inc()


@signals.worker_process_shutdown.connect
def _worker_process_gone(pid=None, **kwargs):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


def worker_metrics_serve(port: int):
    """/metrics of a Celery worker on its own port (PARKHUB_WORKER_METRICS_PORT), same token rule.

    The worker has no web server; its pool processes write their samples to
    PROMETHEUS_MULTIPROC_DIR and this thread of the main process reads them all.
    """
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/metrics" and token_valid(environ.get("HTTP_AUTHORIZATION", "")):
            body = scrape()
            start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    server = make_server("0.0.0.0", port, application, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    return server
