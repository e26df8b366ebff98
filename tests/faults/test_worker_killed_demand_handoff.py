"""Fault: the worker is killed while it hands a network demand from a sub-platform to the hub.

An enterprise of a park files a demand (its sub-platform's copy); the envelope to the hub's
supervision office is delivered by a real worker. The test holds a SHARE lock on the hub's
table of demand copies, so the worker stops exactly at the INSERT of the hub's copy, inside
its open transaction, and is killed there with SIGKILL. The envelope must then be pending
with nothing half-written on the hub; the unacknowledged message comes back to a new worker,
and the hub ends with exactly one copy and one history row.
"""

import time
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.network_demands.models import NetworkDemand, NetworkDemandHistory
from every_schema.network_demands.selectors import demand_is_pending
from every_schema.network_demands.services import demand_file
from public_schema.handling_units.services import supervision_unit
from public_schema.network.models import Handoff
from public_schema.network.tasks import handoff_deliver_task
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision

from ..conftest import wait_until
from ..factories import EnterpriseFactory
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def hub_copies(reference: str) -> int:
    with schema_context("public"):
        return NetworkDemand.objects.filter(reference=reference).count()


def test_a_demand_whose_worker_is_killed_mid_handoff_is_pending_then_delivered_once(
    killable_workers, dropped_after
):
    started = time.monotonic()
    park_slug = f"dmdpark{uuid.uuid4().hex[:6]}"
    dropped_after.append(park_slug)
    tenant_provision(
        name="诉求演练街道", slug=park_slug, kind=Tenant.Kind.DISTRICT, admin_email=f"a@{park_slug}.test"
    )
    watch = supervision_unit()
    with schema_context(park_slug):
        firm = EnterpriseFactory(verified=True)
    try:
        table = f"public.{NetworkDemand._meta.db_table}"
        with row_held(f"LOCK TABLE {table} IN SHARE MODE", schema="public"):
            with tasks_on_queue(killable_workers.queue, handoff_deliver_task), schema_context(park_slug):
                demand = demand_file(actor=firm.user, title="用地规划", description="需要自然资源局确认")
            reference = demand.reference
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing=NetworkDemand._meta.db_table)
            assert "insert" in waiter["query"].lower()
            killable_workers.kill()
            print(f"killed the worker at the hub's INSERT, {elapsed_since(started)} s in")
        backend_gone(waiter["pid"])

        connection.set_schema_to_public()
        (envelope,) = Handoff.objects.filter(reference=reference)
        assert envelope.state == "pending" and envelope.delivered_at is None
        assert hub_copies(reference) == 0
        with schema_context(park_slug):
            assert demand_is_pending(demand=NetworkDemand.objects.get(pk=demand.pk))

        killable_workers.start_after_visibility_timeout()
        wait_until(
            lambda: Handoff.objects.get(pk=envelope.pk).state == "delivered",
            timeout=40,
            message="a new worker to deliver the envelope",
        )
        time.sleep(0.5)  # a late redelivery must not make a second copy
        assert hub_copies(reference) == 1
        with schema_context("public"):
            copy = NetworkDemand.objects.get(reference=reference)
            assert copy.unit_id == watch.pk
            assert NetworkDemandHistory.objects.filter(demand=copy).count() == 1
        with schema_context(park_slug):
            assert not demand_is_pending(demand=NetworkDemand.objects.get(pk=demand.pk))
        print(f"one hub copy, envelope delivered, {elapsed_since(started)} s in all")
    finally:
        killable_workers.stop_all()
        connection.set_schema_to_public()
        # The hub's copy stays (its history is append-only); its park's schema is dropped.
