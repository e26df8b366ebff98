"""How long does provisioning a tenant take, and does it stay flat as tenants pile up?

    .venv/bin/python bench/provision.py [--sizes 0,100,300] [--repeat 7] [--keep]

Runs against a database of its own (parkhub_bench, created fresh here and dropped at
the end unless --keep), never the demo or test database. For each size N it brings the
number of live tenants to N, then measures `--repeat` times, interleaved:

  pool     tenant_provision() taking a spare from the pool (one spare is made before
           the timer starts; only the tenant_provision call is timed)
  clone    tenant_provision() with the pool empty: falls back to django-tenants'
           CloneSchema of the template. This *is* django-tenants' own clone path
           (TenantMixin.create_schema with TENANT_BASE_SCHEMA calls the same
           CloneSchema.clone_schema), so it is not measured twice.
  migrate  spare_create(method="migrate"): CREATE SCHEMA + migrate_schemas + roles, i.e.
           a schema made by replaying every migration. It makes no domain or
           administrator, so it slightly flatters the migration path.
  clone_fn CloneSchema().clone_schema() alone, without the tenant row, domain, roles and
           administrator: the share of `clone` spent in django-tenants' SQL function.

The N live tenants are made by tenant_provision with an empty pool (template clones),
with a VACUUM (ANALYZE) every 25 and before each size's measurements, standing in for
autovacuum (which may be off on a development server: the output says). Each measured
tenant is dropped straight after, so N stays constant. One discarded warm-up of each
method runs per size (it also counts each path's SQL statements). Every measurement
starts on a new database session, because CloneSchema slows down with each clone made
in the same session (migrate_schemas closes the connection anyway); the untimed set-up
(emptying the pool, making the spare) runs on that session first. Ratios are against
`pool` measured in the same run. The load average is printed, since other work on the
machine shows up in the figures.

Nothing is queued to Celery: the pool refill tenant_provision sends on commit is
replaced by a no-op (see refill_neutralise), since this measures provisioning, not the
refill; Celery and the cache are also pointed at Redis database 12 in case anything
else sends (the database is flushed at the end only if it was empty at the start).
"""

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import time

from _common import (
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

BENCH_DB = bench_database_name("provision")
BENCH_REDIS = bench_redis_url()
METHODS = ("pool", "clone", "migrate", "clone_fn")
GOAL_SIZE = 300
GOAL_RATIO = 10
GOAL_POOL_MS = 50


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="0,100,300", help="live-tenant counts to measure at (default 0,100,300)"
    )
    parser.add_argument("--repeat", type=int, default=7, help="measurements per method and size (default 7)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's database afterwards (its name is printed)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="server to use; the database name is always replaced by a fresh parkhub_bench_* one "
        "(default: DATABASE_URL's server, else postgres://postgres@127.0.0.1:5432)",
    )
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not args.sizes or min(args.sizes) < 0 or args.repeat < 1:
        parser.error("--sizes must be non-negative integers and --repeat at least 1")
    return args


def configure(url: str) -> None:
    # Each provisioning opens its own session (see docs/benchmarks.md) and the bench fills the
    # pool itself, exactly; no log line per provisioning.
    configure_environment(url, redis=BENCH_REDIS, queue="parkhub-bench", CONN_MAX_AGE="0")


