"""The enterprise's application list and timeline under load, against a bare one-query view.

    .venv/bin/python bench/application_pages.py [--seconds 10] [--repeat 3] [--clients 32]
        [--loadgen wrk|python] [--interval 1] [--keep] [--reuse]

Runs against a database of its own (parkhub_bench_pages, created fresh here and dropped
at the end unless --keep), never the demo or test database: parkhub_setup (no pool),
then `seed_demo` — the Jiaozhou network at full scale (15 tenants, 7,000 enterprises,
the demo programmes and a few hundred applications with backdated history). The busiest
town, jiaodong, is measured, signed in as its demo enterprise owner qiye1@jiaodong.demo.

Served by gunicorn (sync workers, 2 × CPUs + 1) on a free local port, with this module as
the URLconf: the site's own URLs plus

  /bench/bare/               a bare Django view doing one query (the same middleware stack,
                             tenant routing included), the baseline measured in the same run
  /bench/signed-in/          reference: reads the session and loads the user, nothing else —
                             the floor of any page a signed-in enterprise sees
  /bench/signed-in-layout/   reference: the same plus the site's layout around an empty page
  /bench/uncached/applications/[<id>/]
                             the list and the timeline views with a cache that keeps nothing
                             in place of their page cache (tenant_schema.applications.page_cache): every
                             request builds the page, as the first one after a change does

Endpoints, interleaved `--repeat` times for `--seconds` each after a warm-up (one request
to each endpoint, which also fills the page cache of the cached ones, then 2 s of load each):
  bare               /bench/bare/
  list               /applications/           the enterprise's application list
  timeline           /applications/<id>/      one application with its timeline
  list-uncached      /bench/uncached/applications/        the list, built on every request
  timeline-uncached  /bench/uncached/applications/<id>/   the timeline, built on every request
(if the pages do not answer 200, /api/applications/ and /api/applications/<id>/timeline/
instead). The `-uncached` rows come from EXTRA_ENDPOINTS, a module-level dict any further
endpoint can be added to (path templates with {list}, {timeline}, {id}, {big_id}); they are
reported, marked with their note ("(page cache bypassed)"), but are not part of the goal,
which stays on list and timeline as an enterprise gets them: kept until something on them
changes.

Closed loop: `--clients` connections, each sending its next request as soon as the last one
is answered, hit one endpoint at a time. The load generator (`--loadgen`, named in the run's
header line) is wrk by default (`wrk -t2 -c<clients> -d<seconds>s`, the Debian package;
`make bench-tools` installs it) with a small Lua script (WRK_SCRIPT) whose done() prints
requests, duration, errors and the p50/p95/p99 latency; on a 2-CPU machine the Python
thread clients take much of the CPU the server needs and inflate its latency (measured: bare
697 req/s and p95 58 ms with them, 855 req/s and ~45 ms with wrk). Without wrk on PATH, or
with `--loadgen python`, the Python thread clients (threads spread over a few processes, one
request at a time each) are used instead; with wrk `--seconds` must be whole seconds.
Requests/second is over each window and the table shows its median over the rounds; × bare
is the median of each round's ratio to the bare view of that round (the pages are measured
right after it); the server's CPU time per request (gunicorn's workers, PostgreSQL and
Redis, from /proc) is reported beside it, a ratio that other work on a shared machine does
not move; p95 is
per round (wrk gives per-run percentiles; the Python clients are reduced the same way) and
the table shows the median of the rounds' p95. Errors are summed over the rounds: any answer
other than 200 and, with wrk, its connect/read/write/timeout errors (wrk itself only counts
statuses above 399, so the Lua script counts the non-200 answers). Then a paced phase (skip
with `--interval 0`), always by the Python clients since wrk cannot pace: the same number of
clients as people, each sending one request every `--interval` seconds (default 1) on bare,
list and timeline, for the latency a user waits; its p95 is over every request of all rounds.

Queries per request are counted in-process with CaptureQueriesContext, for each page as
built (with a cache that keeps nothing) and as kept, and must be the same whatever the
number of stages and history rows: the list for an enterprise with one application and for
one with several, the timeline of a five-stage application with a few events and of an
eight-stage one returned and resubmitted 15 times (~40 events). The script exits 1 unless
the ratio, closed-loop p95 and constant-queries goals are all met; each is reported apart.

Nothing is queued to a real worker: Celery and the cache point at Redis database 10.
"""

