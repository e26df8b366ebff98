"""Policy matching at park scale: the project's matching path against Python row by row, and a push.

    .venv/bin/python bench/matching.py [--enterprises 7000] [--programmes 50] [--repeat 5] [--keep]

Runs against a database of its own (parkhub_bench_match, created fresh here and dropped at
the end unless --keep): parkhub_setup (no pool), one park provisioned with
public_schema.tenants.services.tenant_provision, and in its schema `--enterprises` demo enterprises from
tenant_schema.enterprises.demo.enterprises_seed_demo (profiles, built-in tags on realistic shares,
figures for 2023–2025), all then marked verified (matching only reads verified
enterprises, so all of them are matched), each with one owner account, then VACUUM ANALYZE
(the steady state autovacuum keeps a live park in). `--programmes`
open programmes get varied rule sets (size class, 规上, industry, tags, revenue / R&D share
for a year, employees, months registered; combined with all / any).

Measured, interleaved, `--repeat` times each, for all open programmes × all enterprises:

  sql per programme   tenant_schema.eligibility.selectors.programme_qualifying_ids for each programme: the rule
                      set compiled to SQL (tenant_schema.eligibility.compiler), one statement returning ids;
                      what the push and 免申即享 use
  sql all at once     tenant_schema.eligibility.selectors.programmes_qualifying_ids: every programme's rule set
                      in ONE statement (one scan of the enterprises, one aggregate each); the
                      overview's counts are the same scan with counts instead of ids
  overview counts     tenant_schema.eligibility.selectors.programmes_outcome_counts: the same single scan, counting
                      qualifies / cannot tell / does not qualify per programme (the park's
                      matching overview page)
  page/API            for each programme what the qualifying page and
                      GET /programmes/<id>/qualifying/ do when opened: count each outcome in
                      SQL, cut the first page (50) of qualifying enterprises in SQL, load those
                      and their push state
  python              the row-by-row baseline at its best: every verified enterprise loaded ONCE
                      with its tags and figures, Facts built once per enterprise, each programme's
                      rules validated ONCE, then tenant_schema.eligibility.rules.rules_evaluate_validated for each
                      programme × enterprise. Its loading and its evaluation are also timed apart
                      ("python, evaluation only"), the kindest figure Python can claim.

Every run checks that all paths give the same qualifying set for every programme: the SQL
paths exactly; the overview by its number of qualifying enterprises; the page path by its count of qualifying enterprises, its first page, and
(untimed) all its pages read as one slice.

Then a push of one broad programme that every enterprise with 2025 revenue qualifies for:
tenant_schema.eligibility.tasks.push_run_task run in-process (the PushRun row is created directly instead of
through push_start, which would queue the task), with the real notification path
(tenant_schema.notifications.services.notification_send: Notification rows, dedupe keys). Celery points at
Redis database 10 and tenant_schema.notifications.tasks.notification_email_task.apply_async is replaced by
a counter, so no worker ever sees a task and no e-mail is sent; the script reports how many
notifications would have been e-mailed. Each push repeat uses a fresh copy of the programme.
"""

import argparse
import datetime as dt
import os
import random
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