def main() -> int:
    args = parse_args()
    url = bench_database_url(args.database_url, BENCH_DB)
    print(f"bench database: {url}", flush=True)
    database_create(url)
    configure(url)

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_tenants.clone import CloneSchema

    import public_schema.tenants.services as services
    from public_schema.tenants.models import Tenant

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB, settings.DATABASES["default"]["NAME"]
    refill_sends = refill_neutralise(services)

    tidy_redis = redis_tidier(BENCH_REDIS)

    started = time.perf_counter()
    revision = git_revision()  # at the start: the code this process imports
    try:
        with connection.cursor() as cursor:
            machine = machine_description(cursor, "autovacuum")
        print(
            f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
            f"PostgreSQL {machine['postgresql']} (autovacuum {machine['autovacuum']}), "
            f"Python {machine['python']}",
            flush=True,
        )
        t0 = time.perf_counter()
        call_command("parkhub_setup", no_pool=True, verbosity=0)
        print(f"parkhub_setup (public, hub, template, no pool): {time.perf_counter() - t0:.1f} s", flush=True)

        template = settings.PARKHUB_TEMPLATE_SCHEMA
        counter = {"n": 0}

        def fresh_slug(prefix: str) -> str:
            counter["n"] += 1
            return f"{prefix}{counter['n']:05d}"

        def provision(slug: str):
            return services.tenant_provision(
                name=f"Bench {slug}",
                slug=slug,
                kind=Tenant.Kind.PARK,
                admin_email=f"admin@{slug}.example.com",
            )

        def live_fillers():
            return list(Tenant.objects.live().filter(schema_name__startswith="fill").order_by("created_at"))

        def pool_empty() -> None:
            for spare in Tenant.objects.spares():
                services.tenant_drop(tenant=spare)

        def fresh_session() -> None:
            """Start a new database session, connected before any timer starts (see the docstring)."""
            connection.close()
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")

        def timed(count_queries, call):
            """Time `call` alone; with count_queries, also count the SQL statements it sends."""
            context = CaptureQueriesContext(connection) if count_queries else contextlib.nullcontext()
            with context as captured:
                t = time.perf_counter()
                result = call()
                elapsed = time.perf_counter() - t
            return result, elapsed, (len(captured.captured_queries) if count_queries else None)

        # Each runner returns (elapsed seconds, query count or None, cleanup callable).
        def run_pool(count_queries=False):
            fresh_session()
            pool_empty()
            services.spare_create(method="clone")  # the one spare this provisioning takes (untimed)
            connection.set_schema_to_public()
            slug = fresh_slug("mpool")
            result, elapsed, queries = timed(count_queries, lambda: provision(slug))
            assert result.method == "pool", result.method
            return elapsed, queries, lambda: services.tenant_drop(tenant=result.tenant)

        def run_clone(count_queries=False):
            fresh_session()
            pool_empty()
            connection.set_schema_to_public()
            slug = fresh_slug("mclone")
            result, elapsed, queries = timed(count_queries, lambda: provision(slug))
            assert result.method == "clone", result.method
            return elapsed, queries, lambda: services.tenant_drop(tenant=result.tenant)

        def run_migrate(count_queries=False):
            fresh_session()
            pool_empty()
            connection.set_schema_to_public()
            spare, elapsed, queries = timed(count_queries, lambda: services.spare_create(method="migrate"))
            return elapsed, queries, lambda: services.tenant_drop(tenant=spare)

        def run_clone_fn(count_queries=False):
            fresh_session()
            connection.set_schema_to_public()
            slug = fresh_slug("mfn")

            def clone():
                with transaction.atomic():
                    CloneSchema().clone_schema(template, slug, set_connection=False)

            _none, elapsed, queries = timed(count_queries, clone)

            def cleanup():
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{slug}" CASCADE')

            return elapsed, queries, cleanup

        runners = {"pool": run_pool, "clone": run_clone, "migrate": run_migrate, "clone_fn": run_clone_fn}

        def catalogs_vacuum() -> None:
            """What autovacuum would do between bursts: fresh statistics, dead catalog rows gone."""
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")

        def fill_to(n: int) -> None:
            fillers = live_fillers()
            if len(fillers) > n:
                for tenant in fillers[n:]:
                    services.tenant_drop(tenant=tenant)
                print(f"  dropped {len(fillers) - n} tenants", flush=True)
                return
            missing = n - len(fillers)
            if not missing:
                return
            pool_empty()
            t = time.perf_counter()
            for i in range(missing):
                if i % 10 == 0:
                    # CloneSchema gets slower with every clone made in the same database
                    # session (seconds each after ~50); a new session resets it.
                    connection.close()
                provision(fresh_slug("fill"))  # empty pool: a template clone each
                if (i + 1) % 25 == 0 or i + 1 == missing:
                    rate = (time.perf_counter() - t) / (i + 1)
                    print(f"  {len(fillers) + i + 1}/{n} tenants ({rate:.2f} s each)", flush=True)
                    # Each clone adds ~90 relations to the catalogs; with stale statistics
                    # (autovacuum off, or not yet run) CloneSchema gets slower with every one.
                    catalogs_vacuum()

        results = {}
        query_counts = {}
        for n in args.sizes:
            print(f"\n== {n} live tenants ==", flush=True)
            fill_to(n)
            catalogs_vacuum()  # every size starts from the same state of the catalogs
            assert Tenant.objects.live().count() == n, Tenant.objects.live().count()
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_namespace")
                schemas = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM pg_class")
                relations = cursor.fetchone()[0]
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"  {schemas} schemas, {relations} relations in pg_class; load average {load}", flush=True)

            # Warm-up (discarded), counting each path's queries.
            query_counts[n] = {}
            for method in METHODS:
                _elapsed, query_counts[n][method], cleanup = runners[method](count_queries=True)
                cleanup()

            times = {method: [] for method in METHODS}
            for i in range(args.repeat):
                for method in METHODS:
                    elapsed, _queries, cleanup = runners[method]()
                    cleanup()
                    times[method].append(elapsed * 1000)
                print(
                    f"  run {i + 1}/{args.repeat} (load {os.getloadavg()[0]:.2f}): "
                    + ", ".join(f"{m} {times[m][-1]:.0f} ms" for m in METHODS),
                    flush=True,
                )
            assert Tenant.objects.live().count() == n
            results[n] = times
            print()
            print(size_table(n, times, query_counts[n]), flush=True)

        print("\n== summary (median ms; ratios against pool in the same run) ==\n")
        print(summary_table(results))
        print()
        ok = goal_report(results)
        print(f"\nmachine: {machine}")
        print(f"revision at start: {revision}, date: {dt.date.today().isoformat()}")
        print(f"pool refills tenant_provision asked for (not sent): {len(refill_sends)}")
        print(f"total time: {time.perf_counter() - started:.0f} s")
        return 0 if ok in (True, None) else 1
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {BENCH_DB}")
        else:
            database_drop(url)
        tidy_redis()