import argparse
import contextlib
import datetime as dt
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from _common import (
    ROOT,
    bench_database_name,
    bench_database_url,
    bench_redis_url,
    configure_environment,
    database_create,
    database_drop,
    git_revision,
    machine_description,
    redis_tidier,
)

BENCH_DB = bench_database_name("pages")
BENCH_REDIS = bench_redis_url()
BENCH_SLUG = "jiaodong"
OWNER_EMAIL = f"qiye1@{BENCH_SLUG}.demo"
GOAL_RATIO = 0.5
GOAL_P95_MS = 50

# Endpoints measured besides the fixed ones: name -> (path template, note shown in the table).
# Templates may use {list} and {timeline} (the measured paths), {id} (the application of the
# timeline) and {big_id} (the eight-stage one). They are reported, never part of the goal.
EXTRA_ENDPOINTS: dict[str, tuple[str, str]] = {
    "list-uncached": ("/bench/uncached{list}", "(page cache bypassed)"),
    "timeline-uncached": ("/bench/uncached{timeline}", "(page cache bypassed)"),
}

WRK_THREADS = 2
# wrk --script: counts the answers other than 200 per thread (wrk itself only counts statuses
# above 399) and, when the run is done, prints the lines wrk_load() parses.
WRK_SCRIPT = """\
local threads = {}
not_ok = 0

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  local function out(key, value)
    io.write(string.format("parkhub-bench %s %.0f\\n", key, value))
  end
  out("requests", summary.requests)
  out("duration_us", summary.duration)
  out("errors", e.connect + e.read + e.write + e.timeout + bad)
  out("connect", e.connect)
  out("read", e.read)
  out("write", e.write)
  out("timeout", e.timeout)
  out("status", e.status)
  out("not_200", bad)
  for _, p in ipairs({50, 95, 99}) do
    out("p" .. p .. "_us", latency:percentile(p))
  end
end
"""

# ---------------------------------------------------------------------------
# The URLconf gunicorn serves (this module, imported with PARKHUB_BENCH_SERVE=1).
# ---------------------------------------------------------------------------

if os.environ.get("PARKHUB_BENCH_SERVE"):
    import django

    django.setup()  # gunicorn imports this module before it calls wsgi_application()
    from django.http import HttpResponse
    from django.urls import path

    from saas.urls_tenants import urlpatterns as tenant_urlpatterns

    def bare(request):
        from tenant_schema.enterprises.models import Enterprise

        return HttpResponse(f"{Enterprise.objects.filter(pk=1).count()}", content_type="text/plain")

    def signed_in(request):
        # The floor of any page an enterprise sees: the session and the user, no content.
        return HttpResponse(f"{request.user.pk}", content_type="text/plain")

    def signed_in_layout(request):
        # The same plus the site's layout (navigation, unread badge) around an empty page.
        from django.shortcuts import render

        return render(request, "base.html", {})

    def uncached(view):
        # gunicorn's sync workers serve one request at a time, so the swap is theirs alone.
        def wrapped(request, *args, **kwargs):
            with page_cache_keeping_nothing():
                return view(request, *args, **kwargs)

        return wrapped

    from tenant_schema.applications.views import application_detail, application_list

    urlpatterns = [
        path("bench/bare/", bare),
        path("bench/signed-in/", signed_in),
        path("bench/signed-in-layout/", signed_in_layout),
        path("bench/uncached/applications/", uncached(application_list)),
        path("bench/uncached/applications/<int:pk>/", uncached(application_detail)),
        *tenant_urlpatterns,
    ]


@contextlib.contextmanager
def page_cache_keeping_nothing():
    """The page cache's Redis swapped for a cache that keeps nothing (Django's DummyCache):
    every request builds its page, as the first one after a change does."""
    from django.core.cache.backends.dummy import DummyCache

    from tenant_schema.applications import page_cache

    kept_by, page_cache.cache = page_cache.cache, DummyCache("bench-uncached", {})
    try:
        yield
    finally:
        page_cache.cache = kept_by


