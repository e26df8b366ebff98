"""How fast is the hub dashboard with 1,000 tenants × 1,000 applications, against a per-tenant loop?

    .venv/bin/python bench/hub_dashboard.py [--tenants 1000] [--applications 1000] [--repeat 5] [--keep] [--reuse]

Runs in a database of its own (parkhub_bench_hub, or --database; created fresh and
dropped at the end unless --keep). `--reuse` runs on the database a previous `--keep`
run left (set-up at 1,000 × 1,000 takes minutes): it migrates the public schema and
refreshes every tenant's rollups (so rollup changes of the code under test are
written), then measures. Set-up: `parkhub_setup --no-pool` (public schema, hub, migrated
template), then N tenant schemas cloned from the template and filled with synthetic
data by INSERT … SELECT generate_series, one statement per table and schema.

Cloning: every tenant gets the template's tables that the hub reads (enterprises,
programmes, stages, applications, their history, subscriptions, payments and demands) by
CREATE TABLE … (LIKE tenant_template.<table> INCLUDING ALL), i.e. the same columns,
defaults and indexes. The rest of the template (accounts, sessions, notifications …)
is not copied: django-tenants' CloneSchema takes 0.4–0.8 s per schema here (see the
provisioning benchmark), which would make 1,000 tenants a 10+ minute set-up, and the
hub never reads those tables. The catalogue is therefore smaller than in production.

Rollups: after the build, the rollup tables are filled by the real refresh
(public_schema.hub.rollups.rollup_refresh for every tenant, timed as "refresh all"; no rollup row
is inserted directly: day, month and all-time rows alike), then the refresh of one
tenant is timed `--repeat` times.

Measured, interleaved, `--repeat` times each, after one discarded warm-up:

  loop         the baseline: for each tenant, schema_context(tenant) and the same
               figures by the same per-schema SQL (5 families, 6 statements per tenant),
               city totals and percentiles combined in Python, i.e. what django-tenants
               users write; "loop range" the same for the quarter below (the baseline
               of every "… range" figure).
  page         GET /dashboard/ as a hub operator through Django's test client: the
               figures, tables, chart data and template (server time, no network).
               This is the headline "dashboard server time".
  page range   the same with a date range of one quarter (2025-10-01 … 2025-12-31).
  api          GET /api/hub/stats/ (every tenant's figures, and its applications by status
               and stage and stage timeliness, as JSON); "api range" likewise.
  stats        public_schema.hub.selectors.hub_stats(breakdown=False) alone (from the rollup tables):
               the figures the page reads; "stats range" likewise.

`--live` also times hub_stats_live() (the set-based statements over every schema) once.
"""

import argparse
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

BENCH_REDIS = bench_redis_url()
HUB_TABLES = [
    "enterprises_enterprise",
    "funding_programme",
    "funding_stage",
    "applications_application",
    "applications_applicationevent",
    "billing_subscription",
    "billing_payment",
    "demands_demand",
]
GOAL_RATIO, GOAL_MS = 50, 200


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--applications", type=int, default=1000, help="per tenant")
    parser.add_argument("--enterprises", type=int, default=300, help="per tenant")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database",
        default=None,
        help="with --reuse: the database a --keep run left; otherwise a fresh parkhub_bench_hub_* is created",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database a --keep run left: migrate public, refresh the rollups, measure (implies --keep)",
    )
    parser.add_argument(
        "--no-refresh", action="store_true", help="with --reuse: measure the rollups as they are"
    )
    parser.add_argument("--demands", type=int, default=100, help="per tenant")
    parser.add_argument("--live", action="store_true", help="also time the live path once")
    return parser.parse_args()


def bench_url(database: str) -> str:
    return bench_database_url(os.environ.get("BENCH_DATABASE_URL"), database)


def configure(url: str) -> None:
    configure_environment(url, redis=BENCH_REDIS, queue="parkhub-bench", CONN_MAX_AGE="0", ALLOWED_HOSTS="*")


