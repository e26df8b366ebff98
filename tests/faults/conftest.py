"""Real processes for the fault tests: a private Redis, gunicorn on chosen servers, a park with data, a browser.

The shared Redis and PostgreSQL are never stopped: each fault test starts its own server on a
free port and points the app under test at it.
"""

import datetime as dt
import http.client
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_drop, tenant_provision
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

from ..conftest import PASSWORD, ROOT, free_port, make_user, process_env, wait_until
from ..enterprises.conftest import register
from ..support.celery_worker import celery_worker_kill, celery_worker_start, celery_worker_stop

# ---------------------------------------------------------------------------
# A browser: cookies, CSRF tokens, one connection per request, nothing hidden.
# ---------------------------------------------------------------------------


class Browser:
    def __init__(self, port: int, host: str, *, timeout: float = 30):
        self.port, self.host, self.timeout, self.cookies = port, host, timeout, {}

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        body: str | None = None,
        headers: dict | None = None,
    ) -> tuple[int, str, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": self.host, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _eq, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if cookie_value in ('""', ""):
                        self.cookies.pop(cookie_name, None)
                    else:
                        self.cookies[cookie_name] = cookie_value
            return response.status, text, dict(response.getheaders())
        finally:
            connection.close()

    def get(self, path: str) -> int:
        return self.request("GET", path)[0]

    def csrf_token(self, path: str) -> str:
        status, page, _headers = self.request("GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if found:
            return found.group(1)
        return self.cookies.get("csrftoken", "")

    def post(
        self, path: str, fields: dict | None = None, *, token_from: str | None = None
    ) -> tuple[int, str, dict]:
        token = self.csrf_token(token_from or path)
        return self.request("POST", path, form={"csrfmiddlewaretoken": token, **(fields or {})})

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        return self.post("/accounts/login/", {"username": email, "password": password})[0]

    @property
    def session(self) -> str | None:
        return self.cookies.get("sessionid")


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------


class PrivateRedis:
    """redis-server on a free port, its append-only file in a temporary folder, so that a
    stop and a start bring back what it held, as a Redis restarted from its snapshot does."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.proc = folder, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=open(self.folder / "redis.log", "a"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self.answers, timeout=20, message="the private redis-server")

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)


def gunicorn_start(
    *, log: Path, workers: int = 2, timeout: int = 30, **environment
) -> tuple[subprocess.Popen, int]:
    """The app under gunicorn (test settings) on a free port, with `environment` over process_env()."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "saas.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=process_env(**environment),
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )

    def up():
        if proc.poll() is not None:
            return True
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/accounts/login/", headers={"Host": "nowhere.localhost"})
            connection.getresponse().read()
            return True
        except OSError:
            return False

    wait_until(up, timeout=60, message="gunicorn")
    if proc.poll() is not None:
        raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
    return proc, port


def process_stop(proc: subprocess.Popen):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


# ---------------------------------------------------------------------------
# A park of its own, with an award on public notice, dropped afterwards.
# ---------------------------------------------------------------------------


@dataclass
class Park:
    slug: str
    host: str
    admin_email: str
    owner_email: str
    programme_id: int
    open_programme_id: int
    application_id: int


def make_programme(title: str):
    now = timezone.now()
    programme = programme_create(
        actor=None,
        guide=demo_guide(),
        title=title,
        category="award",
        budget=Decimal("1000000.00"),
        per_enterprise_cap=Decimal("200000.00"),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        required_documents=[],
    )
    return programme_open(programme=programme)


def park_with_an_award_on_notice(slug: str) -> Park:
    from tenant_schema.enterprises.services import enterprise_verify

    provisioned = tenant_provision(
        name=f"故障演练园区 {slug}", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"admin@{slug}.test"
    )
    host = provisioned.tenant.domains.get().domain
    admin = make_user(slug, role=roles.PARK_ADMIN)
    reviewer = make_user(slug, role=roles.REVIEWER)
    registration = register(slug, name="青岛故障演练有限公司")
    with schema_context(slug):
        enterprise_verify(enterprise=registration.enterprise, actor=admin)
        registration.enterprise.refresh_from_db()
        programme = make_programme("2026年度专精特新企业奖励")
        second = make_programme("2026年度数字化转型补助")
        application = application_create(
            programme_id=programme.pk,
            enterprise=registration.enterprise,
            applicant=registration.user,
            requested_amount="100000.00",
        )
        for action, actor, extra in [
            ("submit", registration.user, {}),
            ("advance", reviewer, {}),
            ("advance", reviewer, {}),
            ("approve", admin, {"amount": "80000.00"}),
        ]:
            application_transition(application_id=application.pk, action=action, actor=actor, **extra)
    return Park(
        slug=slug,
        host=host,
        admin_email=admin.email,
        owner_email=registration.user.email,
        programme_id=programme.pk,
        open_programme_id=second.pk,
        application_id=application.pk,
    )


@pytest.fixture
def fault_park(committed_db):
    slug = f"fault{secrets.token_hex(3)}"
    park = park_with_an_award_on_notice(slug)
    yield park
    from django.db import connection

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(schema_name=slug):
        tenant_drop(tenant=tenant)


def elapsed_since(start: float) -> float:
    return round(time.monotonic() - start, 1)


# ---------------------------------------------------------------------------
# A private PostgreSQL cluster (never the shared one), run as the postgres user.
# ---------------------------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivateCluster:
    """initdb in a temporary folder owned by postgres, on a free port; pg_ctl to start and restart."""

    def __init__(self):
        import os
        import pwd
        import tempfile

        # Not under pytest's tmp_path: its parents are root's alone, and postgres must reach it.
        folder = Path(tempfile.mkdtemp(prefix="parkhub-fault-pg-"))
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        postgres = pwd.getpwnam("postgres")
        os.chown(folder, postgres.pw_uid, postgres.pw_gid)

    def _as_postgres(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )

    def create(self):
        self._as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.pg_ctl("start")

    def pg_ctl(self, action: str, *options: str) -> subprocess.CompletedProcess:
        return self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            action,
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c max_connections=50",
            *options,
        )

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self):
        import shutil

        try:
            self._as_postgres(str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


# ---------------------------------------------------------------------------
# A worker of the test's own, on a queue of its own, that the test may kill -9.
# ---------------------------------------------------------------------------

VISIBILITY_SECONDS = 2  # how long the broker waits before it hands a dead worker's message out again


class KillableWorkers:
    """Celery workers on `queue`, started one after another; every one is stopped at the end.

    Each consumes only `queue` (the session's worker never takes these messages) and writes
    its mail as files to `mail_dir`, so the test can count what was sent.
    """

    def __init__(self, *, queue: str, folder: Path, **environment):
        self.queue, self.log, self.mail_dir = queue, folder / "worker.log", folder / "mail"
        self.include: tuple[str, ...] = ()  # modules every worker started from now on imports
        self.mail_dir.mkdir(exist_ok=True)
        self.environment = environment
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        env = process_env(
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
            EMAIL_FILE_PATH=str(self.mail_dir),
            **self.environment,
        )
        env.pop("EMAIL_URL", None)
        proc = celery_worker_start(env=env, queue=self.queue, log=self.log, include=self.include)
        self.procs.append(proc)
        return proc

    def kill(self) -> None:
        celery_worker_kill(self.procs[-1])

    def start_after_visibility_timeout(self) -> subprocess.Popen:
        """A new worker, once the dead one's unacknowledged message is due to be handed out again.

        kombu's Redis transport gives back, when a worker starts polling, the unacknowledged
        messages reserved longer ago than the visibility timeout (then only every ~100 s): the
        new worker must start after that moment, which the broker's index of reservations says.
        """
        import redis
        from django.conf import settings

        reserved = redis.Redis.from_url(settings.REDIS_URL).zrange("unacked_index", -1, -1, withscores=True)
        due = (reserved[0][1] if reserved else time.time()) + VISIBILITY_SECONDS + 0.3
        time.sleep(max(0.0, due - time.time()))
        return self.start()

    def stop_all(self) -> None:
        for proc in self.procs:
            celery_worker_stop(proc)

    def mails(self) -> list[tuple[str, str]]:
        """(recipient, subject) of every message the workers sent (the file backend appends a
        line of 79 dashes after each message of a connection)."""
        import email
        from email.header import decode_header, make_header

        sent = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for raw in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                if not raw.strip():
                    continue
                message = email.message_from_string(raw.lstrip())
                subject = str(make_header(decode_header(message.get("Subject", ""))))
                for recipient in (message.get("To") or "").split(","):
                    sent.append((recipient.strip(), subject))
        return sent

    def mails_to(self, address: str, *, about: tuple[str, ...] = ("",)) -> int:
        """How many messages went to `address` whose subject contains any of `about`."""
        return sum(1 for to, subject in self.mails() if to == address and any(a in subject for a in about))

    def received(self, task_name: str) -> list[str]:
        """The ids of `task_name` messages the workers took, in order (a redelivery repeats an id)."""
        return re.findall(rf"Task {re.escape(task_name)}\[([0-9a-f-]+)\] received", self.log_text())

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def killable_workers(committed_db, tmp_path, request):
    """Workers on `<test queue>-<test name>`; the queue is emptied before and after."""
    import redis
    from django.conf import settings

    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-killed-{request.node.name[:40]}"
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(queue)
    workers = KillableWorkers(queue=queue, folder=tmp_path)
    yield workers
    workers.stop_all()
    broker.delete(queue)