def wsgi_application():
    """gunicorn entry (`application_pages:wsgi_application()`): the site with this module as URLconf."""
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "application_pages"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# ---------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per endpoint and round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, endpoints interleaved (default 3)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument(
        "--interval", type=float, default=1.0,
        help="paced phase: each client sends one request every INTERVAL seconds (0: skip the phase)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default 2 × CPUs + 1)")
    parser.add_argument(
        "--loadgen",
        choices=("wrk", "python"),
        default=None,
        help="closed-loop load generator (default wrk if it is on PATH, else the Python clients)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's database afterwards (its name is printed)"
    )
    parser.add_argument(
        "--reuse",
        metavar="DATABASE",
        help="reuse the database a --keep run left (the name it printed) instead of seeding again",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="server to use; the database name is always replaced by a fresh parkhub_bench_* one",
    )
    args = parser.parse_args()
    if args.loadgen is None:
        args.loadgen = "wrk" if shutil.which("wrk") else "python"
        if args.loadgen == "python":
            print("wrk is not on PATH (make bench-tools installs it): closed loop by the Python clients")
    elif args.loadgen == "wrk" and not shutil.which("wrk"):
        parser.error("--loadgen wrk: wrk is not on PATH (make bench-tools installs it)")
    if args.loadgen == "wrk" and (args.seconds != int(args.seconds) or args.seconds < 1):
        parser.error("--loadgen wrk: --seconds must be a whole number of seconds (wrk -d)")
    return args


def big_application_make(*, owner, reviewer, admin):
    """An eight-stage programme and an application returned and resubmitted 15 times (~40 events)."""
    from django.utils import timezone

    from tenant_schema.applications.services import application_create, application_transition
    from tenant_schema.funding.services import programme_create, programme_open
    from tenant_schema.programme_forms.demo import demo_guide

    stages = [
        {
            "name": f"审查{i}",
            "public_name": f"审查{i}",
            "kind": "review",
            "role": "reviewer",
            "time_limit_days": 5,
        }
        for i in range(1, 7)
    ] + [
        {"name": "公示", "public_name": "公示", "kind": "notice", "role": "park_admin", "time_limit_days": 5},
        {
            "name": "拨付",
            "public_name": "资金拨付",
            "kind": "disbursement",
            "role": "park_admin",
            "time_limit_days": 10,
        },
    ]
    now = timezone.now()
    programme = programme_open(
        programme=programme_create(
            actor=admin,
            title="基准测试：八个环节的项目",
            budget=1_000_000,
            per_enterprise_cap=500_000,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            stages=stages,
            guide=demo_guide(),
        )  # fmt: skip
    )
    application = application_create(
        programme_id=programme.pk,
        enterprise=owner.membership.enterprise,
        applicant=owner,
        requested_amount="100000",
    )

    def act(action, actor, **kwargs):
        application_transition(application_id=application.pk, action=action, actor=actor, **kwargs)

    act("submit", owner)
    for round_ in range(15):
        act("return", reviewer, comment=f"第{round_ + 1}次退回：请补充材料。")
        act("submit", owner)
    for _ in range(5):
        act("advance", reviewer, comment="通过。")
    return application


