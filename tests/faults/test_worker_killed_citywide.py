"""Fault: the worker is killed while it hands a city-wide programme from the hub to a tenant.

The hub publishes a programme for three parks: one envelope per park (public_schema.network),
each delivered by a worker into the park's schema. The test holds, uncommitted, a copy of the
programme in the second park's schema, so the worker stops exactly there: the second envelope
locked, its copy's INSERT waiting on the held one. It is killed with SIGKILL at that point.
Nothing of the dead delivery may stay and its envelope still says pending (the hub's page: on
its way); the message the dead worker never acknowledged comes back to a new worker; in the
end every park has exactly one copy and the hub's page says all three are delivered.
"""

import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import User
from public_schema.city_programmes.services import city_programme_publish
from public_schema.network.models import Handoff
from public_schema.network.tasks import handoff_deliver_task
from tenant_schema.funding.models import Programme

from ..city_programmes.test_fan_out import _fields, _park, city_programmes_remove
from ..conftest import HUB_HOST, HostClient, make_user, wait_until
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def copies(tenant, city_programme) -> int:
    with schema_context(tenant.schema_name):
        return Programme.objects.filter(city_programme_id=city_programme.pk).count()


def delivered(city_programme) -> list[int]:
    """The parks (tenant ids) whose envelope says delivered."""
    connection.set_schema_to_public()
    return list(
        city_programme.shares.filter(handoff__state=Handoff.State.DELIVERED)
        .order_by("pk")
        .values_list("tenant_id", flat=True)
    )


def test_a_delivery_whose_worker_is_killed_reaches_every_park_once(killable_workers, dropped_after):
    started = time.monotonic()
    parks = [_park(dropped_after, label) for label in ("east", "mid", "west")]
    east, mid, west = parks
    operator = make_user("public", role=roles.HUB_OPERATOR)
    hub = HostClient(HUB_HOST)
    hub.force_login(operator)
    city_programme = None
    try:
        with tasks_on_queue(killable_workers.queue, handoff_deliver_task):
            city_programme = city_programme_publish(
                actor=operator, tenants=parks, budget="900000", **_fields(title="2026年度全市断电演练奖励")
            )
        page_url = f"/city-programmes/{city_programme.pk}/"
        programme_table = Programme._meta.db_table
        with row_held(
            f"INSERT INTO {programme_table} (title, category, description, policy_document, budget, "
            "opens_at, closes_at, required_documents, status, created_at, updated_at, eligibility_rules, "
            "no_application_needed, city_programme_id) VALUES ('held', 'award', '', '', 1, now(), "
            "now() + interval '1 day', '[]', 'draft', now(), now(), '{}', false, %s)",
            [city_programme.pk],
            schema=mid.schema_name,
        ):
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing=programme_table)
            # Stopped at the known point: the first park is delivered, the second is in flight.
            assert [copies(park, city_programme) for park in parks] == [1, 0, 0]
            in_flight = killable_workers.received("network.handoff_deliver")[-1]
            killable_workers.kill()
            print(
                f"killed the worker while it delivered to the 2nd of 3 parks, {elapsed_since(started)} s in"
            )
        backend_gone(waiter["pid"])

        # The dead delivery left nothing: no copy in the park, its envelope still pending.
        connection.set_schema_to_public()
        assert [copies(park, city_programme) for park in parks] == [1, 0, 0]
        assert delivered(city_programme) == [east.pk]
        mid_envelope = city_programme.shares.get(tenant=mid).handoff
        assert mid_envelope.state == Handoff.State.PENDING and mid_envelope.delivered_at is None
        page = hub.get(page_url).content.decode()
        assert page.count("✓") == 1 and page.count("on its way") + page.count("分发中") == 2

        killable_workers.start_after_visibility_timeout()
        wait_until(
            lambda: len(delivered(city_programme)) == 3,
            timeout=40,
            message="the new worker to deliver to the other parks",
        )
        # The message the dead worker held was handed out again, and the new worker took it.
        assert killable_workers.received("network.handoff_deliver").count(in_flight) >= 2
        # A little longer: a late redelivery of any message must not make a second copy.
        time.sleep(0.5)
        assert [copies(park, city_programme) for park in parks] == [1, 1, 1]
        for share in city_programme.shares.select_related("handoff", "tenant"):
            with schema_context(share.tenant.schema_name):
                copy = Programme.objects.get(city_programme_id=city_programme.pk)
            assert share.programme_id == copy.pk and copy.status == "open"
            assert share.handoff.attempts == 1
        page = hub.get(page_url).content.decode()
        assert page.count("✓") == 3 and "on its way" not in page and "分发中" not in page
        listing = hub.get("/city-programmes/").content.decode()
        assert "2026年度全市断电演练奖励" in listing
        print(f"3 parks, 1 copy each, 3 envelopes delivered, {elapsed_since(started)} s in all")
    finally:
        killable_workers.stop_all()
        connection.set_schema_to_public()
        if city_programme is not None:
            city_programmes_remove(pk=city_programme.pk)
        # The ORM's cascade would look for tenant-only tables (memberships) in the public schema.
        with connection.cursor() as cursor:
            for table, column in (
                (User.groups.through._meta.db_table, "user_id"),
                (User._meta.db_table, "id"),
            ):
                cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [operator.pk])
