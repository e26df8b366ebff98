"""Fault: the worker is killed in the middle of refreshing a tenant's hub rollups.

The hub's dashboard reads rollup rows (public schema) that a task recomputes from the
tenant's schema as delete + insert in one transaction. A park has two enterprises, rolled
up; three more register, which queues a refresh. The test holds a lock on the park's
summary rollup row, so the refresh stops mid-transaction (the day, status and programme rows
already deleted, the summary row's delete waiting), and kills the worker there with SIGKILL.
The hub must keep showing the old figures (never half of them), and once the redelivered
message has run, the rollup must equal the live count: five enterprises, no row twice.
"""

import secrets
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from public_schema.hub.rollups import rollup_refresh
from public_schema.hub.selectors import HubFilters, hub_stats, hub_stats_live
from public_schema.hub.tasks import rollup_refresh_task
from public_schema.tenants.models import Tenant

from ..conftest import wait_until
from ..enterprises.conftest import register
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def rolled_up(slug: str) -> dict:
    return hub_stats(filters=HubFilters(slug=slug), breakdown=False).city.values


def duplicate_day_rows(tenant_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT month, day FROM public.hub_rollupday WHERE tenant_id = %s "
            "GROUP BY month, day HAVING count(*) > 1) d",
            [tenant_id],
        )
        return cursor.fetchone()[0]


def test_a_rollup_refresh_whose_worker_is_killed_leaves_the_old_figures_then_the_right_ones(
    killable_workers, dropped_after, settings
):
    from public_schema.tenants.services import tenant_provision

    started = time.monotonic()
    settings.PARKHUB_HUB_ROLLUP_DEBOUNCE_SECONDS = 0
    slug = f"rollkill{secrets.token_hex(2)}"
    dropped_after.append(slug)
    tenant_provision(name="汇总断电园区", slug=slug, kind="park", admin_email=f"admin@{slug}.cn")
    tenant = Tenant.objects.get(schema_name=slug)
    with tasks_on_queue(killable_workers.queue, rollup_refresh_task):
        for number in range(2):
            register(slug, name=f"城阳汇总演练{number}有限公司")
        rollup_refresh(schema_name=slug)
        before = rolled_up(slug)
        assert before["enterprises"] == 2
        # The refresh these registrations queue (once for the burst) is the one the worker runs.
        for number in range(2, 5):
            register(slug, name=f"城阳汇总演练{number}有限公司")
        with row_held(
            "SELECT 1 FROM public.hub_rolluptenant WHERE tenant_id = %s FOR UPDATE", [tenant.pk], schema=slug
        ):
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing="hub_rolluptenant")
            in_flight = killable_workers.received("hub.rollup_refresh")[-1]
            # Mid-refresh, readers still see the old rows: the deletes are not committed.
            assert rolled_up(slug) == before
            killable_workers.kill()
            print(f"killed the worker mid-refresh, {elapsed_since(started)} s in")
        backend_gone(waiter["pid"])
        connection.set_schema_to_public()
        assert rolled_up(slug) == before  # the dead refresh left the old figures whole

        killable_workers.start_after_visibility_timeout()
        wait_until(lambda: rolled_up(slug)["enterprises"] == 5, timeout=40, message="the redelivered refresh")
        assert killable_workers.received("hub.rollup_refresh").count(in_flight) >= 2
        time.sleep(0.5)
    after = rolled_up(slug)
    with schema_context("public"):
        live = hub_stats_live(filters=HubFilters(slug=slug), breakdown=False).city.values
    assert after == live
    assert after["enterprises"] == 5
    assert duplicate_day_rows(tenant.pk) == 0
    print(f"rollup equals the live figures (5 enterprises), {elapsed_since(started)} s in all")
