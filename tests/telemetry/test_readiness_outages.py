"""Readiness fails, naming the check, when Redis is stopped or the database cannot be reached;
liveness stays up meanwhile (a restart would not bring either back).

gunicorn runs the app on a private redis-server, which is stopped and started again; the
shared Redis on 6379 is never touched. The database outage is a DATABASE_URL pointing at a
port where nothing listens.
"""

import http.client
import json

import pytest

from ..conftest import free_port
from ..faults.conftest import PrivateRedis, gunicorn_start, process_stop

pytestmark = pytest.mark.slow


def get(port: int, path: str, host: str = "10.20.30.40") -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def failed(body: dict) -> set[str]:
    return {name for name, check in body["checks"].items() if not check["ok"]}


def test_readiness_fails_while_redis_is_stopped_and_recovers(committed_db, tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    web, port = gunicorn_start(
        log=tmp_path / "web.log", workers=1, REDIS_URL=redis.url, CELERY_BROKER_URL=redis.url
    )
    try:
        status, body = get(port, "/readyz")
        assert (status, failed(body)) == (200, set()), body

        redis.stop()
        status, body = get(port, "/readyz")
        assert status == 503
        assert body["status"] == "unavailable"
        assert failed(body) == {"redis", "broker"}
        assert all(body["checks"][name]["ms"] < 5000 for name in body["checks"])
        assert get(port, "/healthz") == (200, {"status": "ok"})

        redis.start()
        status, body = get(port, "/readyz")
        assert (status, failed(body)) == (200, set()), body
    finally:
        process_stop(web)
        if redis.proc and redis.proc.poll() is None:
            redis.stop()


def test_readiness_fails_when_the_database_is_unreachable(committed_db, tmp_path):
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/parkhub"
    web, port = gunicorn_start(log=tmp_path / "web.log", workers=1, DATABASE_URL=nowhere)
    try:
        status, body = get(port, "/readyz")
        assert status == 503
        assert failed(body) == {"database"}
        assert "5432" not in json.dumps(body) and "postgres" not in json.dumps(body)
        assert get(port, "/healthz") == (200, {"status": "ok"})
    finally:
        process_stop(web)
