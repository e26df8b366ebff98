"""Several processes, one set of metrics: gunicorn's workers and the Celery pool under
PROMETHEUS_MULTIPROC_DIR, as deploy/ runs them.

Without multiprocess mode a scrape would see only the worker process that answered it.
"""

import http.client
import secrets
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ..conftest import ROOT, free_port, process_env, wait_until
from ..faults.conftest import PrivateRedis, process_stop
from ..support.celery_worker import celery_worker_start

pytestmark = pytest.mark.slow
TOKEN = secrets.token_urlsafe(24)


def get(port: int, path: str, host: str, **headers) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def value(text: str, name: str, **labels) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and sample.labels.items() >= labels.items()
    )


def test_a_scrape_of_any_gunicorn_worker_counts_every_workers_requests(committed_db, tmp_path):
    port, log = free_port(), tmp_path / "web.log"
    env = process_env(METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"))
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "saas.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "3",
            "--config",
            "deploy/gunicorn.conf.py",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: _answers(port) or web.poll() is not None, timeout=60, message="gunicorn")
        assert web.poll() is None, log.read_text()[-3000:]
        for _ in range(30):  # a new connection each: spread over the three workers
            assert get(port, "/accounts/login/", "alpha.localhost")[0] == 200
        scrapes = [get(port, "/metrics", "10.0.0.1", Authorization=f"Bearer {TOKEN}") for _ in range(6)]
        assert all(status == 200 for status, _text in scrapes)
        counted = {
            value(text, "parkhub_http_request_duration_seconds_count", route="accounts:login")
            for _s, text in scrapes
        }
        assert counted == {30.0}
    finally:
        process_stop(web)


def _answers(port: int) -> bool:
    try:
        return get(port, "/healthz", "127.0.0.1")[0] == 200
    except OSError:
        return False


def test_a_workers_metrics_port_counts_the_tasks_of_its_pool(committed_db, tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    metrics_port, queue = free_port(), "parkhub-test-ops-metrics"
    env = process_env(
        REDIS_URL=redis.url,
        CELERY_BROKER_URL=redis.url,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        METRICS_TOKEN=TOKEN,
        PARKHUB_WORKER_METRICS_PORT=str(metrics_port),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    log = tmp_path / "worker.log"
    worker = celery_worker_start(env=env, queue=queue, log=log, pool="prefork", concurrency=2, heartbeat=True)
    try:
        assert get(metrics_port, "/metrics", "x")[0] == 404
        from celery import Celery

        sender = Celery(broker=redis.url)
        for number in range(6):
            sender.send_task("celery.accumulate", args=(number,), queue=queue)

        def succeeded():
            status, text = get(metrics_port, "/metrics", "x", Authorization=f"Bearer {TOKEN}")
            assert status == 200
            return value(text, "parkhub_celery_tasks_total", task="celery.accumulate", state="SUCCESS") == 6

        wait_until(succeeded, timeout=30, message="six tasks counted")
        _status, text = get(metrics_port, "/metrics", "x", Authorization=f"Bearer {TOKEN}")
        assert value(text, "parkhub_celery_task_duration_seconds_count", task="celery.accumulate") == 6
        assert value(text, "parkhub_celery_queue_length", queue=queue) == 0
    finally:
        process_stop(worker)
        redis.stop()
