"""What does one empty tenant cost the database: relations, indexes, triggers, functions, bytes?

    .venv/bin/python bench/tenant_footprint.py [--tenants 20] [--keep]

Runs against a database of its own (parkhub_bench_footprint_<random>, created here and dropped
at the end unless --keep; dropped on failure too). It migrates the database (`parkhub_setup`
without the pool), then provisions `--tenants` empty parks through the real provisioning path
and reports, per tenant schema (the median of them, all equal in practice):

  relations  pg_class rows of the schema, by kind (tables, indexes, sequences); toast_tables
             counts the tables that have a TOAST table (each one more table and index in
             pg_toast, outside `relations`)
  triggers   user triggers on the schema's tables (not the foreign-key ones PostgreSQL adds)
  fk triggers the internal triggers of the foreign keys (four per foreign key)
  functions  pg_proc rows in the schema (django-pgtrigger puts one function per trigger there)
  bytes      pg_total_relation_size of every relation of the schema (empty tables: their
             indexes' root pages, each 8 kB)

and the database size grown per tenant (pg_database_size before and after, divided by N),
which also counts the catalogue rows every object adds, projected to 1,000 tenants.
Nothing is queued to Celery; Redis keys the run creates (in a database found empty) are deleted.
"""

import argparse
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

BENCH_REDIS = bench_redis_url()

FOOTPRINT_SQL = """
SELECT
    (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid) AS relations,
    (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid AND relkind IN ('r', 'p')) AS tables,
    (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid AND relkind = 'i') AS indexes,
    (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid AND relkind = 'S') AS sequences,
    (SELECT count(*) FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.relnamespace = n.oid)
        AS toast_tables,
    (SELECT count(*) FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
        WHERE c.relnamespace = n.oid AND NOT tg.tgisinternal) AS triggers,
    (SELECT count(*) FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
        WHERE c.relnamespace = n.oid AND tg.tgisinternal) AS fk_triggers,
    (SELECT count(*) FROM pg_proc WHERE pronamespace = n.oid) AS functions,
    (SELECT count(*) FROM pg_constraint WHERE connamespace = n.oid) AS constraints,
    (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
        WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'm', 'S')) AS bytes
FROM pg_namespace n WHERE n.nspname = %s
"""
COLUMNS = [
    "relations",
    "tables",
    "indexes",
    "sequences",
    "toast_tables",
    "triggers",
    "fk_triggers",
    "functions",
    "constraints",
    "bytes",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=20, help="empty tenants to provision (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the run's database afterwards")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    name = bench_database_name("footprint")
    url = bench_database_url(args.database_url, name)
    print(f"bench database: {url}", flush=True)
    database_create(url)
    configure_environment(url, redis=BENCH_REDIS, queue="parkhub-bench", CONN_MAX_AGE="0")
    try:
        return _run(args, name)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {name}")
        else:
            database_drop(url)


def footprint(cursor, schema: str) -> dict:
    cursor.execute(FOOTPRINT_SQL, [schema])
    return dict(zip(COLUMNS, cursor.fetchone(), strict=True))


def _run(args, name: str) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    import public_schema.tenants.services as services
    from public_schema.tenants.models import Tenant

    assert settings.DATABASES["default"]["NAME"] == name
    from provision import refill_neutralise

    refill_neutralise(services)
    tidy_redis = redis_tidier(BENCH_REDIS)
    try:
        with connection.cursor() as cursor:
            machine = machine_description(cursor)
        print(
            f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
            f"PostgreSQL {machine['postgresql']}, revision {git_revision()}",
            flush=True,
        )
        call_command("parkhub_setup", no_pool=True, verbosity=0)
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
            cursor.execute("SELECT pg_database_size(current_database())")
            size_before = cursor.fetchone()[0]
        started = time.perf_counter()
        slugs = [f"fp{i:05d}" for i in range(args.tenants)]
        for slug in slugs:
            services.tenant_provision(
                name=f"Bench {slug}", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"a@{slug}.test"
            )
        provision_seconds = time.perf_counter() - started
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
            cursor.execute("SELECT pg_database_size(current_database())")
            size_after = cursor.fetchone()[0]
            rows = [footprint(cursor, slug) for slug in slugs]
            cursor.execute("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
            public_functions = cursor.fetchone()[0]
        per_tenant = {key: statistics.median(row[key] for row in rows) for key in COLUMNS}
        grown = (size_after - size_before) / args.tenants
        print()
        print(
            f"{args.tenants} empty parks provisioned in {provision_seconds:.1f} s; per tenant schema (median):"
        )
        print("| object | per tenant |")
        print("|---|---:|")
        for key in COLUMNS:
            value = per_tenant[key]
            print(f"| {key} | {value / 1024:.0f} kB |" if key == "bytes" else f"| {key} | {value:.0f} |")
        print(f"| database growth per tenant | {grown / 1024 / 1024:.2f} MiB |")
        print(f"functions in the public schema: {public_functions}")
        print(
            f"projected database size at 1,000 tenants: {(size_before + 1000 * grown) / 1024**3:.2f} GiB "
            f"(base {size_before / 1024**2:.0f} MiB + 1,000 × {grown / 1024**2:.2f} MiB)"
        )
        return 0
    finally:
        tidy_redis()


if __name__ == "__main__":
    sys.exit(main())