APPLICATIONS_SQL = """
INSERT INTO {s}.applications_application
  (id, programme_id, enterprise_id, applicant_id, requested_amount, answers, status, current_stage_id,
   stage_entered_at, stage_due_at, approved_amount, disbursed_amount, disbursed_on, decided_at, submitted_at,
   created_at, updated_at)
SELECT i, p, 1 + i %% %(enterprises)s, 1, 100000, '{{}}',
       (ARRAY['in_review','in_review','approved','disbursed','disbursed','disbursed','rejected','rejected',
              'withdrawn','returned'])[1 + i %% 10],
       (p - 1) * 3 + (ARRAY[1,1,2,3,3,3,1,1,1,1])[1 + i %% 10],
       sub, CASE WHEN i %% 10 IN (0, 1) THEN sub + interval '7 days'
                 WHEN i %% 10 = 2 THEN dec + interval '9 days' END,
       CASE WHEN i %% 10 BETWEEN 2 AND 5 THEN 10000 + (i %% 50) * 1000 END,
       CASE WHEN i %% 10 BETWEEN 3 AND 5 THEN 10000 + (i %% 50) * 1000 END,
       CASE WHEN i %% 10 BETWEEN 3 AND 5 THEN (dec + interval '8 days')::date END,
       CASE WHEN i %% 10 BETWEEN 2 AND 7 THEN dec END, sub, sub, sub
FROM (SELECT i, 1 + i %% 2 AS p,
             timestamptz '2025-06-01 09:00+08' + (i %% 365) * interval '1 day' + (i %% 9) * interval '1 hour' AS sub,
             timestamptz '2025-06-01 09:00+08' + (i %% 365 + (i * 7) %% 25 + 1) * interval '1 day' + (i %% 9) * interval '1 hour' AS dec
      FROM generate_series(1, %(applications)s) i) g
"""

EVENTS_SQL = """
INSERT INTO {s}.applications_applicationevent
  (application_id, action, from_status, to_status, comment, is_public, due_at, created_at, from_stage_id, to_stage_id)
SELECT a.id, 'submit', 'draft', 'in_review', '', true, a.submitted_at + interval '7 days', a.submitted_at,
       NULL, (a.programme_id - 1) * 3 + 1
FROM {s}.applications_application a
UNION ALL
SELECT a.id, CASE WHEN a.status = 'rejected' THEN 'reject' ELSE 'approve' END, 'in_review', a.status, '', true,
       CASE WHEN a.status <> 'rejected' THEN a.decided_at + interval '9 days' END, a.decided_at,
       (a.programme_id - 1) * 3 + 1, (a.programme_id - 1) * 3 + CASE WHEN a.status = 'rejected' THEN 1 ELSE 2 END
FROM {s}.applications_application a WHERE a.decided_at IS NOT NULL
UNION ALL
SELECT a.id, 'advance', 'approved', 'approved', '', true, a.decided_at + interval '18 days',
       a.decided_at + (a.id %% 12) * interval '1 day', (a.programme_id - 1) * 3 + 2, (a.programme_id - 1) * 3 + 3
FROM {s}.applications_application a WHERE a.status = 'disbursed'
UNION ALL
SELECT a.id, 'disburse', 'approved', 'disbursed', '', true, NULL, a.decided_at + interval '14 days',
       (a.programme_id - 1) * 3 + 3, (a.programme_id - 1) * 3 + 3
FROM {s}.applications_application a WHERE a.status = 'disbursed'
UNION ALL
SELECT a.id, CASE WHEN a.status = 'withdrawn' THEN 'withdraw' ELSE 'return' END, 'in_review', a.status, '', true,
       NULL, a.submitted_at + (a.id %% 11) * interval '1 day', (a.programme_id - 1) * 3 + 1, (a.programme_id - 1) * 3 + 1
FROM {s}.applications_application a WHERE a.status IN ('withdrawn', 'returned')
"""

