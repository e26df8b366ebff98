"""How much memory does one PostgreSQL backend take after touching N tenant schemas, and does recycling bound it?

    .venv/bin/python bench/backend_memory.py [--tenants 1000] [--recycle-every 100] [--keep]

Runs against a database of its own (parkhub_bench_memory_<random>, created here and dropped
at the end unless --keep; dropped on failure too). After `parkhub_setup --no-pool` it makes
N schemas shaped like a tenant's: every table of the migrated template re-created with
`CREATE TABLE … (LIKE tenant_template.… INCLUDING ALL)` (indexes and constraints, no rows),
which is what the catalogue cache holds per schema. Then one connection does what a web
worker's does across requests of many tenants: per schema, `SET search_path`, and the
queries of a typical page (enterprise list, applications by status, demands, the signed-in
user). The backend's memory is read from `pg_backend_memory_contexts` (its own contexts,
PostgreSQL 14+):

  fresh      a new backend that ran one query: the baseline
  touched    after touching 100, 300, … N schemas on one connection (what CONN_MAX_AGE or a
             PgBouncer server connection without server_lifetime would keep growing)
  recycled   the same walk on connections replaced every `--recycle-every` schemas (what
             CONN_MAX_AGE / PgBouncer's server_lifetime give): the largest backend seen

Redis is not used.
"""

import argparse
import os
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
)

PAGE_QUERIES = [
    "SELECT id, name, status FROM enterprises_enterprise ORDER BY name LIMIT 20",
    "SELECT status, count(*) FROM applications_application GROUP BY status",
    "SELECT count(*) FROM demands_demand WHERE status = 'open'",
    "SELECT id, email FROM accounts_user WHERE id = 1",
    "SELECT a.id FROM applications_application a JOIN funding_programme p ON p.id = a.programme_id LIMIT 10",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--recycle-every", type=int, default=100)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    return parser.parse_args()


def backend_bytes(cursor) -> int:
    cursor.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
    return int(cursor.fetchone()[0])


def main() -> int:
    args = parse_args()
    name = bench_database_name("memory")
    url = bench_database_url(args.database_url, name)
    print(f"bench database: {url}", flush=True)
    database_create(url)
    configure_environment(url, redis=bench_redis_url(), queue="parkhub-bench", CONN_MAX_AGE="0")
    try:
        return _run(args, name, url)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {name}")
        else:
            database_drop(url)


def _schemas_make(cursor, template: str, count: int) -> list[str]:
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r' ORDER BY relname",
        [template],
    )
    tables = [row[0] for row in cursor.fetchall()]
    names = []
    started = time.perf_counter()
    for number in range(count):
        schema = f"bm{number:05d}"
        statements = [f'CREATE SCHEMA "{schema}"'] + [
            f'CREATE TABLE "{schema}"."{table}" (LIKE "{template}"."{table}" INCLUDING ALL)'
            for table in tables
        ]
        cursor.execute(";".join(statements))
        names.append(schema)
        if (number + 1) % 200 == 0:
            print(f"  {number + 1} schemas ({time.perf_counter() - started:.0f} s)", flush=True)
    return names


def _walk(connect, schemas: list[str], *, recycle_every: int | None, checkpoints: set[int]):
    """Touch each schema in turn; returns ({touched: bytes} at the checkpoints, largest bytes seen)."""
    readings, largest = {}, 0
    conn = connect()
    cursor = conn.cursor()
    for index, schema in enumerate(schemas, start=1):
        if recycle_every and index > 1 and (index - 1) % recycle_every == 0:
            largest = max(largest, backend_bytes(cursor))  # the backend at its largest, as it is retired
            conn.close()
            conn = connect()
            cursor = conn.cursor()
        cursor.execute(f'SET search_path = "{schema}", public')
        for query in PAGE_QUERIES:
            cursor.execute(query)
            cursor.fetchall()
        if index in checkpoints or index % 50 == 0:
            size = backend_bytes(cursor)
            largest = max(largest, size)
            if index in checkpoints:
                readings[index] = size
    largest = max(largest, backend_bytes(cursor))
    conn.close()
    return readings, largest


def _run(args, name: str, url: str) -> int:
    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    assert settings.DATABASES["default"]["NAME"] == name
    with connection.cursor() as cursor:
        machine = machine_description(cursor)
    print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
        f"PostgreSQL {machine['postgresql']}, revision {git_revision()}",
        flush=True,
    )
    call_command("parkhub_setup", no_pool=True, verbosity=0)
    template = settings.PARKHUB_TEMPLATE_SCHEMA
    started = time.perf_counter()
    with connection.cursor() as cursor:
        schemas = _schemas_make(cursor, template, args.tenants)
    connection.close()
    print(f"{len(schemas)} tenant-shaped schemas in {time.perf_counter() - started:.0f} s", flush=True)

    def connect():
        return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)

    with connect() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1")
        fresh = backend_bytes(cursor)
    checkpoints = {n for n in (1, 10, 100, 300, 1000, 3000, 10000) if n <= len(schemas)} | {len(schemas)}
    touched, touched_largest = _walk(connect, schemas, recycle_every=None, checkpoints=checkpoints)
    _recycled, recycled_largest = _walk(connect, schemas, recycle_every=args.recycle_every, checkpoints=set())

    mib = 1024 * 1024
    print()
    print(f"fresh backend: {fresh / mib:.1f} MiB")
    print("| schemas touched on one connection | backend MiB | × fresh | MiB per schema since fresh |")
    print("|---:|---:|---:|---:|")
    for count in sorted(touched):
        size = touched[count]
        print(f"| {count} | {size / mib:.1f} | {size / fresh:.1f} | {(size - fresh) / mib / count:.3f} |")
    print(
        f"recycled every {args.recycle_every} schemas: largest backend {recycled_largest / mib:.1f} MiB "
        f"({recycled_largest / fresh:.1f}× fresh; one connection over all {len(schemas)}: "
        f"{touched_largest / mib:.1f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
