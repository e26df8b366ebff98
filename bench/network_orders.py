"""How fast does an order cross from a sub-platform's enterprise to a service institution?

    .venv/bin/python bench/network_orders.py [--orders 1000] [--threads 8] [--concurrency 4] [--keep]

Runs against a database of its own (parkhub_bench_orders, created fresh and dropped at the
end unless --keep), Redis database 13 and the queue parkhub-bench-orders, never the demo's or
the tests'. It provisions 12 parks (sub-platforms) with a verified enterprise each and 30
admitted institutions with one product each, starts a real Celery worker (prefork,
`--concurrency`), and then:

  network     `--orders` orders placed through order_place by `--threads` threads, spread over the
              12 sub-platforms and the 30 institutions; each is "visible at the institution" when
              a poller (every 10 ms, its own connection) first sees its envelope delivered, i.e.
              the seller's copy committed in the institution's schema by the worker.
  same-tenant the same number of orders of the park's own services (billing's subscription_checkout,
              offline transfer) by the same threads in one park: visible to the park the moment
              they commit, so submit→visible is the request itself.

Reported: throughput (orders per second, first submit to last visible) and the p50/p95/max
of submit→visible for both, and the ratio. Issue 17's target: p95 ≤ 2 s and at least half
the same-tenant throughput.
"""

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from _common import (
    ROOT,
    bench_database_url,
    configure_environment,
    database_drop,
    database_recreate,
    git_revision,
    machine_description,
    redis_tidier,
)

BENCH_DB = "parkhub_bench_orders"
BENCH_REDIS = "redis://127.0.0.1:6379/13"
QUEUE = "parkhub-bench-orders"
SUB_PLATFORMS = 12
INSTITUTIONS = 30


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=4, help="the worker's processes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, int(round(0.95 * len(ordered))) - 1)],
        "max": ordered[-1],
    }