FIXED_SQL = """
INSERT INTO {s}.enterprises_enterprise
  (id, credit_code, name, legal_representative, industry, size_class, above_designated_size, address,
   contact_name, contact_phone, contact_email, status, rejection_reason, created_at, updated_at)
SELECT j, '91' || lpad(j::text, 16, '0'), 'enterprise ' || j, '', 'C', '', j %% 5 = 0, '', '', '', '',
       CASE WHEN j %% 3 = 0 THEN 'pending' ELSE 'verified' END, '', timestamptz '2025-01-01' + j * interval '1 hour', now()
FROM generate_series(1, %(enterprises)s) j;
INSERT INTO {s}.funding_programme
  (id, title, category, description, policy_document, budget, opens_at, closes_at, required_documents, status, created_at,
   updated_at, eligibility_rules, no_application_needed)
VALUES (1, 'award', 'award', '', '', 50000000, '2025-05-01', '2026-12-31', '[]', 'open', now(), now(), '{{}}', false),
       (2, 'subsidy', 'subsidy', '', '', 30000000, '2025-05-01', '2026-12-31', '[]', 'open', now(), now(), '{{}}', false);
INSERT INTO {s}.funding_stage (id, programme_id, position, name, public_name, kind, role, office, time_limit_days)
SELECT (p - 1) * 3 + k, p, k, (ARRAY['审核','公示','拨付'])[k], (ARRAY['审核','公示','拨付'])[k],
       (ARRAY['review','notice','disbursement'])[k], 'reviewer', '', 5
FROM generate_series(1, 2) p, generate_series(1, 3) k;
"""


# Demands filed over a year: 1 in 6 still submitted (reply deadline open, some past), the
# rest accepted, answered (some late) or closed with a rating.
DEMANDS_SQL = """
INSERT INTO {s}.demands_demand
  (id, category, title, description, status, closed_without_rating, department, accepted_at, clock_started_at,
   first_reply_due_at, first_replied_at, resolution_due_at, extension_reason, answer, answered_at, rating,
   rating_comment, reopen_count, closed_at, created_at, updated_at, enterprise_id, filer_id)
SELECT i, 'financing', 'demand ' || i, '', st, false, '', CASE WHEN st <> 'submitted' THEN filed + interval '1 day' END,
       filed, filed + interval '3 days', CASE WHEN st <> 'submitted' THEN filed + (i %% 5) * interval '1 day' END,
       filed + interval '15 days', '', '',
       CASE WHEN st IN ('answered', 'closed') THEN filed + (i %% 20) * interval '1 day' END,
       CASE WHEN st = 'closed' THEN (ARRAY['satisfied', 'basically_satisfied', 'unsatisfied'])[1 + i %% 3] ELSE '' END,
       '', 0, CASE WHEN st = 'closed' THEN filed + interval '25 days' END, filed, filed, 1 + i %% %(enterprises)s, 1
FROM (SELECT i, (ARRAY['submitted', 'accepted', 'answered', 'closed', 'closed', 'closed'])[1 + i %% 6] AS st,
             timestamptz '2025-06-01 10:00+08' + (i * 3 %% 365) * interval '1 day' AS filed
      FROM generate_series(1, %(demands)s) i) g
"""


