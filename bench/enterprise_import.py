"""How much faster is the Excel import's set-based write than saving one enterprise at a time?

    .venv/bin/python bench/enterprise_import.py [--rows 10000] [--repeat 3] [--keep]

Runs against a database of its own (parkhub_bench_import, created fresh here and dropped
at the end unless --keep), never the demo or test database: parkhub_setup (no pool),
then one park provisioned with public_schema.tenants.services.tenant_provision, whose schema every
measurement runs in. The same generated rows (all columns filled; a third of them with
one or two tags) are imported `--repeat` times by each method, interleaved, each on
empty enterprise tables:

  service       tenant_schema.enterprises.importing.enterprise_rows_import on rows already checked:
                the write the confirm step does (SELECT … FOR UPDATE, INSERT, upserts
                and tag links in chunks of WRITE_CHUNK, one transaction)
  service+xlsx  sheet_parse of the .xlsx bytes (openpyxl, every cell checked, credit
                codes validated) followed by the same write: the whole confirm step
  per-row save  Enterprise(...).save() for each row, plus .tags.set() for rows with
                tags, all inside ONE transaction (kinder to this path than autocommit,
                which would also pay a commit per row)

Then, as a second scenario, the same sheet is imported again over the imported rows with
10% of them changed: the service against a per-row loop (get by credit code, compare,
save(update_fields=changed) and tags.set() when they differ), again in one transaction.

Ratios are medians measured in the same run. Nothing is queued to Celery (the pool
refill after provisioning is replaced by a no-op), Celery and the cache point at Redis
database 11, and media go to a temporary folder.
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
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

BENCH_DB = bench_database_name("import")
BENCH_REDIS = bench_redis_url()
BENCH_SLUG = "benchimport"
GOAL_RATIO = 5
TAG_NAMES = ("专精特新", "高新技术企业", "瞪羚企业", "科技型中小企业", "小巨人")
HEADERS = [
    "统一社会信用代码", "企业名称", "法定代表人", "行业门类", "企业规模", "是否规上",
    "从业人数", "地址", "联系人", "联系电话", "电子邮箱", "标签",
]  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows per import (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per method (default 3)")
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
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")
    return args


def sheet_rows(count: int) -> list[list]:
    from tenant_schema.enterprises.credit_code import credit_code_make

    rows = []
    for i in range(count):
        tags = "、".join(TAG_NAMES[i % 5 : i % 5 + 1 + i % 2]) if i % 3 == 0 else ""
        rows.append(
            [
                credit_code_make(f"91370281MA{i:07d}"),
                f"青岛基准测试{i:05d}有限公司",
                "王五",
                "ABCDEFGHIJ"[i % 10],
                ("大型", "中型", "小型", "微型")[i % 4],
                "是" if i % 7 == 0 else "否",
                10 + i % 500,
                f"山东省青岛市胶州市测试路{i}号",
                "赵六",
                f"138{i:08d}",
                f"contact{i}@example.cn",
                tags,
            ]
        )
    return rows


def sheet_bytes(rows: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名录")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def changed_copy(rows: list[list]) -> list[list]:
    """The same sheet with every tenth row changed: address, employees or tags in turn."""
    changed = [list(row) for row in rows]
    for i in range(0, len(changed), 10):
        kind = (i // 10) % 3
        if kind == 0:
            changed[i][7] = changed[i][7] + "（新址）"
        elif kind == 1:
            changed[i][6] = changed[i][6] + 1
        else:
            changed[i][11] = "小巨人"
    return changed


def main() -> int:
    args = parse_args()
    url = bench_database_url(args.database_url, BENCH_DB)
    print(f"bench database: {url}", flush=True)
    database_create(url)
    media_root = tempfile.mkdtemp(prefix="parkhub-bench-import-")
    configure_environment(
        url, redis=BENCH_REDIS, queue="parkhub-bench-import", MEDIA_ROOT=media_root, CONN_MAX_AGE="0"
    )

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    import public_schema.tenants.services as tenant_services
    from public_schema.tenants.models import Tenant
    from tenant_schema.enterprises import importing
    from tenant_schema.enterprises.models import Enterprise, Tag

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB, settings.DATABASES["default"]["NAME"]
    tenant_services._queue_pool_refill = lambda: None  # measure the import, not a pool refill

    tidy_redis = redis_tidier(BENCH_REDIS)

    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            machine = machine_description(cursor, "synchronous_commit")
        print(
            f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
            f"PostgreSQL {machine['postgresql']} (synchronous_commit {machine['synchronous_commit']}), "
            f"Python {machine['python']}",
            flush=True,
        )
        call_command("parkhub_setup", no_pool=True, verbosity=0)
        provisioned = tenant_services.tenant_provision(
            name="Bench import park",
            slug=BENCH_SLUG,
            kind=Tenant.Kind.PARK,
            admin_email="admin@bench.example.com",
        )
        print(f"tenant {BENCH_SLUG} provisioned ({provisioned.method})", flush=True)

        with schema_context(BENCH_SLUG):
            from django.contrib.auth import get_user_model

            actor = get_user_model().objects.get(pk=provisioned.administrator_id)
            rows = sheet_rows(args.rows)
            xlsx = sheet_bytes(rows)
            xlsx_changed = sheet_bytes(changed_copy(rows))
            parsed = importing.sheet_parse(io.BytesIO(xlsx))
            parsed_changed = importing.sheet_parse(io.BytesIO(xlsx_changed))
            assert not parsed.problems and len(parsed.rows) == args.rows, parsed.problems[:3]
            print(f"sheet: {args.rows} rows, {len(xlsx) / 1024:.0f} KiB .xlsx", flush=True)

            def tables_empty():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "TRUNCATE enterprises_enterprise_tags, enterprises_enterprise, enterprises_tag "
                        "RESTART IDENTITY CASCADE"
                    )
                    cursor.execute("ANALYZE enterprises_enterprise")

            def service(import_rows):
                return importing.enterprise_rows_import(rows=import_rows, actor=actor)

            def service_xlsx(content):
                sheet = importing.sheet_parse(io.BytesIO(content))
                return importing.enterprise_rows_import(rows=sheet.rows, actor=actor)

            def tags_by_name():
                return {tag.name: tag for tag in Tag.objects.all()}

            def per_row_create(import_rows):
                now = timezone.now()
                with transaction.atomic():
                    tags = tags_by_name()
                    for row in import_rows:
                        enterprise = Enterprise(
                            credit_code=row.credit_code,
                            status=Enterprise.Status.VERIFIED,
                            verified_at=now,
                            verified_by=actor,
                            **row.values,
                        )
                        enterprise.save()
                        if row.tags:
                            for name in row.tags:
                                if name not in tags:
                                    tags[name] = Tag.objects.create(name=name)
                            enterprise.tags.set([tags[name] for name in row.tags])

            def per_row_update(import_rows):
                with transaction.atomic():
                    tags = tags_by_name()
                    for row in import_rows:
                        enterprise = Enterprise.objects.get(credit_code=row.credit_code)
                        changed = [f for f, v in row.values.items() if getattr(enterprise, f) != v]
                        for name in changed:
                            setattr(enterprise, name, row.values[name])
                        if changed:
                            enterprise.save(update_fields=[*changed, "updated_at"])
                        if row.tags is not None:
                            if set(enterprise.tags.values_list("name", flat=True)) != set(row.tags):
                                for name in row.tags:
                                    if name not in tags:
                                        tags[name] = Tag.objects.create(name=name)
                                enterprise.tags.set([tags[name] for name in row.tags])

            def timed(call, *call_args):
                t = time.perf_counter()
                call(*call_args)
                return time.perf_counter() - t

            def check_imported():
                assert Enterprise.objects.count() == args.rows, Enterprise.objects.count()
                tagged = Enterprise.tags.through.objects.count()
                expected = sum(len(r.tags or ()) for r in parsed.rows)
                assert tagged == expected, (tagged, expected)

            create = {"service": [], "service+xlsx": [], "per-row save": []}
            update = {"service": [], "per-row save": []}
            # One discarded warm-up of each, so no method pays the first-use costs alone.
            for warm in (lambda: service(parsed.rows[:200]), lambda: per_row_create(parsed.rows[:200])):
                tables_empty()
                warm()
            for i in range(args.repeat):
                order = ("service", "service+xlsx", "per-row save")
                for method in order if i % 2 == 0 else reversed(order):
                    tables_empty()
                    if method == "service":
                        elapsed = timed(service, parsed.rows)
                    elif method == "service+xlsx":
                        elapsed = timed(service_xlsx, xlsx)
                    else:
                        elapsed = timed(per_row_create, parsed.rows)
                    check_imported()
                    create[method].append(elapsed)
                for method in ("service", "per-row save") if i % 2 == 0 else ("per-row save", "service"):
                    tables_empty()
                    service(parsed.rows)
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE enterprises_enterprise")
                    if method == "service":
                        elapsed = timed(service, parsed_changed.rows)
                    else:
                        elapsed = timed(per_row_update, parsed_changed.rows)
                    update[method].append(elapsed)
                    changed_address = Enterprise.objects.filter(address__endswith="（新址）").count()
                    assert changed_address == len(range(0, args.rows, 30)), changed_address
                print(
                    f"  run {i + 1}/{args.repeat} (load {os.getloadavg()[0]:.2f}): "
                    + ", ".join(f"create {m} {create[m][-1]:.2f} s" for m in create)
                    + ", "
                    + ", ".join(f"update {m} {update[m][-1]:.2f} s" for m in update),
                    flush=True,
                )
            tables_empty()

        print()
        print(results_table(args.rows, create, update))
        ratio = statistics.median(create["per-row save"]) / statistics.median(create["service"])
        ok = ratio >= GOAL_RATIO
        print(
            f"\ngoal: service >= {GOAL_RATIO}x per-row save for {args.rows} new rows: "
            f"{'HOLDS' if ok else 'DOES NOT HOLD'} ({ratio:.1f}x)"
        )
        print(f"\nmachine: {machine}")
        print(f"revision: {git_revision()}, date: {dt.date.today().isoformat()}")
        print(f"total time: {time.perf_counter() - started:.0f} s")
        return 0 if ok else 1
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {BENCH_DB}")
        else:
            database_drop(url)
        import shutil

        shutil.rmtree(media_root, ignore_errors=True)
        tidy_redis()


def results_table(rows: int, create: dict, update: dict) -> str:
    def line(scenario, method, times, baseline):
        median = statistics.median(times)
        ratio = statistics.median(baseline) / median
        return (
            f"| {scenario} | {method} | {median:.2f} | {min(times):.2f} | {max(times):.2f} "
            f"| {rows / median:,.0f} | {ratio:.1f} |"
        )

    lines = [
        f"{rows} rows, {len(create['service'])} runs each (median; × = per-row time / this method's time)",
        "",
        "| scenario | method | median s | min s | max s | rows/s | × per-row |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for method, times in create.items():
        lines.append(line("create all", method, times, create["per-row save"]))
    for method, times in update.items():
        lines.append(line("re-import, 10% changed", method, times, update["per-row save"]))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