def query_counts(client, paths: list[str], *, kept: bool) -> list[int]:
    """Queries of each page as served from the page cache (`kept`) or as built (a cache that keeps nothing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for path in paths:
        client.get(path)  # warm caches (content types, translations), and keep the page
        with page_cache_keeping_nothing() if not kept else contextlib.nullcontext():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(queries))
    return counts


# ---------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------


def _client_process(port, host, cookie, path, seconds, threads, start_at, out_queue, interval=0.0):
    """`threads` clients in one process; sends back (requests, errors, latencies).

    With `interval` 0 each client sends its next request as soon as the last one is answered
    (closed loop, the server saturated); otherwise each sends one request every `interval`
    seconds from a random phase, like a person clicking, and a late answer does not delay the
    schedule (the next request goes at once).
    """
    import http.client
    import random

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    headers = {"Host": host, "Cookie": cookie}

    def run():
        mine, bad = [], 0
        conn = None
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        next_at = start_at + random.uniform(0, interval)
        while True:
            if interval:
                pause = next_at - time.time()
                if pause > 0:
                    time.sleep(pause)
                next_at += interval
            begun = time.perf_counter()
            if time.time() >= end:
                break
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                bad += 1
                conn = None
                continue
            mine.append(time.perf_counter() - begun)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out_queue.put((len(latencies), errors[0], latencies))


def load(port, host, cookie, path, *, seconds, clients, interval=0.0) -> tuple[float, list[float], int]:
    """Requests/second and latencies of `clients` concurrent clients on `path` for `seconds`."""
    processes = min(clients, max(2, (os.cpu_count() or 2)))
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    out = multiprocessing.Queue()
    start_at = time.time() + 0.5
    procs = [
        multiprocessing.Process(
            target=_client_process, args=(port, host, cookie, path, seconds, n, start_at, out, interval)
        )
        for n in per_process
    ]
    for proc in procs:
        proc.start()
    done, errors, latencies = 0, 0, []
    for _ in procs:
        n, bad, lat = out.get()
        done, errors = done + n, errors + bad
        latencies.extend(lat)
    for proc in procs:
        proc.join()
    return done / seconds, latencies, errors


@dataclass
class Run:
    """One closed-loop window on one endpoint; latencies in seconds."""

    rps: float
    errors: int
    p50: float
    p95: float
    p99: float


def python_load(port, host, cookie, path, *, seconds, clients) -> Run:
    rps, latencies, errors = load(port, host, cookie, path, seconds=seconds, clients=clients)
    if not latencies:
        return Run(rps, errors, float("nan"), float("nan"), float("nan"))
    return Run(rps, errors, *(percentile(latencies, p) for p in (50, 95, 99)))


def wrk_load(port, host, cookie, path, *, seconds, clients, script) -> Run:
    """`wrk -t2 -c<clients> -d<seconds>s` on `path`, read from what WRK_SCRIPT prints."""
    command = [
        "wrk", f"-t{min(WRK_THREADS, clients)}", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s",
        "-H", f"Host: {host}", "-H", f"Cookie: {cookie}", "--script", script,
        f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    figures = {}
    for line in done.stdout.splitlines():
        if line.startswith("parkhub-bench "):
            _, key, value = line.split()
            figures[key] = float(value)
    if done.returncode or "requests" not in figures:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return Run(
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        errors=int(figures["errors"]),
        p50=figures["p50_us"] / 1e6,
        p95=figures["p95_us"] / 1e6,
        p99=figures["p99_us"] / 1e6,
    )


def server_cpu_ticks(gunicorn_pid: int) -> dict[int, int]:
    """CPU time so far, per process, of everything that serves a request: gunicorn's workers,
    PostgreSQL and Redis (user + system clock ticks, from /proc).

    Unlike requests per second it does not move when other work on the machine takes the
    CPU away, so its per-request ratio is the steadier comparison on a shared machine.
    """
    ticks = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # ended meanwhile
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        # fields[1] is the parent pid; fields[11] and fields[12] are utime and stime.
        if int(fields[1]) == gunicorn_pid or name in ("postgres", "redis-server"):
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    return ticks


def server_cpu_seconds_between(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU spent between two readings: by processes seen at both, and all of any that started."""
    spent = sum(used - before.get(pid, 0) for pid, used in after.items())
    return spent / os.sysconf("SC_CLK_TCK")


def wrk_version() -> str:
    try:
        shown = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=5).stdout
        return shown.split()[1]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown version"