def build(args, connection, Tenant) -> float:
    """The registry rows and N schemas with data; returns the seconds it took."""
    t0 = time.perf_counter()
    kinds = [Tenant.Kind.DISTRICT, Tenant.Kind.PARK, Tenant.Kind.INSTITUTION]
    hub = Tenant.objects.get(kind=Tenant.Kind.HUB)
    Tenant.objects.bulk_create(
        [
            Tenant(
                schema_name=f"t{n:04d}",
                name=f"Sub-platform {n:04d}",
                kind=kinds[n % 3],
                parent=hub,
                status=Tenant.Status.SUSPENDED if n % 20 == 0 else Tenant.Status.ACTIVE,
                slot=Tenant.Slot.LIVE,
            )
            for n in range(1, args.tenants + 1)
        ]
    )
    params = {"applications": args.applications, "enterprises": args.enterprises, "demands": args.demands}
    with connection.cursor() as cursor:
        for n in range(1, args.tenants + 1):
            schema = f'"t{n:04d}"'
            cursor.execute(f"CREATE SCHEMA {schema}")
            for table in HUB_TABLES:
                cursor.execute(f"CREATE TABLE {schema}.{table} (LIKE tenant_template.{table} INCLUDING ALL)")
            cursor.execute(FIXED_SQL.format(s=schema), params)
            cursor.execute(APPLICATIONS_SQL.format(s=schema), params)
            cursor.execute(EVENTS_SQL.format(s=schema), params)
            cursor.execute(DEMANDS_SQL.format(s=schema), params)
            if n % 100 == 0:
                print(f"  {n} tenants built, {time.perf_counter() - t0:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


def loop_baseline(Tenant, schema_context, connection, figures_module, filters) -> dict:
    """The same figures the way a per-tenant loop computes them: schema_context, then per-schema SQL."""
    f = figures_module
    params = filters.bounds()
    city: dict = {}
    histogram: dict = {}
    for tenant in Tenant.objects.live():
        with schema_context(tenant.schema_name), connection.cursor() as cursor:
            scalars = ", ".join(
                f"({figure.sql.format(schema='public')}) AS {figure.key}".replace("public.", "")
                for figure in f.SCALAR_FIGURES
            )
            cursor.execute(f"SELECT {scalars}", params)
            for column, value in zip(cursor.description, cursor.fetchone(), strict=True):
                city[column.name] = city.get(column.name, 0) + (value or 0)
            branch = f.DECISIONS_DAYS.format(union=f.DECISIONS_BRANCH.replace("{schema}.", ""))
            cursor.execute(
                f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days),"
                f" percentile_cont(0.9) WITHIN GROUP (ORDER BY days) FROM ({branch}) u",
                params,
            )
            cursor.fetchone()
            cursor.execute(f"SELECT days, count(*) FROM ({branch}) u GROUP BY days", params)
            for days, count in cursor.fetchall():
                histogram[days] = histogram.get(days, 0) + count
            cursor.execute(f.STATUS_BRANCH.replace("{schema}.", ""), params)
            cursor.fetchall()
            cursor.execute(f.TIMELINESS_BRANCH.replace("{schema}.", ""), params)
            cursor.fetchall()
    return city


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


QUARTER = {"date_from": "2025-10-01", "date_to": "2025-12-31"}


