"""Shared fixtures: two tenants (alpha, beta) and the hub, made once per test session.

Most tests run inside a transaction that is rolled back (`db`). Tests that talk to
another process (a Celery worker, the web server behind a browser) need committed
rows: they use `committed_db` instead and clean up what they create. Nothing here uses
Django's TransactionTestCase flush, which would truncate the tenant registry.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import (
    hub_ensure,
    spare_pool_refill,
    template_ensure,
    tenant_drop,
    tenant_provision,
)

from .factories import PASSWORD, UserFactory
from .support.celery_worker import celery_worker_start, celery_worker_stop

ROOT = Path(__file__).resolve().parent.parent
ALPHA, BETA = "alpha", "beta"
# Two service institutions (issue #17): their own sites, their own schemas.
INST_A, INST_B = "insta", "instb"


def host_of(slug: str) -> str:
    return f"{slug}.{settings.PARKHUB_BASE_DOMAIN}"


HUB_HOST = f"hub.{settings.PARKHUB_BASE_DOMAIN}"


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """The test database with the hub, the template and the two tenants every module shares.

    Made here rather than by pytest-django's own fixture, which creates the database only
    when some collected test asks for `db`: a run of browser or worker tests alone (which
    use `committed_db`) would otherwise write to the developer's real database.
    """
    from django.test.utils import setup_databases, teardown_databases

    bouncer = _pgbouncer_in_front() if os.environ.get("PARKHUB_TEST_VIA_PGBOUNCER") else None
    try:
        yield from _databases_set_up(django_db_blocker, setup_databases, teardown_databases, bouncer)
    finally:
        if bouncer is not None:
            bouncer.stop()


def _databases_set_up(django_db_blocker, setup_databases, teardown_databases, bouncer):
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        # Never write fixtures into a developer's real database.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
        connection.set_schema_to_public()
        hub_ensure()
        template_ensure()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        for slug in (ALPHA, BETA):
            if not Tenant.objects.filter(schema_name=slug).exists():
                tenant_provision(
                    name=f"{slug.title()} Park",
                    slug=slug,
                    kind=Tenant.Kind.PARK,
                    admin_email=f"admin@{slug}.test",
                )
        for slug, name in ((INST_A, "青岛甲服务机构"), (INST_B, "青岛乙服务机构")):
            if not Tenant.objects.filter(schema_name=slug).exists():
                tenant_provision(
                    name=name, slug=slug, kind=Tenant.Kind.INSTITUTION, admin_email=f"admin@{slug}.test"
                )
        # A full pool, committed: a tenant provisioned inside a test's transaction takes a spare
        # (a rename, milliseconds) instead of cloning the template (seconds), and the rollback puts
        # the spare back. The hub's figure tests provision three tenants each.
        spare_pool_refill()
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        # A fault test may have restarted the server or ended this session's backend: start the
        # clean-up on a fresh connection rather than fail on a lost one.
        connection.close()
        if bouncer is not None:
            # PgBouncer keeps its server connections to the test database open: stop it and
            # drop the database over a direct connection.
            bouncer.stop()
            _direct_again(bouncer)
        with connection.cursor() as cursor:
            # Child processes (worker, web server) may still hold a connection as they exit;
            # end them so the test database can be dropped.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(db_cfg, verbosity=0)


def _pgbouncer_in_front():
    """PARKHUB_TEST_VIA_PGBOUNCER=1: this session reaches PostgreSQL through a real PgBouncer.

    tests/test_pgbouncer.py runs the isolation tests this way. Child processes (web server,
    worker) inherit it through `process_env`, which reads the connection's host and port.
    """
    from .support.pgbouncer import pgbouncer_start

    database = connection.settings_dict
    bouncer = pgbouncer_start(
        server_host=database["HOST"] or "127.0.0.1",
        server_port=int(database["PORT"] or 5432),
        user=database["USER"] or "postgres",
    )
    bouncer.server = (database["HOST"], database["PORT"])
    connection.close()
    # tests/test_pgbouncer.py reads it to know this session really went through PgBouncer.
    report = os.environ.get("PARKHUB_TEST_PGBOUNCER_REPORT")
    if report:
        Path(report).write_text(f"database through pgbouncer on 127.0.0.1:{bouncer.port}\n")
    database["HOST"], database["PORT"] = "127.0.0.1", bouncer.port
    settings.DATABASES["default"]["HOST"], settings.DATABASES["default"]["PORT"] = "127.0.0.1", bouncer.port
    return bouncer


def _direct_again(bouncer) -> None:
    host, port = bouncer.server
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = host, port
    settings.DATABASES["default"]["HOST"], settings.DATABASES["default"]["PORT"] = host, port


@pytest.fixture(autouse=True)
def _public_schema_around_each_test():
    """Every test starts and ends in the public schema, whatever the previous one did."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access without a wrapping transaction: what a test writes is committed."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()