BENCH_DB = bench_database_name("match")
BENCH_REDIS = bench_redis_url()
BENCH_SLUG = "benchmatch"
GOAL_RATIO = 20
GOAL_PUSH_SECONDS = 60
PAGE_SIZE = 50  # the qualifying page's and the API's


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=7_000, help="demo enterprises (default 7000)")
    parser.add_argument("--programmes", type=int, default=50, help="open programmes (default 50)")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per method (default 5)")
    parser.add_argument(
        "--push-repeat", type=int, default=2, help="pushes of a fresh broad programme (default 2)"
    )
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
    if min(args.enterprises, args.programmes, args.repeat, args.push_repeat) < 1:
        parser.error("counts must be at least 1")
    return args


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def rule_sets(count: int) -> list[tuple[str, dict]]:
    """`count` realistic rule sets (title, rules), cycling through templates with varied thresholds."""
    from tenant_schema.enterprises.demo import (
        TAG_FOREIGN,
        TAG_GAZELLE,
        TAG_HNTE,
        TAG_LITTLE_GIANT,
        TAG_TECH_SME,
        TAG_ZJTX,
    )  # fmt: skip

    def c(field, op, value, year=None):
        condition = {"field": field, "op": op, "value": value}
        if year:
            condition["year"] = year
        return condition

    templates = [
        lambda k, y: (
            "规上工业企业奖励",
            "all",
            [c("above_designated_size", "eq", True), c("industry", "eq", "C")],
        ),
        lambda k, y: (
            "研发费用补助",
            "all",
            [c("rd_share", "gte", 3 + k % 3, y), c("revenue", "gte", 5_000_000 * (1 + k % 4), y)],
        ),
        lambda k, y: (
            "专精特新培育",
            "any",
            [c("tags", "has_tag", TAG_ZJTX), c("tags", "has_tag", TAG_LITTLE_GIANT)],
        ),
        lambda k, y: (
            "科技型中小企业贷款贴息",
            "all",
            [c("tags", "in", [TAG_TECH_SME, TAG_HNTE]), c("size_class", "in", ["small", "micro"])],
        ),
        lambda k, y: (
            "小微企业稳岗补贴",
            "all",
            [
                c("size_class", "in", ["small", "micro"]),
                c("employees", "lte", 50 + 25 * (k % 4)),
                c("registered_months", "gte", 6 + 6 * (k % 3)),
            ],
        ),
        lambda k, y: (
            "瞪羚企业奖励",
            "any",
            [c("tags", "has_tag", TAG_GAZELLE), c("rd_share", "gte", 6 + k % 3, y)],
        ),
        lambda k, y: (
            "软件和信息服务业扶持",
            "all",
            [c("industry", "in", ["I", "M"]), c("registered_months", "gte", 12 * (1 + k % 2))],
        ),
        lambda k, y: (
            "内资中型企业技改",
            "all",
            [
                c("tags", "not_in", [TAG_FOREIGN]),
                c("size_class", "ne", "large"),
                c("output_value", "gte", 10_000_000 * (1 + k % 3), y),
            ],
        ),
        lambda k, y: (
            "纳税大户奖励",
            "any",
            [c("tax_paid", "gte", 1_000_000 * (1 + k % 5), y), c("revenue", "gte", 100_000_000, y)],
        ),
        lambda k, y: (
            "商贸流通企业补贴",
            "all",
            [
                c("industry", "in", ["F", "G", "H"]),
                c("above_designated_size", "eq", k % 2 == 0),
                c("employees", "gte", 10 * (1 + k % 3)),
            ],
        ),
        lambda k, y: (
            "高新技术企业认定奖励",
            "all",
            [c("tags", "has_tag", TAG_HNTE), c("rd_spend", "gte", 500_000 * (1 + k % 4), y)],
        ),
        lambda k, y: (
            "新入园企业开办补助",
            "all",
            [c("registered_months", "lte", 12 + 6 * (k % 3)), c("industry", "not_in", ["K", "J"])],
        ),
        lambda k, y: (
            "规下企业升规奖励",
            "all",
            [
                c("above_designated_size", "eq", False),
                c("revenue", "gte", 15_000_000 + 1_000_000 * (k % 5), y),
                c("industry", "in", ["C", "D", "B"]),
            ],
        ),
    ]
    out = []
    for i in range(count):
        k, index = divmod(i, len(templates))
        template = templates[index]
        year = (2025, 2024)[i % 2]
        title, combine, conditions = template(k, year)
        out.append((f"{title}（{year}·{i + 1:02d}）", {"combine": combine, "conditions": conditions}))
    return out


BROAD_RULES = {"combine": "all", "conditions": [{"field": "revenue", "op": "gt", "value": 0, "year": 2025}]}