def main() -> int:
    args = parse_args()
    args.keep = args.keep or args.reuse
    if args.reuse and not args.database:
        raise SystemExit("--reuse needs --database, the name a --keep run printed")
    args.database = args.database or bench_database_name("hub")
    url = bench_url(args.database)
    if not args.reuse:
        database_create(url)
    configure(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from every_schema.accounts import roles
    from every_schema.accounts.models import User
    from every_schema.accounts.services import user_create
    from public_schema.hub import figures
    from public_schema.hub.rollups import rollup_refresh, rollup_refresh_all
    from public_schema.hub.selectors import HubFilters, hub_stats, hub_stats_live
    from public_schema.tenants.models import Tenant

    tidy_redis = redis_tidier(BENCH_REDIS)
    try:
        t0 = time.perf_counter()
        if args.reuse:
            # The code under test may bring migrations of the hub's (public) tables.
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            args.tenants = Tenant.objects.live().exclude(kind=Tenant.Kind.HUB).count()
            print(
                f"reusing {args.database}: {args.tenants} tenants, public migrated in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
        else:
            call_command("parkhub_setup", no_pool=True, verbosity=0)
            print(f"parkhub_setup: {time.perf_counter() - t0:.1f} s", flush=True)
            build_seconds = build(args, connection, Tenant)
            print(
                f"{args.tenants} tenants × {args.applications} applications built in {build_seconds:.0f} s",
                flush=True,
            )
        with connection.cursor() as cursor:
            machine = machine_description(cursor)
        connection.set_schema_to_public()
        refresh_all_s = None
        if not (args.reuse and args.no_refresh):
            t0 = time.perf_counter()
            refreshed = rollup_refresh_all()
            refresh_all_s = time.perf_counter() - t0
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            rollup_rows = {}
            for table in ("hub_rollupday", "hub_rollupstatus", "hub_rolluptimeliness"):
                cursor.execute(
                    f"SELECT CASE WHEN day IS NULL THEN 'all-time' WHEN month THEN 'month' ELSE 'day' END,"
                    f" count(*) FROM public.{table} GROUP BY 1 ORDER BY 1"
                )
                rollup_rows[table.removeprefix("hub_rollup")] = dict(cursor.fetchall())
        if refresh_all_s is not None:
            print(f"rollups: refresh of all {refreshed} tenants {refresh_all_s:.1f} s", flush=True)
        print(f"rollup rows {rollup_rows}", flush=True)
        one_tenant = (
            Tenant.objects.live().order_by("pk").values_list("schema_name", flat=True)[args.tenants // 2]
        )
        refresh_one = [timed(lambda: rollup_refresh(schema_name=one_tenant)) for _ in range(args.repeat)]
        operator = User.objects.filter(email="bench-operator@hub.cn").first() or user_create(
            email="bench-operator@hub.cn",
            password="bench-password-9",
            role=roles.HUB_OPERATOR,
            full_name="bench",
        )
        client = Client(HTTP_HOST=f"hub.{os.environ.get('PARKHUB_BASE_DOMAIN', 'localhost')}")
        client.force_login(operator)

        def get(path, params=None):
            response = client.get(path, params or {})
            assert response.status_code == 200, (path, response.status_code)
            return response

        quarter = HubFilters(date_from=dt.date(2025, 10, 1), date_to=dt.date(2025, 12, 31))

        def loop(filters):
            connection.set_schema_to_public()
            loop_baseline(Tenant, schema_context, connection, figures, filters)
            connection.set_schema_to_public()

        measures = {
            "loop": lambda: loop(HubFilters()),
            "loop range": lambda: loop(quarter),
            "page": lambda: get("/dashboard/"),
            "page range": lambda: get("/dashboard/", QUARTER),
            "api": lambda: get("/api/hub/stats/"),
            "api range": lambda: get("/api/hub/stats/", QUARTER),
            # What the page reads (the API also reads each tenant's status and stage rows).
            "stats": lambda: hub_stats(filters=HubFilters(), breakdown=False),
            "stats range": lambda: hub_stats(filters=quarter, breakdown=False),
        }
        # Each figure is compared with the loop computing the same range.
        baseline_of = {name: "loop range" if name.endswith("range") else "loop" for name in measures}

        # Both ways agree on the additive figures (a check that the baseline computes the same thing).
        result, baseline = (
            hub_stats(filters=HubFilters()).city.values,
            loop_baseline(Tenant, schema_context, connection, figures, HubFilters()),
        )
        connection.set_schema_to_public()
        for key in (
            "enterprises",
            "applications",
            "overdue_now",
            "funds_budgeted",
            "funds_disbursed",
            "demands_received",
        ):
            assert float(result[key]) == float(baseline[key]), (key, result[key], baseline[key])
        for name, function in measures.items():  # warm-up, discarded
            if not name.startswith("loop"):
                function()
        samples: dict[str, list[float]] = {name: [] for name in measures}
        for _ in range(args.repeat):
            for name, function in measures.items():
                samples[name].append(timed(function))
        samples["refresh1"] = refresh_one
        if args.live:
            samples["live"] = [timed(lambda: hub_stats_live(filters=HubFilters()))]
        medians = {name: statistics.median(values) for name, values in samples.items()}
        print()
        print(f"run of {dt.date.today()} ({' '.join(sys.argv[1:]) or 'defaults'}), {git_revision()}")
        print(f"machine: {machine}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for name, values in samples.items():
            base = baseline_of.get(name)
            ratio = (
                f"  {base} / {name}: {medians[base] / medians[name]:.0f}×" if base and base != name else ""
            )
            print(
                f"{name:>12}: median {medians[name]:9.1f} ms  (min {min(values):.1f}, max {max(values):.1f}){ratio}"
            )
        if refresh_all_s is not None:
            print(
                f"refresh all: {refresh_all_s:.1f} s ({refresh_all_s * 1000 / max(refreshed, 1):.0f} ms per tenant)"
            )
        for name in ("page", "page range"):
            held = medians[baseline_of[name]] / medians[name] >= GOAL_RATIO and medians[name] <= GOAL_MS
            print(
                f"goal (≥{GOAL_RATIO}× the loop, ≤{GOAL_MS} ms) for {name}: {'holds' if held else 'MISSED'}"
            )
        return 0
    finally:
        connection.close()
        tidy_redis()
        if args.keep:
            print(f"kept database {args.database}")
        else:
            database_drop(url)


if __name__ == "__main__":
    sys.exit(main())