def worker_start(concurrency: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "saas", "worker", "--pool=prefork",
        f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "-Q", QUEUE,
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=ROOT, env=dict(os.environ), stdout=open(log, "w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    # At WARNING the worker logs nothing when ready: wait until it answers a ping instead.
    from saas.celery import app

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{log.read_text()[-3000:]}")
        replies = app.control.ping(timeout=0.5)
        if replies:
            return proc
    proc.kill()
    raise RuntimeError("the worker did not answer within 60 s")


def main() -> int:  # noqa: C901 - a benchmark's script reads top to bottom
    args = parse_args()
    url = bench_database_url(args.database_url, BENCH_DB)
    print(f"bench database: {url}", flush=True)
    database_recreate(url)
    configure_environment(
        url,
        redis=BENCH_REDIS,
        queue=QUEUE,
        MEDIA_ROOT=tempfile.mkdtemp(prefix="parkhub-bench-orders-"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    import public_schema.tenants.services as tenant_services
    from every_schema.accounts import roles
    from every_schema.accounts.services import user_create
    from public_schema.network.models import Handoff, InstitutionProfile, NetworkProduct
    from public_schema.tenants.models import Tenant
    from tenant_schema.billing.services import service_create, subscription_checkout
    from tenant_schema.enterprises.credit_code import credit_code_make
    from tenant_schema.enterprises.services import enterprise_register, enterprise_verify
    from tenant_schema.network_orders.services import order_place

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB
    tenant_services._queue_pool_refill = lambda: None
    tidy_redis = redis_tidier(BENCH_REDIS)
    serial = itertools.count(1)
    worker = None
    try:
        with connection.cursor() as cursor:
            machine = machine_description(cursor)
        print(f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
              f"PostgreSQL {machine['postgresql']}; revision {git_revision()}", flush=True)  # fmt: skip
        call_command("parkhub_setup", no_pool=True, verbosity=0)
        started = time.perf_counter()

        def enterprise_in(slug: str, admin):
            code = credit_code_make(f"91370281MA{next(serial):07d}")
            registration = enterprise_register(
                credit_code=code, name=f"青岛压测{code[-6:]}有限公司", contact_name="张三",
                email=f"owner{code[-6:].lower()}@bench.example.com", password="bench-password-2026",
            )  # fmt: skip
            enterprise_verify(enterprise=registration.enterprise, actor=admin)
            # Read again: the registration's user carries its enterprise as it was (pending).
            return get_user_model().objects.get(pk=registration.user.pk)

        buyers = []  # (slug, user)
        for index in range(SUB_PLATFORMS):
            slug = f"sub{index:02d}"
            tenant_services.tenant_provision(
                name=f"压测子平台{index}", slug=slug, kind=Tenant.Kind.DISTRICT, admin_email=f"a@{slug}.test"
            )
            with schema_context(slug):
                admin = user_create(email=f"admin2@{slug}.test", role=roles.PARK_ADMIN)
                buyers.append((slug, enterprise_in(slug, admin)))
        products = []
        for index in range(INSTITUTIONS):
            slug = f"inst{index:02d}"
            tenant = tenant_services.tenant_provision(
                name=f"压测服务机构{index}",
                slug=slug,
                kind=Tenant.Kind.INSTITUTION,
                admin_email=f"a@{slug}.test",
            ).tenant
            connection.set_schema_to_public()
            InstitutionProfile.objects.create(tenant=tenant, status=InstitutionProfile.Status.ADMITTED)
            products.append(
                NetworkProduct.objects.create(
                    institution=tenant,
                    name=f"咨询服务{index}",
                    category="consulting",
                    price=Decimal("500.00"),
                ).pk
            )
        # The same-tenant baseline: one park's own services, 20 enterprises × 50 services.
        with schema_context(buyers[0][0]):
            admin = user_create(email="admin3@sub00.test", role=roles.PARK_ADMIN)
            park_buyers = [enterprise_in(buyers[0][0], admin) for _ in range(20)]
            services = [
                service_create(actor=admin, name=f"园区服务{n}", price=Decimal("100.00"), category="legal")
                for n in range(50)
            ]
        print(f"set-up: {SUB_PLATFORMS} sub-platforms, {INSTITUTIONS} institutions in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip

        worker = worker_start(args.concurrency, Path(tempfile.mkdtemp()) / "worker.log")

        # --- network orders -------------------------------------------------------------
        submitted: dict[str, float] = {}
        submit_seconds: list[float] = []
        lock = threading.Lock()

        def place(number: int):
            slug, user = buyers[number % SUB_PLATFORMS]
            product_id = products[number % INSTITUTIONS]
            begun = time.perf_counter()
            with schema_context(slug):
                order = order_place(actor=user, product_id=product_id)
            with lock:
                submitted[order.reference] = begun
                submit_seconds.append(time.perf_counter() - begun)

        visible: dict[str, float] = {}
        done = threading.Event()

        def poll():
            from django.db import connection as poll_connection

            while not done.is_set() or len(visible) < len(submitted):
                delivered = Handoff.objects.filter(
                    kind="order.placed", state=Handoff.State.DELIVERED
                ).values_list("reference", flat=True)
                now = time.perf_counter()
                for reference in delivered:
                    visible.setdefault(reference, now)
                if done.is_set() and len(visible) >= len(submitted):
                    break
                time.sleep(0.01)
            poll_connection.close()

        poller = threading.Thread(target=poll)
        poller.start()
        first = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(place, range(args.orders)))
        done.set()
        poller.join(timeout=300)
        last_visible = max(visible.values())
        crossing = [visible[r] - submitted[r] for r in submitted]
        network = {
            "throughput": args.orders / (last_visible - first),
            **quantiles(crossing),
            "submit_p95": quantiles(submit_seconds)["p95"],
        }
        connection.set_schema_to_public()
        seller_rows = 0
        for index in range(INSTITUTIONS):
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT count(*) FROM "inst{index:02d}".network_orders_networkorder')
                seller_rows += cursor.fetchone()[0]
        assert seller_rows == args.orders, (seller_rows, args.orders)

        # --- same-tenant orders ---------------------------------------------------------
        same_seconds: list[float] = []
        combos = [(user, service) for user in park_buyers for service in services]

        def checkout(number: int):
            user, service = combos[number % len(combos)]
            begun = time.perf_counter()
            with schema_context(buyers[0][0]):
                subscription_checkout(actor=user, service=service, term_months=3, method="offline")
            with lock:
                same_seconds.append(time.perf_counter() - begun)

        same_first = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(checkout, range(min(args.orders, len(combos)))))
        same = {
            "throughput": len(same_seconds) / (time.perf_counter() - same_first),
            **quantiles(same_seconds),
        }

        print(f"\n{args.orders} orders, {args.threads} submitting threads, worker prefork ×{args.concurrency}, "
              f"load {machine['load']}")  # fmt: skip
        print(f"  network (12 sub-platforms → 30 institutions): {network['throughput']:.0f} orders/s, "
              f"submit→visible at the institution p50 {network['p50'] * 1000:.0f} ms, "
              f"p95 {network['p95'] * 1000:.0f} ms, max {network['max'] * 1000:.0f} ms "
              f"(the submit itself p95 {network['submit_p95'] * 1000:.0f} ms); {seller_rows} seller copies")  # fmt: skip
        print(f"  same-tenant (park's own service):              {same['throughput']:.0f} orders/s, "
              f"submit→visible p50 {same['p50'] * 1000:.0f} ms, p95 {same['p95'] * 1000:.0f} ms")  # fmt: skip
        ratio = network["throughput"] / same["throughput"]
        print(f"  throughput ratio network / same-tenant: {ratio:.2f} (goal ≥ 0.5); "
              f"p95 goal ≤ 2000 ms: {'met' if network['p95'] <= 2 else 'not met'}")  # fmt: skip
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        from django.db import connections

        connections.close_all()
        tidy_redis()
        if not args.keep:
            database_drop(url)


if __name__ == "__main__":
    sys.exit(main())
