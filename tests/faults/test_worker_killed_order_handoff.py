"""Fault: the worker is killed while it hands an enterprise's order to a service institution.

An enterprise of a park orders a product of an institution (two tenants, two schemas). The
envelope's delivery task runs in a real worker; the test holds a SHARE lock on the
institution's order table, so the worker stops exactly at the INSERT of the seller's copy,
inside its open transaction, and is killed there with SIGKILL. Both sides must then show the
order as pending with nothing half-written; the message the dead worker never acknowledged
comes back to a new worker, and the institution ends with exactly one copy of the order.
"""

import time
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from public_schema.network.models import Handoff
from public_schema.network.tasks import handoff_deliver_task
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_drop, tenant_provision
from tenant_schema.network_orders.models import NetworkOrder, NetworkOrderHistory
from tenant_schema.network_orders.selectors import order_is_pending
from tenant_schema.network_orders.services import order_place

from ..conftest import wait_until
from ..factories import EnterpriseFactory
from ..network_orders.conftest import institution_make
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def seller_rows(schema: str, reference: str) -> int:
    with schema_context(schema):
        return NetworkOrder.objects.filter(reference=reference, side="seller").count()


def test_an_order_whose_worker_is_killed_mid_handoff_is_pending_then_delivered_once(
    killable_workers, dropped_after
):
    started = time.monotonic()
    park_slug = f"ordpark{uuid.uuid4().hex[:6]}"
    dropped_after.append(park_slug)
    tenant_provision(
        name="订单演练园区", slug=park_slug, kind=Tenant.Kind.PARK, admin_email=f"a@{park_slug}.test"
    )
    institution = institution_make(name="断电演练咨询机构")
    seller = institution.tenant.schema_name
    dropped_after.append(seller)
    with schema_context(park_slug):
        buyer = EnterpriseFactory(verified=True)
    try:
        table = NetworkOrder._meta.db_table
        with row_held(f"LOCK TABLE {table} IN SHARE MODE", schema=seller):
            with tasks_on_queue(killable_workers.queue, handoff_deliver_task), schema_context(park_slug):
                order = order_place(actor=buyer.user, product_id=institution.open_to_all.pk)
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing=table)
            assert "insert" in waiter["query"].lower()
            killable_workers.kill()
            print(f"killed the worker at the seller's INSERT, {elapsed_since(started)} s in")
        backend_gone(waiter["pid"])

        # Nothing half-written: no seller copy, the envelope pending, both sides say so.
        connection.set_schema_to_public()
        envelope = Handoff.objects.get(idempotency_key=f"order:{order.reference}:placed")
        assert envelope.state == "pending" and envelope.delivered_at is None
        assert seller_rows(seller, order.reference) == 0
        with schema_context(park_slug):
            assert order_is_pending(order=NetworkOrder.objects.get(pk=order.pk))

        killable_workers.start_after_visibility_timeout()
        wait_until(
            lambda: Handoff.objects.get(pk=envelope.pk).state == "delivered",
            timeout=40,
            message="a new worker to deliver the envelope",
        )
        time.sleep(0.5)  # a late redelivery must not make a second copy
        assert seller_rows(seller, order.reference) == 1
        with schema_context(seller):
            assert NetworkOrderHistory.objects.filter(order__reference=order.reference).count() == 1
        with schema_context(park_slug):
            assert not order_is_pending(order=NetworkOrder.objects.get(pk=order.pk))
        assert (
            killable_workers.received("network.handoff_deliver").count(
                killable_workers.received("network.handoff_deliver")[0]
            )
            >= 2
        )  # the dead worker's message was handed out again
        print(f"one seller copy, envelope delivered, {elapsed_since(started)} s in all")
    finally:
        killable_workers.stop_all()
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(schema_name=seller):
            tenant_drop(tenant=tenant)