def fetch(port, host, cookie, path) -> int:
    """The status of one GET of `path` (a start probe and the warm-up of any page cache)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host, "Cookie": cookie})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def percentile(values: list[float], p: int) -> float:
    """Nearest rank: the smallest value with at least `p`% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    args = parse_args()
    database_name = args.reuse or BENCH_DB
    url = bench_database_url(args.database_url, database_name)
    print(f"bench database: {url}", flush=True)
    if not args.reuse:
        database_create(url)
    configure_environment(url, redis=BENCH_REDIS, queue="parkhub-bench-pages", EMAIL_URL="dummymail://")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    import public_schema.tenants.services as tenant_services
    from every_schema.accounts import roles
    from tenant_schema.applications.models import Application, ApplicationEvent
    from tenant_schema.enterprises.models import Enterprise

    assert settings.DATABASES["default"]["NAME"] == database_name
    tenant_services._queue_pool_refill = lambda: None  # measure pages, not a pool refill
    with connection.cursor() as cursor:
        described = machine_description(cursor)
    machine = (
        f"{described['nproc']} CPUs ({described['cpu']}), {described['memory']}, "
        f"PostgreSQL {described['postgresql']}, Python {described['python']}"
    )
    print(f"machine: {machine}", flush=True)
    started = time.monotonic()
    gunicorn = None
    lua_path = None
    tidy_redis = redis_tidier(BENCH_REDIS)
    try:
        if not args.reuse:
            call_command("parkhub_setup", no_pool=True, verbosity=0)
            seeded = time.monotonic()
            call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
            print(f"seed_demo: {time.monotonic() - seeded:.0f}s", flush=True)
        host = f"{BENCH_SLUG}.{settings.PARKHUB_BASE_DOMAIN}"
        User = get_user_model()
        with schema_context(BENCH_SLUG):
            owner = User.objects.get(email=OWNER_EMAIL)
            reviewer = User.objects.filter(groups__name=roles.REVIEWER).order_by("pk").first()
            admin = User.objects.filter(groups__name=roles.PARK_ADMIN).order_by("pk").first()
            big = Application.objects.filter(
                programme__title__startswith="基准测试", enterprise=owner.membership.enterprise
            ).first()
            if big is None:
                big = big_application_make(owner=owner, reviewer=reviewer, admin=admin)
            mine = Application.objects.filter(enterprise=owner.membership.enterprise)
            small = mine.exclude(pk=big.pk).order_by("pk").first()
            # Another enterprise with exactly one application, for the list's query count.
            single = (
                Enterprise.objects.filter(memberships__role="owner", applications__isnull=False)
                .exclude(pk=owner.membership.enterprise_id)
                .order_by("pk")
                .first()
            )
            single_owner = single.memberships.filter(role="owner").first().user
            scale = {
                "enterprises": Enterprise.objects.count(),
                "applications": Application.objects.count(),
                "events": ApplicationEvent.objects.count(),
                "mine": mine.count(),
                "big_events": big.events.count(),
                "big_stages": big.programme.stages.count(),
                "small_events": small.events.count(),
                "small_stages": small.programme.stages.count(),
            }
            print(f"tenant {BENCH_SLUG}: {scale}", flush=True)

        # Which pages to measure: the enterprise pages, or the API if they are not there yet.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
        client = Client(HTTP_HOST=host)
        with schema_context(BENCH_SLUG):
            client.force_login(owner)
        candidates = [
            ("/applications/", f"/applications/{small.pk}/", f"/applications/{big.pk}/"),
            (
                "/api/applications/",
                f"/api/applications/{small.pk}/timeline/",
                f"/api/applications/{big.pk}/timeline/",
            ),
        ]
        list_path, timeline_path, big_path = next(
            c for c in candidates if all(client.get(p).status_code == 200 for p in c)
        )
        print(f"measuring {list_path} and {timeline_path}", flush=True)

        # Queries per request: constant whatever the stages, history rows and applications.
        other = Client(HTTP_HOST=host)
        with schema_context(BENCH_SLUG):
            other.force_login(single_owner)
        constant = True
        for kept in (False, True):
            list_counts = query_counts(other, [list_path], kept=kept) + query_counts(
                client, [list_path], kept=kept
            )
            timeline_counts = query_counts(client, [timeline_path, big_path], kept=kept)
            same = len(set(list_counts)) == 1 and len(set(timeline_counts)) == 1
            constant = constant and same
            print(
                f"queries per request, {'kept' if kept else 'built'}: list {list_counts[0]} (1 application) / "
                f"{list_counts[1]} ({scale['mine']}); timeline {timeline_counts[0]} ({scale['small_stages']} "
                f"stages, {scale['small_events']} events) / {timeline_counts[1]} ({scale['big_stages']} stages, "
                f"{scale['big_events']} events) -> {'constant' if same else 'NOT CONSTANT'}",
                flush=True,
            )
        print(f"queries per request: {'constant' if constant else 'NOT CONSTANT'}", flush=True)
        # The cookies a browser would send: the session and the CSRF cookie the pages set.
        cookie = "; ".join(
            f"{name}={client.cookies[name].value}"
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
            if name in client.cookies
        )

        port = free_port()
        workers = args.workers or 2 * (os.cpu_count() or 1) + 1
        env = dict(os.environ, PARKHUB_BENCH_SERVE="1")
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "application_pages:wsgi_application()", "--pythonpath",
             f"{ROOT / 'bench'},{ROOT}", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning",
             "--backlog", "2048"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        # The pages right after the bare view of their round: the machine's other work drifts
        # less between neighbouring windows.
        endpoints = {
            "bare": "/bench/bare/",
            "list": list_path,
            "timeline": timeline_path,
            "signed-in": "/bench/signed-in/",
            "layout": "/bench/signed-in-layout/",
        }
        notes = {}
        for name, (template, note) in EXTRA_ENDPOINTS.items():
            endpoints[name] = template.format(
                list=list_path, timeline=timeline_path, id=small.pk, big_id=big.pk
            )
            notes[name] = note
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(port, host, cookie, "/bench/bare/") == 200:
                    break
            except (OSError, ConnectionError):
                pass
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.5)
        if args.loadgen == "wrk":
            loadgen = f"wrk {wrk_version()} (-t{WRK_THREADS}, one connection per client)"
            lua = tempfile.NamedTemporaryFile("w", prefix="parkhub-bench-", suffix=".lua", delete=False)
            with lua:
                lua.write(WRK_SCRIPT)
            lua_path = lua.name

            def closed_loop(path, seconds):
                return wrk_load(
                    port, host, cookie, path, seconds=seconds, clients=args.clients, script=lua_path
                )
        else:
            loadgen = "the Python thread clients"

            def closed_loop(path, seconds):
                return python_load(port, host, cookie, path, seconds=seconds, clients=args.clients)

        print(
            f"gunicorn: {workers} sync workers on port {port}; {args.clients} clients; closed loop by {loadgen}",
            flush=True,
        )
        # Warm-up: one request each, which also fills the page cache of the cached endpoints,
        # then load on each so that every worker has imported and connected.
        for name, path in endpoints.items():
            status = fetch(port, host, cookie, path)
            if status != 200:
                print(f"  warning: {name} {path} answers {status}, not 200", flush=True)
        for path in endpoints.values():
            closed_loop(path, 2)
        width = max(map(len, endpoints))
        results = {name: {"rps": [], "p95": [], "cpu_ms": [], "errors": 0} for name in endpoints}
        for round_ in range(args.repeat):
            for name, path in endpoints.items():
                cpu_before = server_cpu_ticks(gunicorn.pid)
                run = closed_loop(path, args.seconds)
                cpu = server_cpu_seconds_between(cpu_before, server_cpu_ticks(gunicorn.pid))
                results[name]["cpu_ms"].append(cpu * 1000 / max(1.0, run.rps * args.seconds))
                results[name]["rps"].append(run.rps)
                results[name]["p95"].append(run.p95)
                results[name]["errors"] += run.errors
                print(
                    f"  round {round_ + 1} {name:<{width}} {run.rps:7.0f} req/s  p50 {run.p50 * 1000:6.1f}"
                    f"  p95 {run.p95 * 1000:6.1f}  p99 {run.p99 * 1000:6.1f} ms  errors {run.errors}"
                    f"  server CPU {results[name]['cpu_ms'][-1]:.2f} ms/request",
                    flush=True,
                )
        # Paced: the same clients as people, each clicking once every `--interval` seconds.
        paced = {name: {"rps": [], "latencies": [], "errors": 0} for name in ("bare", "list", "timeline")}
        if args.interval:
            for round_ in range(args.repeat):
                for name in paced:
                    rps, latencies, errors = load(
                        port, host, cookie, endpoints[name], seconds=args.seconds, clients=args.clients,
                        interval=args.interval,
                    )  # fmt: skip
                    paced[name]["rps"].append(rps)
                    paced[name]["latencies"] += latencies
                    paced[name]["errors"] += errors
                    print(
                        f"  paced {round_ + 1} {name:<{width}} {rps:7.0f} req/s  p95 {p95(latencies) * 1000:6.1f} ms",
                        flush=True,
                    )
        load_avg = os.getloadavg()
    finally:
        if lua_path:
            os.unlink(lua_path)
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        tidy_redis()
        if args.keep or args.reuse:
            print(f"kept database {database_name}")
        else:
            database_drop(url)

    bare_rps = statistics.median(results["bare"]["rps"])
    print()
    print(
        f"Run of {dt.date.today().isoformat()} (revision {git_revision()}), {machine}; "
        f"load average {load_avg[0]:.1f} / {load_avg[1]:.1f} / {load_avg[2]:.1f} at the end; "
        f"{args.clients} clients, {args.repeat} × {args.seconds:g}s per endpoint, gunicorn {workers} sync workers; "
        f"closed loop by {loadgen}" + (", paced phase by the Python clients" if args.interval else "")
    )
    print()
    print("| endpoint | path | median req/s | × bare | p95 ms | errors | server CPU ms/req | × bare (CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    ratio_ok = p95_ok = True
    paced_ok = True
    for name, path in endpoints.items():
        r = results[name]
        rps = statistics.median(r["rps"])
        # Each round's ratio to the bare view measured just before it, then their median:
        # the machine's other work drifts between rounds more than within one.
        ratio = statistics.median(
            mine / bare for mine, bare in zip(r["rps"], results["bare"]["rps"], strict=True) if bare
        )
        cpu_ratio = statistics.median(
            bare / mine for mine, bare in zip(r["cpu_ms"], results["bare"]["cpu_ms"], strict=True) if mine
        )
        ms = statistics.median(r["p95"]) * 1000
        shown = path.replace(f"/{small.pk}/", "/<id>/")
        label = f"{name} {notes[name]}" if notes.get(name) else name
        print(
            f"| {label} | `{shown}` | {rps:,.0f} | {ratio:.2f} | {ms:.1f} | {r['errors']} "
            f"| {statistics.median(r['cpu_ms']):.2f} | {cpu_ratio:.2f} |"
        )
        if name in ("list", "timeline"):
            ratio_ok = ratio_ok and ratio >= GOAL_RATIO
            p95_ok = p95_ok and ms <= GOAL_P95_MS
    print()
    print(
        f"× bare: the median of the {args.repeat} rounds' ratios to the bare view of the same round "
        f"(bare median {bare_rps:,.0f} req/s). p95: the median of the rounds' p95. Server CPU: gunicorn's "
        "workers, PostgreSQL and Redis per request (from /proc); × bare (CPU) likewise per round. "
        "Rows with a note are not part of the goal."
    )
    if args.interval:
        print()
        print(f"Paced: {args.clients} clients, one request every {args.interval:g}s each")
        print()
        print("| endpoint | req/s | p95 ms | errors |")
        print("|---|---:|---:|---:|")
        for name, r in paced.items():
            ms = p95(r["latencies"]) * 1000 if r["latencies"] else float("nan")
            print(f"| {name} | {statistics.median(r['rps']):,.0f} | {ms:.1f} | {r['errors']} |")
            if name != "bare" and ms > GOAL_P95_MS:
                paced_ok = False
    print()

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(
        f"Goal, list and timeline: ≥ {GOAL_RATIO:.0%} of bare: {verdict(ratio_ok)}; "
        f"p95 ≤ {GOAL_P95_MS} ms with {args.clients} closed-loop clients: {verdict(p95_ok)}; "
        f"queries per request constant: {verdict(constant)}"
        + (f"; paced p95 ≤ {GOAL_P95_MS} ms: {verdict(paced_ok)}" if args.interval else "")
        + f". Total {time.monotonic() - started:.0f}s."
    )
    return 0 if ratio_ok and p95_ok and constant else 1


if __name__ == "__main__":
    sys.exit(main())
