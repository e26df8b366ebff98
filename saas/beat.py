"""Celery beat that says it is alive: a heartbeat file touched on every tick of its loop.

Beat has no port to probe and no task to answer a ping. Its scheduler's tick runs at least
every beat_max_interval (CELERY_BEAT_MAX_INTERVAL, 30 s) even when nothing is due, so a
file rewritten there shows the loop is turning; `manage.py celery_alive --role beat` fails
when the file is older than its --max-age. A file, not a Redis key: beat's liveness must
not fail (and restart beat) because Redis is away, which readiness reports elsewhere.
"""

import os
import time
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings


def heartbeat_path() -> Path:
    return Path(settings.CELERY_BEAT_HEARTBEAT_FILENAME)


def heartbeat_write() -> None:
    path = heartbeat_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f"{path.name}.{os.getpid()}")
    scratch.write_text(f"{time.time():.3f}\n")
    os.replace(scratch, path)


def heartbeat_age() -> float | None:
    """Seconds since beat last ticked, or None if it never did."""
    try:
        return time.time() - float(heartbeat_path().read_text().strip())
    except (OSError, ValueError):
        return None


class HeartbeatScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        heartbeat_write()
        return interval