def refill_neutralise(services) -> list:
    """Stop tenant_provision from queueing the pool refill: this measures provisioning.

    The refill is sent on commit (saas.celery.send_on_commit, earlier
    services._queue_pool_refill); replacing the task's apply_async (which delay() calls
    too) covers both. Returns the list the would-be sends are counted in.
    """
    from public_schema.tenants.tasks import spare_pool_refill_task

    sends = []
    spare_pool_refill_task.apply_async = lambda *args, **kwargs: sends.append(kwargs)
    if hasattr(services, "_queue_pool_refill"):
        services._queue_pool_refill = lambda: sends.append({})
    return sends


def stats(values):
    return statistics.median(values), min(values), max(values)


def size_table(n, times, queries) -> str:
    pool_median = statistics.median(times["pool"])
    lines = [
        f"N = {n} live tenants, {len(times['pool'])} runs each",
        "",
        "| method | median ms | min ms | max ms | × pool | queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "pool": "pool (rename a spare)",
        "clone": "clone (empty pool; django-tenants CloneSchema)",
        "migrate": "migrate (spare_create method=migrate)",
        "clone_fn": "CloneSchema.clone_schema alone",
    }
    for method in METHODS:
        median, low, high = stats(times[method])
        ratio = "1" if method == "pool" else f"{median / pool_median:.1f}"
        lines.append(
            f"| {labels[method]} | {median:.1f} | {low:.1f} | {high:.1f} | {ratio} | {queries.get(method, '')} |"
        )
    return "\n".join(lines)


def summary_table(results) -> str:
    lines = [
        "| live tenants | pool ms | clone ms | migrate ms | clone_schema alone ms | clone/pool | migrate/pool |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, times in results.items():
        pool, clone, migrate, fn = (statistics.median(times[m]) for m in METHODS)
        lines.append(
            f"| {n} | {pool:.1f} | {clone:.1f} | {migrate:.1f} | {fn:.1f} | {clone / pool:.1f} | {migrate / pool:.1f} |"
        )
    return "\n".join(lines)


def goal_report(results):
    """Goal: with 300 tenants present, pool >= 10x faster than clone and than migrations, median <= 50 ms."""
    if GOAL_SIZE not in results:
        print(f"goal: not checked (no measurement with {GOAL_SIZE} live tenants)")
        return None
    times = results[GOAL_SIZE]
    pool, clone, migrate = (statistics.median(times[m]) for m in ("pool", "clone", "migrate"))
    checks = [
        (f"clone/pool = {clone / pool:.1f} >= {GOAL_RATIO}", clone / pool >= GOAL_RATIO),
        (f"migrate/pool = {migrate / pool:.1f} >= {GOAL_RATIO}", migrate / pool >= GOAL_RATIO),
        (f"pool median = {pool:.1f} ms <= {GOAL_POOL_MS} ms", pool <= GOAL_POOL_MS),
    ]
    ok = all(passed for _label, passed in checks)
    print(f"goal with {GOAL_SIZE} live tenants: {'HOLDS' if ok else 'DOES NOT HOLD'}")
    for label, passed in checks:
        print(f"  [{'ok' if passed else 'FAIL'}] {label}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
