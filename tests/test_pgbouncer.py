"""ParkHub through a real PgBouncer in session mode: tenants stay apart, and an unsafe pooler is refused.

Session pooling is the supported mode (docs/operations.md, "Connections"). The pool here
has 3 server connections for many client connections, so each server connection serves
requests of both tenants in turn: a `search_path` left behind would show another tenant's rows.
"""

import json
import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.services import api_token_create
from tenant_schema.enterprises.models import Enterprise

from .conftest import ALPHA, BETA, free_port, host_of, make_user, process_env, wait_until
from .factories import EnterpriseFactory
from .support.pgbouncer import pgbouncer_start

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bouncer(django_db_setup):
    database = connection.settings_dict
    running = pgbouncer_start(
        server_host=database["HOST"] or "127.0.0.1",
        server_port=int(database["PORT"] or 5432),
        user=database["USER"] or "postgres",
        pool_size=3,
    )
    yield running
    running.stop()


def _web_server_through(bouncer_port: int, tmp_path):
    database = connection.settings_dict
    port = free_port()
    env = process_env(
        DATABASE_URL=f"postgres://{database['USER'] or 'postgres'}@127.0.0.1:{bouncer_port}/{database['NAME']}",
        PARKHUB_DATABASE_POOLER="pgbouncer-session",
    )
    log = tmp_path / "web.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "saas.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "3",
         "--threads", "1"],
        cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
    )  # fmt: skip

    def answers():
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"Host": host_of(ALPHA)}
            )
            urllib.request.urlopen(request, timeout=2)
            return True
        except urllib.error.HTTPError:
            return True
        except Exception:
            return process.poll() is not None

    wait_until(answers, timeout=60, message="gunicorn through pgbouncer")
    if process.poll() is not None:
        raise RuntimeError(log.read_text()[-3000:])
    return process, port


@pytest.fixture
def two_tenants_with_tokens(committed_db):
    """A distinctly named enterprise and a park administrator's API token in each of the two tenants."""
    made = {}
    for slug, name in ((ALPHA, "甲园区独有企业有限公司"), (BETA, "乙园区独有企业有限公司")):
        with schema_context(slug):
            registration = EnterpriseFactory(name=name)
            admin = make_user(slug, role=roles.PARK_ADMIN)
            _token, secret = api_token_create(user=admin, name="pgbouncer test")
            made[slug] = (name, secret, registration.enterprise.pk, admin.pk)
    yield made
    for slug, (_name, _secret, enterprise_id, _admin_id) in made.items():
        with schema_context(slug):
            Enterprise.objects.filter(pk=enterprise_id).delete()


def test_tenants_stay_apart_when_server_connections_are_shared(bouncer, two_tenants_with_tokens, tmp_path):
    process, port = _web_server_through(bouncer.port, tmp_path)
    own_name = {slug: made[0] for slug, made in two_tenants_with_tokens.items()}
    failures, answered = [], []

    def client(slug: str, rounds: int):
        _name, secret, _enterprise, _admin = two_tenants_with_tokens[slug]
        for _ in range(rounds):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/enterprises/?page_size=100",
                headers={"Host": host_of(slug), "Authorization": f"Bearer {secret}"},
            )
            body = json.loads(urllib.request.urlopen(request, timeout=30).read())
            names = {row["name"] for row in body["results"]}
            other = own_name[BETA if slug == ALPHA else ALPHA]
            if own_name[slug] not in names or other in names:
                failures.append((slug, sorted(names)[:5]))
            answered.append(slug)

    try:
        threads = [threading.Thread(target=client, args=(slug, 25)) for slug in (ALPHA, BETA) * 3]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert len(answered) == 150
    assert failures == []
    # The three server connections served every request: pooling really happened.
    with psycopg.connect(
        host="127.0.0.1", port=bouncer.port, dbname="pgbouncer", user=connection.settings_dict["USER"] or "postgres",
        autocommit=True,
    ) as admin:  # fmt: skip
        servers = admin.execute("SHOW SERVERS").fetchall()
    assert 0 < len(servers) <= 3


def test_the_isolation_tests_pass_through_pgbouncer(tmp_path):
    """tests/isolation's tenant-isolation and media tests, in a session that reaches PostgreSQL through PgBouncer."""
    database = connection.settings_dict
    report = tmp_path / "pgbouncer-report.txt"
    base_name = database["NAME"].removeprefix("test_")
    env = process_env(
        PARKHUB_TEST_VIA_PGBOUNCER="1",
        PARKHUB_TEST_PGBOUNCER_REPORT=str(report),
        DATABASE_URL=f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{base_name}_pgb",
        CELERY_TASK_DEFAULT_QUEUE=f"{os.environ.get('CELERY_TASK_DEFAULT_QUEUE', 'parkhub-test')}-pgb",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/isolation/test_isolation.py", "tests/isolation/test_media_traversal.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert report.read_text().startswith("database through pgbouncer on 127.0.0.1:")
    assert " passed" in output and " failed" not in output


@pytest.mark.parametrize("pooler", ["pgbouncer-transaction", "pgpool"])
def test_an_unsafe_or_unknown_pooler_is_refused_at_start_up(pooler):
    env = process_env(PARKHUB_DATABASE_POOLER=pooler)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "PARKHUB_DATABASE_POOLER" in result.stderr
    if pooler == "pgbouncer-transaction":
        assert "search_path" in result.stderr
