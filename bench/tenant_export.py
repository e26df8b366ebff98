"""How long do exporting and restoring one tenant take with N tenants present, against pg_dump of its schema?

    .venv/bin/python bench/tenant_export.py [--tenants 300] [--enterprises 2000] [--repeat 3] [--keep]

Runs against a database of its own (parkhub_bench_export_<random>, created here and dropped
at the end unless --keep; dropped on failure too). It makes N live tenants through the real
provisioning path (template clones), fills one of them (the measured tenant) with
`--enterprises` verified enterprises with three years of figures each, then measures, interleaved `--repeat` times:

  pg_dump    `pg_dump --schema=<tenant> --format=custom` of that schema to a file: the
             baseline, what an operator would reach for (it dumps the schema only, without
             the registry row, domains, uploads, or a way back under another address)
  export     public_schema.tenants.lifecycle.tenant_export (schema rows, registry row,
             domains, uploads) to a file
  restore    tenant_restore of that file under a new address (then dropped again)

Goal (issue 16): export of one tenant with 1,000 tenants present ≤ 10 s. Redis keys the run
creates (in a database found empty) are deleted at the end; nothing is queued to Celery.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
GOAL_EXPORT_SECONDS = 10


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=300, help="live tenants present (default 300)")
    parser.add_argument("--enterprises", type=int, default=2000, help="in the measured tenant (default 2000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the run's database afterwards")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    name = bench_database_name("export")
    url = bench_database_url(args.database_url, name)
    print(f"bench database: {url}", flush=True)
    database_create(url)
    media_root = tempfile.mkdtemp(prefix="parkhub-bench-export-media-")
    configure_environment(
        url, redis=BENCH_REDIS, queue="parkhub-bench", CONN_MAX_AGE="0", MEDIA_ROOT=media_root
    )
    try:
        return _run(args, name, url)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {name}")
        else:
            database_drop(url)
        subprocess.run(["rm", "-rf", media_root], check=False)


def _fill(tenant_slug: str, enterprises: int) -> None:
    """Verified enterprises with three years of figures each, written in bulk (a busy park's register)."""
    from decimal import Decimal

    from django_tenants.utils import schema_context

    from tenant_schema.enterprises.models import Enterprise, YearlyFigures

    with schema_context(tenant_slug):
        rows = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    credit_code=f"91370281MA{number:08d}",
                    name=f"青岛基准测试{number:05d}有限公司",
                    status=Enterprise.Status.VERIFIED,
                    contact_name="张三",
                    contact_phone="13800000000",
                    address="胶州市北京东路1号",
                )
                for number in range(enterprises)
            ],
            batch_size=1000,
        )
        YearlyFigures.objects.bulk_create(
            [
                YearlyFigures(
                    enterprise=row, year=year, revenue=Decimal("1234567.89"), tax_paid=Decimal("12345.67")
                )
                for row in rows
                for year in (2023, 2024, 2025)
            ],
            batch_size=2000,
        )


def _run(args, name: str, url: str) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    import public_schema.tenants.services as services
    from public_schema.tenants.lifecycle import tenant_export, tenant_restore
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
        t0 = time.perf_counter()
        for i in range(args.tenants):
            services.tenant_provision(
                name=f"Bench {i:05d}",
                slug=f"bx{i:05d}",
                kind=Tenant.Kind.PARK,
                admin_email=f"a{i}@bench.test",
            )
            if (i + 1) % 50 == 0:
                print(f"  {i + 1} tenants ({time.perf_counter() - t0:.0f} s)", flush=True)
        connection.set_schema_to_public()
        measured = Tenant.objects.get(schema_name="bx00000")
        _fill(measured.schema_name, args.enterprises)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        timings = {"pg_dump": [], "export": [], "restore": []}
        with tempfile.TemporaryDirectory() as workdir:
            for run in range(args.repeat):
                dump = Path(workdir) / f"dump{run}"
                started = time.perf_counter()
                subprocess.run(
                    ["pg_dump", f"--dbname={url.replace('postgres://', 'postgresql://')}",
                     f"--schema={measured.schema_name}", "--format=custom", f"--file={dump}"],
                    check=True,
                )  # fmt: skip
                timings["pg_dump"].append(time.perf_counter() - started)
                archive = Path(workdir) / f"export{run}.tar.gz"
                started = time.perf_counter()
                summary = tenant_export(tenant=measured, path=archive)
                timings["export"].append(time.perf_counter() - started)
                started = time.perf_counter()
                restored = tenant_restore(path=archive, slug=f"restored{run}")
                timings["restore"].append(time.perf_counter() - started)
                services.tenant_drop(tenant=restored.tenant)
                print(
                    f"  run {run + 1}: pg_dump {timings['pg_dump'][-1]:.2f} s, export {timings['export'][-1]:.2f} s "
                    f"({summary.tables} tables, {summary.rows} rows, {archive.stat().st_size / 1e6:.1f} MB), "
                    f"restore {timings['restore'][-1]:.2f} s",
                    flush=True,
                )
        medians = {key: statistics.median(values) for key, values in timings.items()}
        print()
        print(f"{args.tenants} tenants present; the measured tenant has {args.enterprises} enterprises")
        print("| step | median s | × pg_dump |")
        print("|---|---:|---:|")
        for key, value in medians.items():
            print(f"| {key} | {value:.2f} | {value / medians['pg_dump']:.1f} |")
        held = medians["export"] <= GOAL_EXPORT_SECONDS
        print(
            f"goal (export ≤ {GOAL_EXPORT_SECONDS} s): {'holds' if held else 'MISSED'} at {args.tenants} tenants"
        )
        return 0
    finally:
        tidy_redis()


if __name__ == "__main__":
    sys.exit(main())
