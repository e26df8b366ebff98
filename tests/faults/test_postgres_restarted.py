"""Fault: PostgreSQL restarted under load. Requests fail cleanly, the app recovers, no acknowledged write is lost.

A private cluster (initdb in a temporary folder, a free port) gets a copy of this run's test
database, the hub and park A only (pg_dump of two schemas: seconds, where migrating a fresh
database would take minutes). gunicorn runs the production settings against it, keeping
connections between requests (CONN_MAX_AGE, with health checks) as production does. Threads
file demands through the API while the cluster is restarted (`pg_ctl restart -m fast`). Every
answer must come back within the client's timeout; one that is not a 201 must be our own
error page (503 "try again" when the database cannot be reached), never a traceback; demands must be filed again soon after the restart; and every
demand the API acknowledged must be in the database afterwards.
"""

import json
import secrets
import subprocess
import threading
import time
import uuid
from collections import Counter

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts.services import api_token_create

from ..conftest import ALPHA, host_of
from ..enterprises.conftest import register
from .conftest import Browser, PrivateCluster, gunicorn_start, process_stop

pytestmark = pytest.mark.slow
WRITERS = 6
CLIENT_TIMEOUT = 20  # seconds; an answer later than this is a hang
OUR_ERROR_PAGES = {503: "服务暂时不可用", 500: "服务器出错了"}  # templates/503.html, 500.html


def database_copy(cluster: PrivateCluster, name: str):
    """This run's test database, schemas public and alpha only, into `name` on the private cluster."""
    source = connection.settings_dict
    source_url = f"postgres://{source['USER'] or 'postgres'}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{source['NAME']}"
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(source_url) as source_db:
        extensions = [
            row[0] for row in source_db.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
        ]
    # pg_dump -n leaves extensions out; the schema needs none today, and says so if it ever does.
    assert extensions == [], f"create these extensions in the copy too: {extensions}"
    with psycopg.connect(cluster.url(name), autocommit=True) as target:
        target.execute("DROP SCHEMA public CASCADE")  # the dump creates it
    dump = subprocess.Popen(
        ["pg_dump", "--no-owner", "--no-privileges", "-n", "public", "-n", ALPHA, source_url],
        stdout=subprocess.PIPE,
    )
    restore = subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", cluster.url(name)],
        stdin=dump.stdout,
        capture_output=True,
        text=True,
        timeout=120,
    )
    dump.stdout.close()
    assert restore.returncode == 0, restore.stderr[-2000:]
    assert dump.wait(timeout=120) == 0


class Writer(threading.Thread):
    """Files demands one after another until told to stop; keeps every answer."""

    def __init__(self, port: int, token: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.token, self.stop = port, token, stop
        self.answers: list[dict] = []

    def run(self):
        browser = Browser(self.port, host_of(ALPHA), timeout=CLIENT_TIMEOUT)
        while not self.stop.is_set():
            title = f"故障演练诉求 {uuid.uuid4().hex[:12]}"
            body = json.dumps({"category": "other", "title": title, "description": "数据库重启期间提交"})
            started = time.monotonic()
            answer = {"title": title, "sent_at": started}
            try:
                status, text, _headers = browser.request(
                    "POST",
                    "/api/demands/",
                    body=body,
                    headers={
                        "Authorization": f"Token {self.token}",
                        "Content-Type": "application/json",
                        "X-Forwarded-Proto": "https",
                    },
                )
                answer.update(status=status, text=text[:2000])
            except OSError as error:  # a timeout or a dropped connection: not a clean failure
                answer.update(status=None, text=repr(error))
            answer["seconds"] = time.monotonic() - started
            self.answers.append(answer)


def test_postgres_restarted_under_load_fails_cleanly_recovers_and_loses_no_acknowledged_write(
    committed_db, tmp_path
):
    registration = register(ALPHA, name="青岛重启演练有限公司")
    with schema_context(ALPHA):
        _token, token = api_token_create(user=registration.user, name="restart drill")
    cluster = PrivateCluster()
    web = None
    try:
        copy_started = time.monotonic()
        cluster.create()
        database_copy(cluster, "parkhub_fault")
        copy_seconds = time.monotonic() - copy_started

        web, port = gunicorn_start(
            log=tmp_path / "web.log",
            workers=2,
            timeout=CLIENT_TIMEOUT,
            DJANGO_SETTINGS_MODULE="tests.production_like_settings",
            DATABASE_URL=cluster.url("parkhub_fault"),
            SECRET_KEY=secrets.token_urlsafe(50),
            CONN_MAX_AGE="60",
            EMAIL_URL="consolemail://",
            MEDIA_ROOT=str(tmp_path / "media"),
            PARKHUB_BASE_DOMAIN="localhost",
        )
        stop = threading.Event()
        writers = [Writer(port, token, stop) for _ in range(WRITERS)]
        for writer in writers:
            writer.start()
        time.sleep(3)
        restart_started = time.monotonic()
        cluster.pg_ctl("restart", "-m", "fast")
        restart_ended = time.monotonic()
        time.sleep(6)
        stop.set()
        for writer in writers:
            writer.join(timeout=CLIENT_TIMEOUT + 5)
        assert not any(writer.is_alive() for writer in writers), "a writer hung"

        answers = sorted((a for w in writers for a in w.answers), key=lambda a: a["sent_at"])
        acknowledged = [a for a in answers if a["status"] == 201]
        refused = [a for a in answers if a["status"] != 201]
        unclean = [
            a
            for a in refused
            if a["status"] not in OUR_ERROR_PAGES
            or "Traceback" in a["text"]
            or OUR_ERROR_PAGES[a["status"]] not in a["text"]
        ]
        statuses = Counter(a["status"] for a in refused)
        after_restart = [a for a in acknowledged if a["sent_at"] >= restart_ended]
        # Recovered when the failures stop: the last refused answer, counted from pg_ctl's return.
        last_failure = max((a["sent_at"] + a["seconds"] for a in refused), default=restart_ended)
        recovered_after = max(0.0, last_failure - restart_ended)
        with psycopg.connect(cluster.url("parkhub_fault")) as database:
            stored = {
                row[0]
                for row in database.execute(
                    f'SELECT title FROM "{ALPHA}".demands_demand WHERE title LIKE %s', ["故障演练诉求 %"]
                )
            }
        lost = [a["title"] for a in acknowledged if a["title"] not in stored]
        print(
            f"\nPostgreSQL restarted under load: copy {copy_seconds:.1f} s, restart {restart_ended - restart_started:.1f} s, "
            f"{len(answers)} requests, {len(acknowledged)} acknowledged, {len(refused)} failed "
            f"({dict(statuses)}, {len(unclean)} unclean), slowest {max(a['seconds'] for a in answers):.1f} s, "
            f"failures stopped {recovered_after:.1f} s after the restart returned, "
            f"{len(lost)} acknowledged writes lost"
        )

        assert unclean == [], [(a["status"], a["text"][:300]) for a in unclean[:3]]
        assert max(a["seconds"] for a in answers) < CLIENT_TIMEOUT
        assert after_restart, "no demand was filed after the restart"
        assert recovered_after < 5
        assert all(a["status"] == 201 for a in answers if a["sent_at"] > last_failure)
        assert lost == []
        assert len(acknowledged) > WRITERS
        assert statuses[503] > 0  # the restart was felt, and said so
    finally:
        if web is not None:
            process_stop(web)
        cluster.destroy()
