"""Liveness and readiness: what an orchestrator asks before it sends traffic or restarts a pod.

`/healthz` (liveness) says only that the process answers: it touches no dependency, so a
database or Redis outage never makes Kubernetes restart every web pod at once (the pages
keep answering what they can, tests/faults/). `/readyz` (readiness) checks what a request
needs — PostgreSQL, Redis (cache and sessions), the Celery broker, a writable media
folder — and answers 503 naming the failed check, so the pod is taken out of the Service
until it recovers. Each check is bounded by a timeout of about two seconds.

Both are answered by saas.telemetry.TelemetryMiddleware before the tenant middleware, on
any Host (the kubelet probes by pod IP), over plain HTTP, and never redirected.
"""

import logging
import os
import tempfile
import time
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 2  # seconds, per check


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    import redis

    client = redis.Redis.from_url(
        settings.CACHES["default"]["LOCATION"],
        socket_connect_timeout=CHECK_TIMEOUT,
        socket_timeout=CHECK_TIMEOUT,
    )
    try:
        client.ping()
    finally:
        client.close()


def check_broker() -> None:
    from kombu import Connection

    from saas.celery import app

    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_timeout": CHECK_TIMEOUT,
        "socket_connect_timeout": CHECK_TIMEOUT,
    }
    with Connection(app.conf.broker_url, connect_timeout=CHECK_TIMEOUT, transport_options=options) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=CHECK_TIMEOUT)


def check_storage() -> None:
    """Uploads land under MEDIA_ROOT/<schema>/ (the folder must take a file) or in the bucket (it must answer)."""
    if settings.PARKHUB_MEDIA_BACKEND == "s3":
        default_storage.connection.meta.client.head_bucket(Bucket=default_storage.bucket_name)
        return
    root = str(settings.MEDIA_ROOT)
    os.makedirs(root, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-") as probe:
        probe.write(b"ok")
        probe.flush()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "storage": check_storage,
}


def readiness() -> tuple[bool, dict]:
    """Runs every check; returns (all passed, {name: {"ok", "ms", "error"?}})."""
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            # The body names the check and the kind of error only: the message (host names,
            # ports) goes to the log, since the probe needs no credentials.
            logger.warning("readiness check %s failed: %s", name, error)
            results[name] = {"ok": False, "ms": _ms(started), "error": type(error).__name__}
        else:
            results[name] = {"ok": True, "ms": _ms(started)}
    return all(result["ok"] for result in results.values()), results


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
