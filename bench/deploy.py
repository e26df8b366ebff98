"""What does a deploy cost when nothing (or one migration) has to change, at N tenants?

    .venv/bin/python bench/deploy.py [--tenants 200] [--sample 10] [--keep]

Runs against a database of its own (parkhub_bench_deploy_<random>, created here and dropped
at the end unless --keep; dropped on failure too). It makes N live tenants through the real
provisioning path (tenant_provision with an empty pool: a clone of the migrated template,
roles, domain, administrator), then measures, in this order:

  behind     public_schema.tenants.migration_plan.schemas_behind over all schemas: the one
             query that finds what to migrate (expected: none)
  setup      a whole no-op `parkhub_setup --no-pool` (shared migrate, hub, template, the
             tenants' migrate through the filter, roles digest, rollups of tenants without),
             the second after provisioning (the first builds the new tenants' rollups)
  baseline   django-tenants' own standard executor (Django's migrate per schema) on `--sample`
             of those schemas with nothing to do, i.e. what every deploy paid per schema
             before; scaled to N for the ratio
  additive   one new additive migration (a nullable column on a tenant table, written to
             a temporary migrations module) applied to all N schemas by migrate_schemas as
             parkhub_setup runs it (the filter, then the pool of processes), then unapplied

Ratios are against the baseline measured in the same run. Nothing is queued to Celery
(the pool refill is neutralised as in bench/provision.py); Redis keys the run creates (in a
database found empty, `bench_redis_url`) are deleted at the end; no other key is touched.
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
    redis_tidier,
)

BENCH_REDIS = bench_redis_url()
GOAL_NOOP_SECONDS_AT_1000 = 10
GOAL_ADDITIVE_SECONDS_AT_1000 = 300


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=200, help="live tenants to make (default 200)")
    parser.add_argument("--sample", type=int, default=10, help="schemas the baseline migrates (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    if args.tenants < 1 or args.sample < 1:
        parser.error("--tenants and --sample must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    name = bench_database_name("deploy")
    url = bench_database_url(args.database_url, name)
    print(f"bench database: {url}", flush=True)
    database_create(url)
    configure_environment(url, redis=BENCH_REDIS, queue="parkhub-bench", CONN_MAX_AGE="0")
    try:
        return _run(args, name)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            database_drop(url)


def _run(args, name: str) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.management.commands.migrate_schemas import Command as MigrateSchemas
    from django_tenants.migration_executors.standard import StandardExecutor

    import public_schema.tenants.services as services
    from public_schema.tenants.migration_plan import schemas_behind
    from public_schema.tenants.models import Tenant

    assert settings.DATABASES["default"]["NAME"] == name
    from provision import refill_neutralise

    refill_neutralise(services)
    tidy_redis = redis_tidier(BENCH_REDIS)
    try:
        with connection.cursor() as cursor:
            machine = machine_description(cursor, "autovacuum")
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
                slug=f"bd{i:05d}",
                kind=Tenant.Kind.PARK,
                admin_email=f"admin{i}@bench.test",
            )
            if (i + 1) % 50 == 0:
                print(f"  {i + 1} tenants ({time.perf_counter() - t0:.0f} s)", flush=True)
        connection.set_schema_to_public()
        schemas = list(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
        print(
            f"{len(schemas)} tenant schemas (live + template) made in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )

        # The first setup after provisioning builds the new tenants' rollups (in production the
        # tenants' first changes do); the deploy measured is the one after it.
        call_command("parkhub_setup", no_pool=True, verbosity=0)
        t0 = time.perf_counter()
        behind = schemas_behind(schemas)
        behind_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        call_command("parkhub_setup", no_pool=True, verbosity=0)
        setup_s = time.perf_counter() - t0

        options = vars(
            MigrateSchemas().create_parser("manage.py", "migrate_schemas").parse_args(["--noinput"])
        )
        options.update(skip_checks=True, verbosity=0)
        sample = schemas[: args.sample]
        t0 = time.perf_counter()
        StandardExecutor((), options).run_migrations(tenants=sample)
        per_schema_s = (time.perf_counter() - t0) / len(sample)
        connection.set_schema_to_public()
        baseline_s = per_schema_s * len(schemas)

        additive_s = _additive(call_command, schemas)

        n = len(schemas)
        scale = 1000 / n
        print()
        print(f"schemas behind found by the one query: {len(behind)} in {behind_s * 1000:.0f} ms")
        print(
            f"no-op parkhub_setup at {n} schemas: {setup_s:.1f} s "
            f"(baseline: Django's migrate per schema {per_schema_s * 1000:.0f} ms × {n} = {baseline_s:.0f} s; "
            f"ratio {baseline_s / setup_s:.1f}×)"
        )
        print(f"  linear projection to 1,000: {setup_s * scale:.1f} s (goal ≤ {GOAL_NOOP_SECONDS_AT_1000} s)")
        print(
            f"one additive migration applied to {n} schemas: {additive_s:.0f} s "
            f"({additive_s / n * 1000:.0f} ms a schema; projection to 1,000: {additive_s * scale:.0f} s, "
            f"goal ≤ {GOAL_ADDITIVE_SECONDS_AT_1000} s)"
        )
        return 0
    finally:
        tidy_redis()


def _additive(call_command, schemas) -> float:
    """Time migrate_schemas applying one new nullable column to every tenant schema.

    The migration is written into the notifications app's migrations folder for the run and
    removed afterwards (unapplied first, so the bench database is left as it was).
    """
    import importlib
    from pathlib import Path

    from django.db.migrations.loader import MigrationLoader

    import tenant_schema.notifications.migrations as package

    folder = Path(package.__file__).parent
    leaf = [
        node
        for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
        if node[0] == "notifications"
    ][0]
    path = folder / "9990_bench_additive.py"
    path.write_text(f'''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "{leaf[1]}")]
    operations = [migrations.AddField("notification", "bench_note", models.TextField(null=True))]
''')
    try:
        importlib.invalidate_caches()
        t0 = time.perf_counter()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        elapsed = time.perf_counter() - t0
        call_command("migrate_schemas", "notifications", leaf[1], tenant=True, interactive=False, verbosity=0)
    finally:
        path.unlink()
    return elapsed


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
