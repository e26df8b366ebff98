"""One way to run a real `celery worker` process in a test, and to point tasks at its queue.

Every test that needs a worker (the session's file-mail worker, the SMTP worker, the fault
tests that kill one, the liveness probes) starts it here, so a change of the command line or
of what "ready" means is made once. The caller builds the environment (tests.conftest's
process_env), since only it knows which database and broker the child must use.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def celery_worker_start(
    *,
    env: dict,
    queue: str,
    log: Path,
    pool: str = "solo",
    concurrency: int | None = None,
    heartbeat: bool = False,
    include: tuple[str, ...] = (),
    ready_timeout: float = 60,
) -> subprocess.Popen:
    """Start a worker consuming `queue` and wait until it logs "ready."; its output is appended to `log`.

    `heartbeat=False` (the default) leaves out the broker heartbeat: the tests that do not
    probe liveness have no use for it, and it only adds traffic to the shared Redis.
    `include` names modules the worker imports at start (a test's own handoff receivers).
    """
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "saas",
        "worker",
        f"--pool={pool}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        queue,
    ]
    if concurrency is not None:
        command.append(f"--concurrency={concurrency}")
    if not heartbeat:
        command.append("--without-heartbeat")
    if include:
        command.append(f"--include={','.join(include)}")
    start = log.stat().st_size if log.exists() else 0
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(log, "a"), stderr=subprocess.STDOUT)
    proc.log_path = log
    deadline = time.monotonic() + ready_timeout
    while "ready." not in log.read_text(errors="replace")[start:]:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the Celery worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    return proc


def celery_worker_kill(proc: subprocess.Popen) -> None:
    """SIGKILL, as the OOM killer or a lost machine would: no warm shutdown, no acknowledgement."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def celery_worker_stop(proc: subprocess.Popen, *, timeout: float = 20) -> None:
    """A warm shutdown (SIGTERM), killed if it does not end in time; a process already gone is fine."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def tasks_on_queue(queue: str, *tasks):
    """While inside, `tasks` queued by this process go to `queue` (a retry keeps its queue).

    A worker of the session consumes the default test queue; a test that kills its own
    worker points the tasks it starts at a queue only that worker reads.
    """
    saved = [(getattr(task, "queue", None), task._exec_options) for task in tasks]
    for task in tasks:
        task.queue = queue
        task._exec_options = None
    try:
        yield
    finally:
        for task, (value, exec_options) in zip(tasks, saved, strict=True):
            task.queue = value
            task._exec_options = exec_options
