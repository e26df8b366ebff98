"""The benchmarks are safe on a shared server: they never drop a database or use a Redis database that is not theirs."""

import sys
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import _common  # noqa: E402  (bench/ is a directory of scripts, not a package)


def _server_url() -> str:
    database = settings.DATABASES["default"]
    return f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/x"


def test_a_benchmark_database_name_is_unique_per_run():
    first, second = _common.bench_database_name("pages"), _common.bench_database_name("pages")
    assert first.startswith("parkhub_bench_pages_") and second.startswith("parkhub_bench_pages_")
    assert first != second


@pytest.mark.django_db
def test_an_existing_database_is_refused_never_dropped():
    """A colleague's database of the same name keeps its rows."""
    name = _common.bench_database_name("safety")
    url = _common.bench_database_url(_server_url(), name)
    _common.database_create(url)
    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute("CREATE TABLE someone_elses (id int)")
            conn.execute("INSERT INTO someone_elses VALUES (1)")
        with pytest.raises(SystemExit, match="not this run's"):
            _common.database_create(url)
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
            assert conn.execute("SELECT count(*) FROM someone_elses").fetchone()[0] == 1
    finally:
        _common.database_drop(url)


def test_the_redis_database_chosen_was_empty(monkeypatch):
    monkeypatch.delenv("BENCH_REDIS_URL", raising=False)
    chosen = _common.bench_redis_url()
    assert redis.Redis.from_url(chosen).dbsize() == 0


def test_the_tidier_deletes_only_the_keys_the_run_made():
    url = _common.bench_redis_url()
    client = redis.Redis.from_url(url)
    client.set("parkhub-test:someone-elses", "1")
    try:
        tidy = _common.redis_tidier(url)
        client.set("parkhub-test:made-by-the-run", "1")
        tidy()
        assert client.get("parkhub-test:someone-elses") == b"1"
        assert client.get("parkhub-test:made-by-the-run") is None
    finally:
        client.delete("parkhub-test:someone-elses", "parkhub-test:made-by-the-run")
