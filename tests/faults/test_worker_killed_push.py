"""Fault: the worker is killed in the middle of a push of a programme to its qualifying enterprises.

Five verified enterprises qualify; the push commits two at a time (PARKHUB_PUSH_BATCH_SIZE=2),
each batch its deliveries, its notifications and the run's "sent" counter together. The test
holds, uncommitted, the delivery of the first enterprise of the second batch, so the worker
stops there with the first batch committed, and kills it with SIGKILL. The page says "2 of 5";
the redelivered task resumes after the committed batch; in the end each enterprise is pushed
to once (one delivery, one notification, one e-mail to its member) and the page says "5 of 5".
"""

import secrets
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.eligibility.models import PushDelivery, PushRun
from tenant_schema.eligibility.selectors import programme_qualifying_ids
from tenant_schema.eligibility.tasks import push_run_task
from tenant_schema.enterprises.services import enterprise_verify
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.tasks import notification_email_task

from ..applications.conftest import make_programme
from ..conftest import HostClient, host_of, make_user, wait_until
from ..enterprises.conftest import register
from ..enterprises.test_import import english
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]

ENTERPRISES = 5
BATCH = 2


def test_a_push_whose_worker_is_killed_reaches_each_enterprise_once(killable_workers, dropped_after):
    from public_schema.tenants.services import tenant_provision

    started = time.monotonic()
    killable_workers.environment["PARKHUB_PUSH_BATCH_SIZE"] = str(BATCH)
    slug = f"pushkill{secrets.token_hex(2)}"
    dropped_after.append(slug)
    tenant_provision(name="推送断电园区", slug=slug, kind="park", admin_email=f"admin@{slug}.cn")
    queue = killable_workers.queue
    with tasks_on_queue(queue, push_run_task, notification_email_task):
        with schema_context(slug):
            admin = make_user(slug, role=roles.PARK_ADMIN)
            members = {}
            for number in range(ENTERPRISES):
                registration = register(slug, name=f"即墨推送演练{number}有限公司")
                enterprise_verify(enterprise=registration.enterprise, actor=admin)
                members[registration.enterprise.pk] = registration.user
            programme = make_programme(title="断电推送演练项目")
            order = programme_qualifying_ids(programme=programme)  # the order the push works in
        assert sorted(order) == sorted(members)
        client = english(HostClient(host_of(slug)))
        client.force_login(admin)
        page_url = f"/park/programmes/{programme.pk}/qualifying/"

        def run():
            with schema_context(slug):
                return PushRun.objects.get(programme=programme)

        def pushed():
            with schema_context(slug):
                return sorted(
                    PushDelivery.objects.filter(programme=programme).values_list("enterprise_id", flat=True)
                )

        def notified():
            with schema_context(slug):
                return sorted(
                    Notification.objects.filter(dedupe_key=f"programme:{programme.pk}:push").values_list(
                        "user_id", flat=True
                    )
                )

        delivery_table = PushDelivery._meta.db_table
        with row_held(
            f"INSERT INTO {delivery_table} (programme_id, enterprise_id, run_id, pushed_at) VALUES (%s, %s, NULL, now())",
            [programme.pk, order[BATCH]],
            schema=slug,
        ):
            assert client.post(f"/park/programmes/{programme.pk}/push/").status_code == 302
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing=delivery_table)
            # Stopped at the known point: the first batch committed, the second being written.
            assert pushed() == sorted(order[:BATCH])
            in_flight = killable_workers.received("matching.push_run")[-1]
            killable_workers.kill()
            print(
                f"killed the worker at enterprise {BATCH + 1} of {ENTERPRISES}, {elapsed_since(started)} s in"
            )
        backend_gone(waiter["pid"])
        connection.set_schema_to_public()
        assert pushed() == sorted(order[:BATCH])
        assert notified() == sorted(members[pk].pk for pk in order[:BATCH])
        interrupted = run()
        assert (interrupted.status, interrupted.sent, interrupted.total) == ("running", BATCH, ENTERPRISES)
        assert (
            f"Sending: {BATCH} of {ENTERPRISES} enterprises reached" in client.get(page_url).content.decode()
        )

        killable_workers.start_after_visibility_timeout()
        wait_until(lambda: run().status == "done", timeout=40, message="the new worker to finish the push")

        def all_emailed():
            with schema_context(slug):
                rows = Notification.objects.filter(dedupe_key=f"programme:{programme.pk}:push")
                return rows.count() == ENTERPRISES and not rows.filter(emailed_at__isnull=True).exists()

        wait_until(all_emailed, timeout=40, message="every push notification emailed")
        assert killable_workers.received("matching.push_run").count(in_flight) >= 2
        time.sleep(0.5)  # a late redelivery must not add anything
    assert pushed() == sorted(order)
    assert notified() == sorted(user.pk for user in members.values())
    finished = run()
    assert (finished.status, finished.sent, finished.total, finished.percent) == (
        "done",
        ENTERPRISES,
        ENTERPRISES,
        100,
    )
    for user in members.values():
        assert killable_workers.mails_to(user.email) == 1
    page = client.get(page_url).content.decode()
    assert f"Done: {ENTERPRISES} of {ENTERPRISES} enterprises reached" in page
    print(f"{ENTERPRISES} enterprises pushed to once each, {elapsed_since(started)} s in all")
