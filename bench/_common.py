"""What every benchmark needs: a database of its own, settings in the environment, the machine it ran on.

Each script in bench/ runs against a database it creates (and drops unless told to keep
it), named by the script plus a random suffix (`bench_database_name`), on the server of BENCH_DATABASE_URL / DATABASE_URL, with Redis
and Celery pointed at a database number of its own, so a benchmark never touches the demo,
the tests or another benchmark. Scripts run as `python bench/<name>.py`, which puts this
directory on sys.path: `from _common import ...`.
"""

import os
import platform
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url(base: str | None, name: str) -> str:
    """The server of `base` (else DATABASE_URL, else the local one) with the database `name`."""
    base = base or os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def admin_connect(url: str):
    """Autocommit connection to the server's maintenance database (for CREATE/DROP DATABASE)."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def _name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def bench_database_name(script: str) -> str:
    """A database name no one else uses: parkhub_bench_<script>_<8 hex digits>.

    A fixed name would let a benchmark drop a database of the same name that someone else
    (another run, a colleague's kept copy) is using on a shared server.
    """
    return f"parkhub_bench_{script}_{secrets.token_hex(4)}"


def database_create(url: str) -> None:
    """Create the run's database; an existing one is an error, never dropped (it is someone else's)."""
    name = _name_of(url)
    with admin_connect(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise SystemExit(f"database {name} exists already: it is not this run's, so it is left alone")
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    """Drop the run's own database (created by `database_create` in this run)."""
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_name_of(url)}" WITH (FORCE)')


def configure_environment(url: str, *, redis: str, queue: str, **extra: str) -> None:
    """Everything settings read must be in the environment before django.setup().

    DEBUG off and warnings only: measure what production runs, without a query log or a
    log line per operation. `extra` sets further variables (MEDIA_ROOT, CONN_MAX_AGE...).
    """
    os.environ.update(
        DJANGO_SETTINGS_MODULE="saas.settings.local",
        DATABASE_URL=url,
        PARKHUB_SPARE_POOL_SIZE="0",
        REDIS_URL=redis,
        CACHE_URL=redis,
        CELERY_BROKER_URL=redis,
        CELERY_RESULT_BACKEND=redis,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        **extra,
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def machine_description(cursor, *settings: str) -> dict:
    """CPUs, memory, PostgreSQL's version (and the `settings` named, by SHOW) and Python's."""
    described = {}
    cursor.execute("SHOW server_version")
    described["postgresql"] = cursor.fetchone()[0]
    for setting in settings:
        cursor.execute(f"SHOW {setting}")
        described[setting] = cursor.fetchone()[0]
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        **described,
        "nproc": os.cpu_count(),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB" if mem_kb else "unknown",
        "cpu": cpu,
        "python": platform.python_version(),
        "load": "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg()),
    }


def git_revision() -> str:
    """The commit the run starts from, and whether tracked files differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return (head or "no commit yet") + (" plus uncommitted changes" if dirty else "")
    except Exception:
        return "unknown"


def bench_redis_url() -> str:
    """A Redis database found empty now (BENCH_REDIS_URL wins when set), from 15 down to 1.

    A benchmark's cache, broker queues and locks then share no database with the demo, the
    tests or a colleague's work; `redis_tidier` still deletes only the keys the run made.
    An unreachable Redis gives database 15 (the benchmarks that need Redis say so).
    """
    if os.environ.get("BENCH_REDIS_URL"):
        return os.environ["BENCH_REDIS_URL"]
    base = "redis://127.0.0.1:6379"
    try:
        import redis

        for number in range(15, 0, -1):
            client = redis.Redis.from_url(f"{base}/{number}", socket_connect_timeout=1)
            if client.dbsize() == 0:
                return f"{base}/{number}"
    except Exception:
        return f"{base}/15"
    raise SystemExit("no empty Redis database (1 to 15): set BENCH_REDIS_URL to one this run may use")


def redis_tidier(url: str):
    """A function to call at the end that deletes the Redis keys this run created.

    The keys present now are remembered; at the end only keys that were not there are
    deleted, key by key, so a shared server keeps what others put in the database.
    An unreachable Redis makes both ends do nothing.
    """
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        before = set(client.scan_iter(count=1000))
    except Exception:
        return lambda: None

    def tidy() -> None:
        try:
            created = [key for key in client.scan_iter(count=1000) if key not in before]
            for start in range(0, len(created), 500):
                client.delete(*created[start : start + 500])
        except Exception:
            pass

    return tidy
