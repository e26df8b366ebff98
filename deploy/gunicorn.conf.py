"""gunicorn settings of the image (`--config deploy/gunicorn.conf.py`).

No access log of gunicorn's own: saas.telemetry writes one JSON line per request, with its
id, route, status, duration, tenant and user. With PROMETHEUS_MULTIPROC_DIR set, every
worker process writes its metrics there: the folder is emptied when gunicorn starts (the
files of an earlier run would count twice) and a worker's files are marked dead when it
exits, so its gauges stop counting while its counters stay summed.
"""

import os
from pathlib import Path

accesslog = None


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