def main() -> int:
    args = parse_args()
    url = bench_database_url(args.database_url, BENCH_DB)
    print(f"bench database: {url}", flush=True)
    print(f"load average at start (1/5/15 min): {load()}", flush=True)
    database_create(url)
    media_root = tempfile.mkdtemp(prefix="parkhub-bench-match-")
    configure_environment(
        url,
        redis=BENCH_REDIS,
        queue="parkhub-bench-match",
        MEDIA_ROOT=media_root,
        CONN_MAX_AGE="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )

    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    import public_schema.tenants.services as tenant_services
    from public_schema.tenants.models import Tenant
    from tenant_schema.eligibility import selectors as matching_selectors
    from tenant_schema.eligibility.models import PushDelivery, PushRun
    from tenant_schema.eligibility.rules import QUALIFIES, facts_of, rules_evaluate_validated, rules_validate
    from tenant_schema.eligibility.tasks import push_run_task
    from tenant_schema.enterprises.demo import enterprises_seed_demo
    from tenant_schema.enterprises.models import Enterprise, Membership
    from tenant_schema.funding.models import Programme
    from tenant_schema.funding.selectors import programme_list_open
    from tenant_schema.notifications.models import Notification
    from tenant_schema.notifications.tasks import notification_email_task

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB, settings.DATABASES["default"]["NAME"]
    tenant_services._queue_pool_refill = lambda: None

    would_email = []  # notification ids the push would have queued for e-mail

    def email_counted(*_args, kwargs=None, **_options):
        would_email.extend((kwargs or {}).get("notification_ids", ()))

    notification_email_task.apply_async = email_counted  # no worker, no mail: count instead

    tidy_redis = redis_tidier(BENCH_REDIS)

    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            machine = machine_description(cursor)
        print(
            f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
            f"PostgreSQL {machine['postgresql']}, Python {machine['python']}",
            flush=True,
        )
        call_command("parkhub_setup", no_pool=True, verbosity=0)
        provisioned = tenant_services.tenant_provision(
            name="Bench matching park",
            slug=BENCH_SLUG,
            kind=Tenant.Kind.PARK,
            admin_email="admin@bench.example.com",
        )
        print(f"tenant {BENCH_SLUG} provisioned ({provisioned.method})", flush=True)

        with schema_context(BENCH_SLUG):
            User = get_user_model()
            admin = User.objects.get(pk=provisioned.administrator_id)
            t = time.perf_counter()
            above = round(args.enterprises * 0.12)
            enterprises_seed_demo(
                count=args.enterprises, above_size=above, rng=random.Random("parkhub-bench-match")
            )
            now = timezone.now()
            Enterprise.objects.exclude(status=Enterprise.Status.VERIFIED).update(
                status=Enterprise.Status.VERIFIED, verified_at=now, rejection_reason=""
            )
            ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
            users = User.objects.bulk_create(
                [
                    User(email=f"owner{pk}@bench.example.com", full_name=f"企业{pk}", password="!bench")
                    for pk in ids
                ],
                batch_size=1000,
            )
            Membership.objects.bulk_create(
                [
                    Membership(user=u, enterprise_id=pk, role=Membership.Role.OWNER)
                    for u, pk in zip(users, ids, strict=True)
                ],
                batch_size=1000,
            )
            sets = rule_sets(args.programmes)
            opens, closes = now - dt.timedelta(days=1), now + dt.timedelta(days=60)
            Programme.objects.bulk_create(
                [
                    Programme(
                        title=title, budget=5_000_000, per_enterprise_cap=200_000, opens_at=opens,
                        closes_at=closes, status=Programme.Status.OPEN, created_by=admin,
                        eligibility_rules=rules_validate(rules),
                    )
                    for title, rules in sets
                ]
            )  # fmt: skip
            with connection.cursor() as cursor:
                # Steady state: the mass update to "verified" above leaves a dead row per enterprise,
                # which autovacuum would clear in a live park.
                cursor.execute("VACUUM ANALYZE")
            print(
                f"seeded {len(ids)} enterprises ({above} 规上; all verified, one owner each) and "
                f"{len(sets)} open programmes in {time.perf_counter() - t:.1f} s",
                flush=True,
            )

            def sql_per_programme():
                return {
                    p.pk: matching_selectors.programme_qualifying_ids(programme=p)
                    for p in programme_list_open()
                }

            def sql_all_at_once():
                return matching_selectors.programmes_qualifying_ids(programmes=list(programme_list_open()))

            def overview_counts():
                return matching_selectors.programmes_outcome_counts(programmes=list(programme_list_open()))

            def page_api():
                opened = {}
                for p in programme_list_open():
                    matches = matching_selectors.programme_matches(programme=p, outcomes=(QUALIFIES,))
                    page = matches[0:PAGE_SIZE]
                    matching_selectors.programme_pushed_ids(
                        programme=p, among=[m.enterprise.pk for m in page]
                    )
                    opened[p.pk] = (matches.counts[QUALIFIES], [m.enterprise.pk for m in page])
                return opened

            python_split = {"load": [], "evaluate": []}

            def python_rows():
                t0 = time.perf_counter()
                programmes = [(p.pk, rules_validate(p.eligibility_rules)) for p in programme_list_open()]
                when = timezone.now()
                facts = [(e.pk, facts_of(e, now=when)) for e in matching_selectors.enterprises_for_matching()]
                t1 = time.perf_counter()
                qualifying = {
                    pk: sorted(
                        enterprise_pk
                        for enterprise_pk, f in facts
                        if rules_evaluate_validated(rules, f, explain=False).outcome == QUALIFIES
                    )
                    for pk, rules in programmes
                }
                python_split["load"].append(t1 - t0)
                python_split["evaluate"].append(time.perf_counter() - t1)
                return qualifying

            def check(results):
                expected = results["python"]
                for name in ("sql per programme", "sql all at once"):
                    bad = [pk for pk in expected if results[name].get(pk) != expected[pk]]
                    if bad or set(results[name]) != set(expected):
                        raise AssertionError(f"{name} and python disagree on programmes {bad[:5]}")
                for pk, counts in results["overview counts"].items():
                    if counts[QUALIFIES] != len(expected[pk]):
                        raise AssertionError(f"overview counts and python disagree on programme {pk}")
                for p in programme_list_open():
                    count, first_page = results["page/API"][p.pk]
                    qualifying = expected[p.pk]
                    matches = matching_selectors.programme_matches(programme=p, outcomes=(QUALIFIES,))
                    every_page = sorted(m.enterprise.pk for m in matches[0 : matches.count()])
                    if (
                        count != len(qualifying)
                        or not set(first_page) <= set(qualifying)
                        or every_page != qualifying
                    ):
                        raise AssertionError(f"page/API and python disagree on programme {p.pk}")

            methods = {
                "sql per programme": sql_per_programme,
                "sql all at once": sql_all_at_once,
                "overview counts": overview_counts,
                "page/API": page_api,
                "python": python_rows,
            }
            times = {name: [] for name in methods}
            sizes = None
            for i in range(args.repeat):
                order = list(methods)
                order = order[i % len(order) :] + order[: i % len(order)]  # each method in each position
                results = {}
                for name in order:
                    t = time.perf_counter()
                    results[name] = methods[name]()
                    times[name].append(time.perf_counter() - t)
                check(results)
                sizes = sorted(len(s) for s in results["python"].values())
                print(
                    f"  run {i + 1}/{args.repeat} (load {load()}): "
                    + ", ".join(f"{n} {times[n][-1]:.3f} s" for n in methods)
                    + f" (python: load {python_split['load'][-1]:.2f} s, evaluate {python_split['evaluate'][-1]:.2f} s)"
                    + "; same qualifying sets",
                    flush=True,
                )

            # The push: fresh copies of one broad programme, each pushed once.
            push_times, push_sent = [], []
            for i in range(args.push_repeat):
                programme = Programme.objects.create(
                    title=f"营业收入企业普惠服务券（推送 {i + 1}）", budget=5_000_000, per_enterprise_cap=20_000,
                    opens_at=opens, closes_at=closes, status=Programme.Status.OPEN, created_by=admin,
                    eligibility_rules=rules_validate(BROAD_RULES),
                )  # fmt: skip
                run = PushRun.objects.create(programme=programme, started_by=admin)
                would_email.clear()
                t = time.perf_counter()
                sent = push_run_task(run_id=run.pk)
                push_times.append(time.perf_counter() - t)
                run.refresh_from_db()
                deliveries = PushDelivery.objects.filter(programme=programme).count()
                notes = Notification.objects.filter(dedupe_key=f"programme:{programme.pk}:push").count()
                assert run.status == PushRun.Status.DONE and sent == deliveries == run.total, (
                    run.status,
                    sent,
                )
                assert notes == len(would_email) == len(set(would_email)), (notes, len(would_email))
                push_sent.append((sent, notes, len(would_email)))
                print(
                    f"  push {i + 1}/{args.push_repeat} (load {load()}): {sent} enterprises reached, "
                    f"{notes} notifications, {len(would_email)} e-mails would be queued, "
                    f"{push_times[-1]:.2f} s",
                    flush=True,
                )
            again = time.perf_counter()
            rerun = PushRun.objects.create(programme=programme, started_by=admin)
            resent = push_run_task(run_id=rerun.pk)
            print(
                f"  second push of the same programme: {resent} reached in {time.perf_counter() - again:.2f} s"
            )

        print()
        med = {n: statistics.median(v) for n, v in times.items()}
        pairs = len(sets) * len(ids)
        print(
            f"{len(ids)} enterprises × {len(sets)} programmes = {pairs:,} pairs, {args.repeat} runs each; "
            f"qualifying per programme: min {sizes[0]}, median {statistics.median(sizes):.0f}, max {sizes[-1]}"
        )
        print("| method | median s | min s | max s | × python | × python, evaluation only |")
        print("|---|---:|---:|---:|---:|---:|")
        evaluate_med = statistics.median(python_split["evaluate"])
        for name, values in times.items():
            print(
                f"| {name} | {med[name]:.3f} | {min(values):.3f} | {max(values):.3f} "
                f"| {med['python'] / med[name]:.1f} | {evaluate_med / med[name]:.1f} |"
            )
        print(
            f"| python, evaluation only | {evaluate_med:.3f} | {min(python_split['evaluate']):.3f} "
            f"| {max(python_split['evaluate']):.3f} | {med['python'] / evaluate_med:.1f} | 1.0 |"
        )
        print(
            f"(python: loading {len(ids)} enterprises with tags and figures and building their facts, "
            f"median {statistics.median(python_split['load']):.3f} s; validating and evaluating, "
            f"median {evaluate_med:.3f} s)"
        )
        ratios = {name: med["python"] / med[name] for name in methods if name != "python"}
        push_med = statistics.median(push_times)
        # The goal's task is matching the park's enterprises against all 50 programmes: the
        # one-statement path does exactly that. The other paths answer other questions (one
        # programme at a time for push; a page of one programme) and are reported beside it.
        ok_ratio = ratios["sql all at once"] >= GOAL_RATIO
        ok_push = push_med <= GOAL_PUSH_SECONDS
        print(
            f"\ngoal: matching {args.enterprises} enterprises against {args.programmes} programmes >= {GOAL_RATIO}x "
            f"python row by row (sql all at once): {'HOLDS' if ok_ratio else 'DOES NOT HOLD'} ("
            + ", ".join(f"{name} {ratio:.1f}x" for name, ratio in ratios.items())
            + "; against python's evaluation alone: "
            + ", ".join(f"{name} {evaluate_med / med[name]:.1f}x" for name in ratios)
            + ")"
        )
        print(
            f"goal: push to {push_sent[0][0]} enterprises <= {GOAL_PUSH_SECONDS} s: "
            f"{'HOLDS' if ok_push else 'DOES NOT HOLD'} (median {push_med:.2f} s of {len(push_times)}: "
            + ", ".join(f"{x:.2f}" for x in push_times)
            + ")"
        )
        print(f"\nmachine: {machine}")
        print(f"load average at end (1/5/15 min): {load()}")
        print(f"revision: {git_revision()}, date: {dt.date.today().isoformat()}")
        print(f"total time: {time.perf_counter() - started:.0f} s")
        return 0 if ok_ratio and ok_push else 1
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


if __name__ == "__main__":
    sys.exit(main())