@pytest.fixture
def tenant_a(django_db_setup, django_db_blocker) -> Tenant:
    with django_db_blocker.unblock():
        return Tenant.objects.get(schema_name=ALPHA)


@pytest.fixture
def tenant_b(django_db_setup, django_db_blocker) -> Tenant:
    with django_db_blocker.unblock():
        return Tenant.objects.get(schema_name=BETA)


class HostClient(Client):
    """A test client bound to one site's host that leaves the test's schema as it found it."""

    def __init__(self, host: str, **kwargs):
        super().__init__(HTTP_HOST=host, **kwargs)
        self.host = host
        label = host.split(".", 1)[0]
        self.schema = "public" if host == HUB_HOST else label

    def force_login(self, user, backend=None):
        # Sessions and last-login stamps live in the site's own schema.
        with schema_context(self.schema):
            return super().force_login(user, backend)

    @property
    def session(self):
        with schema_context(self.schema):
            session = super().session
            session.items()  # loads and caches the data while in the site's schema
            return session

    def request(self, **request):
        schema, tenant = connection.schema_name, getattr(connection, "tenant", None)
        try:
            return super().request(**request)
        finally:
            if tenant is not None and schema != "public":
                connection.set_tenant(tenant)
            else:
                connection.set_schema_to_public()


@pytest.fixture
def client_a(tenant_a) -> HostClient:
    return HostClient(host_of(ALPHA))


@pytest.fixture
def client_b(tenant_b) -> HostClient:
    return HostClient(host_of(BETA))


@pytest.fixture
def hub_client(django_db_setup) -> HostClient:
    return HostClient(HUB_HOST)


def make_user(schema: str, *, role: str | None = None, email: str | None = None, password: str = PASSWORD):
    """An account with a known password in `schema` (email unique per call unless given)."""
    fields = {"email": email} if email else {}
    with schema_context(schema):
        return UserFactory(role=role, password=password, **fields)


@pytest.fixture
def park_admin_a(db, tenant_a):
    return make_user(ALPHA, role=roles.PARK_ADMIN)


@pytest.fixture
def park_admin_b(db, tenant_b):
    return make_user(BETA, role=roles.PARK_ADMIN)


@pytest.fixture
def hub_operator(db):
    return make_user("public", role=roles.HUB_OPERATOR)


@pytest.fixture
def dropped_after():
    """Collects tenants a committed test provisions, and drops them afterwards."""
    made: list[str] = []
    yield made
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(schema_name__in=made):
        tenant_drop(tenant=tenant)


# ---------------------------------------------------------------------------
# Real processes: a Celery worker and a web server on the test database.
# ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(**extra) -> dict:
    """The environment a child process needs to work on this run's test database."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="saas.settings.test",
        DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        CELERY_TASK_DEFAULT_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, mail_dir, tmp_path_factory):
    """A real `celery worker` process on the Redis broker, consuming this run's test queue."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the test database number is ours alone
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():
        env = process_env(EMAIL_FILE_PATH=str(mail_dir))
    proc = celery_worker_start(env=env, queue=settings.CELERY_TASK_DEFAULT_QUEUE, log=log)
    yield proc
    celery_worker_stop(proc)


def wait_until(condition, *, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture(scope="session")
def web_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The app under gunicorn on a free port, on the test database; yields its base port."""
    import urllib.request

    port = free_port()
    log = tmp_path_factory.mktemp("web") / "web.log"
    with django_db_blocker.unblock():
        env = process_env()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "saas.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )

    def answers():
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/accounts/login/", headers={"Host": host_of(ALPHA)}
            )
            return urllib.request.urlopen(request, timeout=2).status == 200
        except Exception:
            return proc.poll() is not None

    wait_until(answers, timeout=60, message="gunicorn")
    if proc.poll() is not None:
        raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
