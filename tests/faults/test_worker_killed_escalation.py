"""Fault: the worker is killed half-way through a tenant's escalation of overdue demands.

Three demands of one park are overdue; the handler and the park's administrators are told of
each, once a working day, each demand's notices in a transaction of their own. The test holds,
uncommitted, the handler's notice of the second demand, so the worker stops there with the
first demand's notices committed, and kills it with SIGKILL. The redelivered message escalates
the rest: each person ends with one notice (and one e-mail) per overdue demand, none twice.
"""

import secrets
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.demands.selectors import demand_supervision_list, park_admin_ids
from tenant_schema.demands.tasks import demands_escalate_overdue_task
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.tasks import notification_email_task

from ..conftest import make_user, wait_until
from ..demands.conftest import act, at, file_for
from ..enterprises.conftest import register
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]

DEMANDS = 3


def test_an_escalation_whose_worker_is_killed_tells_each_person_once_per_demand(
    killable_workers, dropped_after, monkeypatch
):
    from public_schema.tenants.services import tenant_provision

    started = time.monotonic()
    slug = f"dutykill{secrets.token_hex(2)}"
    dropped_after.append(slug)
    tenant_provision(name="督办断电园区", slug=slug, kind="park", admin_email=f"admin@{slug}.cn")
    with tasks_on_queue(killable_workers.queue, demands_escalate_overdue_task, notification_email_task):
        with schema_context(slug):
            admin = make_user(slug, role=roles.PARK_ADMIN)
            handler = make_user(slug, role=roles.REVIEWER)
            monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 9, 24, 10))
            for number in range(DEMANDS):
                registration = register(slug, name=f"莱西督办演练{number}有限公司")
                demand = file_for(registration, title=f"督办断电演练{number}：用电增容迟迟未批")
                act(demand, "accept", admin, handler_id=handler.pk)
            monkeypatch.undo()
            thursday = at(2026, 10, 8, 9)
            order = [
                demand.pk for demand in demand_supervision_list(now=thursday)
            ]  # the order it escalates in
            recipients = set(park_admin_ids()) | {handler.pk}
            emails = dict(handler.__class__.objects.filter(pk__in=recipients).values_list("pk", "email"))
        assert len(order) == DEMANDS
        keys = [f"demand:{pk}:overdue:2026-10-08" for pk in order]

        def notices():
            with schema_context(slug):
                return sorted(
                    Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", "user_id")
                )

        table = Notification._meta.db_table
        with row_held(
            f"INSERT INTO {table} (user_id, title, body, link, dedupe_key, email_status, email_attempts, "
            "email_last_error, created_at, updated_at) "
            "VALUES (%s, 'held by the test', '', '', %s, 'pending', 0, '', now(), now())",
            [handler.pk, keys[1]],
            schema=slug,
        ):
            demands_escalate_overdue_task.apply_async(
                kwargs={"now": thursday.isoformat()}, headers={"_schema_name": slug}
            )
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing=table)
            assert notices() == sorted((keys[0], user_id) for user_id in recipients)
            in_flight = killable_workers.received("demands.escalate_overdue")[-1]
            killable_workers.kill()
            print(f"killed the worker at demand 2 of {DEMANDS}, {elapsed_since(started)} s in")
        backend_gone(waiter["pid"])
        connection.set_schema_to_public()
        assert notices() == sorted((keys[0], user_id) for user_id in recipients)

        killable_workers.start_after_visibility_timeout()
        expected = sorted((key, user_id) for key in keys for user_id in recipients)

        def all_emailed():
            with schema_context(slug):
                rows = Notification.objects.filter(dedupe_key__in=keys)
                return rows.count() == len(expected) and not rows.filter(emailed_at__isnull=True).exists()

        wait_until(all_emailed, timeout=40, message="every overdue notice written and emailed")
        assert killable_workers.received("demands.escalate_overdue").count(in_flight) >= 2
        time.sleep(0.5)
        assert notices() == expected
    # Park administrators also had mail about each new demand: count the overdue notices only.
    for user_id in recipients:
        assert killable_workers.mails_to(emails[user_id], about=("Overdue demand", "逾期诉求")) == DEMANDS
    print(f"{len(expected)} notices and mails, each once, {elapsed_since(started)} s in all")


def test_a_notice_whose_sender_died_mid_send_is_sent_by_the_redelivered_task(committed_db, settings):
    """The cache-keyed notices (registration, verification, billing): a run killed while it sent
    leaves only a short claim, not a "sent" mark, so the redelivery sends the notice (none missed),
    and once it is sent no further delivery sends it again (none twice)."""
    from django.core import mail
    from django.core.cache import cache

    from saas.mail import mail_send_once

    key = f"fault-notice:{secrets.token_hex(4)}"

    def send():
        mail.send_mail("通知", "正文", None, ["owner@example.cn"])

    cache.set(f"{key}:sending", True, timeout=1)  # what a worker killed inside send() leaves behind
    assert mail_send_once(key, send) is False  # a concurrent delivery while the claim is fresh
    time.sleep(1.2)
    assert mail_send_once(key, send) is True  # the redelivery, after the claim lapsed
    assert mail_send_once(key, send) is False
    assert [m.to for m in mail.outbox] == [["owner@example.cn"]]
    cache.delete(key)
