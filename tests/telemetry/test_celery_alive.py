"""`manage.py celery_alive`: the exec probe of the worker and beat containers.

Real processes on a private redis-server (so no worker of another test run answers): the
worker probe fails with no worker, passes once one runs, fails again when it is gone; the
beat probe fails before beat ever ticked, passes while it runs, fails once its heartbeat is
older than --max-age.
"""

import subprocess
import sys
import time

import pytest

from ..conftest import ROOT, process_env, wait_until
from ..faults.conftest import PrivateRedis, process_stop
from ..support.celery_worker import celery_worker_start

pytestmark = pytest.mark.slow


@pytest.fixture
def broker(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    if redis.proc and redis.proc.poll() is None:
        redis.stop()


def alive(env: dict, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "celery_alive", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_worker_probe_fails_without_a_worker_and_passes_with_one(committed_db, broker, tmp_path):
    env = process_env(
        REDIS_URL=broker.url, CELERY_BROKER_URL=broker.url, CELERY_TASK_DEFAULT_QUEUE="parkhub-test-ops-alive"
    )
    nobody = alive(env, "--role", "worker", "--timeout", "1")
    assert nobody.returncode == 1
    assert "no Celery worker" in nobody.stderr

    log = tmp_path / "worker.log"
    worker = celery_worker_start(env=env, queue="parkhub-test-ops-alive", log=log, heartbeat=True)
    try:
        answered = alive(env, "--role", "worker", "--timeout", "5")
        assert answered.returncode == 0, answered.stderr
        assert "alive: celery@" in answered.stdout
    finally:
        process_stop(worker)
    gone = alive(env, "--role", "worker", "--timeout", "1")
    assert gone.returncode == 1


def test_worker_probe_fails_when_the_broker_is_down(committed_db, broker):
    env = process_env(REDIS_URL=broker.url, CELERY_BROKER_URL=broker.url)
    broker.stop()
    down = alive(env, "--role", "worker", "--timeout", "1")
    assert down.returncode == 1


def test_beat_probe_follows_beats_heartbeat(committed_db, broker, tmp_path):
    heartbeat = tmp_path / "beat.heartbeat"
    env = process_env(
        REDIS_URL=broker.url,
        CELERY_BROKER_URL=broker.url,
        CELERY_TASK_DEFAULT_QUEUE="parkhub-test-ops-alive",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
        CELERY_BEAT_HEARTBEAT_FILENAME=str(heartbeat),
    )
    never = alive(env, "--role", "beat")
    assert never.returncode == 1 and "no heartbeat" in never.stderr

    log = tmp_path / "beat.log"
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "saas", "beat", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: heartbeat.exists() or beat.poll() is not None, timeout=60, message="beat's first tick"
        )
        assert beat.poll() is None, log.read_text()[-3000:]
        ticking = alive(env, "--role", "beat", "--max-age", "60")
        assert ticking.returncode == 0, ticking.stderr
    finally:
        process_stop(beat)
    time.sleep(2.5)
    stale = alive(env, "--role", "beat", "--max-age", "2")
    assert stale.returncode == 1 and "old" in stale.stderr
