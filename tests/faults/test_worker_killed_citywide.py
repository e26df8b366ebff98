"""Fault: the worker is killed while it hands a city-wide programme from the hub to a tenant.

The hub publishes a programme for three parks; the fan-out queues one delivery per park
(public schema → the park's schema). The test holds, uncommitted, the delivery record of the
second park, so the worker stops exactly there: the park's own programme copy written in the
worker's open transaction, the delivery record waiting. It is killed with SIGKILL at that
point. Nothing of the dead delivery may stay; the message the dead worker never acknowledged
comes back to a new worker; in the end every park has exactly one copy and the hub's page
says all three are delivered.
"""

import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import User
from public_schema.city_programmes.models import CityProgramme, CityProgrammeDelivery
from public_schema.city_programmes.services import city_programme_publish
from public_schema.city_programmes.tasks import city_programme_deliver_task, city_programme_fan_out_task
from tenant_schema.funding.models import Programme

from ..city_programmes.test_fan_out import _fields, _park
from ..conftest import HUB_HOST, HostClient, make_user, wait_until
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def copies(tenant, city_programme) -> int:
    with schema_context(tenant.schema_name):
        return Programme.objects.filter(city_programme_id=city_programme.pk).count()


def test_a_delivery_whose_worker_is_killed_reaches_every_park_once(killable_workers, dropped_after):
    started = time.monotonic()
    parks = [_park(dropped_after, label) for label in ("east", "mid", "west")]
    east, mid, west = parks
    operator = make_user("public", role=roles.HUB_OPERATOR)
    hub = HostClient(HUB_HOST)
    hub.force_login(operator)
    city_programme = None
    try:
        with tasks_on_queue(killable_workers.queue, city_programme_fan_out_task, city_programme_deliver_task):
            city_programme = city_programme_publish(
                actor=operator, tenants=parks, budget="900000", **_fields(title="2026年度全市断电演练奖励")
            )
        page_url = f"/city-programmes/{city_programme.pk}/"
        delivery_table = CityProgrammeDelivery._meta.db_table
        with row_held(
            f"INSERT INTO {delivery_table} (city_programme_id, tenant_id, programme_id, delivered_at) "
            "VALUES (%s, %s, 0, now())",
            [city_programme.pk, mid.pk],
        ):
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing=delivery_table)
            # Stopped at the known point: the first park is delivered, the second is in flight.
            assert [copies(park, city_programme) for park in parks] == [1, 0, 0]
            in_flight = killable_workers.received("citywide.deliver")[-1]
            killable_workers.kill()
            print(
                f"killed the worker while it delivered to the 2nd of 3 parks, {elapsed_since(started)} s in"
            )
        backend_gone(waiter["pid"])

        # The dead delivery left nothing: no copy in the park, no delivery record.
        connection.set_schema_to_public()
        assert [copies(park, city_programme) for park in parks] == [1, 0, 0]
        assert list(
            CityProgrammeDelivery.objects.filter(city_programme=city_programme).values_list(
                "tenant_id", flat=True
            )
        ) == [east.pk]
        page = hub.get(page_url).content.decode()
        assert page.count("✓") == 1 and page.count("on its way") + page.count("分发中") == 2

        killable_workers.start_after_visibility_timeout()
        wait_until(
            lambda: CityProgrammeDelivery.objects.filter(city_programme=city_programme).count() == 3,
            timeout=40,
            message="the new worker to deliver to the other parks",
        )
        # The message the dead worker held was handed out again, and the new worker took it.
        assert killable_workers.received("citywide.deliver").count(in_flight) >= 2
        # A little longer: a late redelivery of any message must not make a second copy.
        time.sleep(0.5)
        assert [copies(park, city_programme) for park in parks] == [1, 1, 1]
        assert CityProgrammeDelivery.objects.filter(city_programme=city_programme).count() == 3
        for park in parks:
            delivery = CityProgrammeDelivery.objects.get(city_programme=city_programme, tenant=park)
            with schema_context(park.schema_name):
                copy = Programme.objects.get(city_programme_id=city_programme.pk)
            assert delivery.programme_id == copy.pk and copy.status == "open"
        page = hub.get(page_url).content.decode()
        assert page.count("✓") == 3 and "on its way" not in page and "分发中" not in page
        listing = hub.get("/city-programmes/").content.decode()
        assert "2026年度全市断电演练奖励" in listing
        print(f"3 parks, 1 copy each, 3 deliveries, {elapsed_since(started)} s in all")
    finally:
        killable_workers.stop_all()
        connection.set_schema_to_public()
        if city_programme is not None:
            CityProgramme.objects.filter(pk=city_programme.pk).delete()
        # The ORM's cascade would look for tenant-only tables (memberships) in the public schema.
        with connection.cursor() as cursor:
            for table, column in (
                (User.groups.through._meta.db_table, "user_id"),
                (User._meta.db_table, "id"),
            ):
                cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [operator.pk])
