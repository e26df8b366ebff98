"""Fault: the worker is killed half-way through a tenant's deadline reminders.

Three applications of one park are overdue; two reviewers hold their stage. The reminder
task writes each application's reminders in a transaction of their own. The test holds,
uncommitted, the first reviewer's reminder of the second application, so the worker stops
there: the first application's reminders committed (and their mail queued), the second's
being written. It is killed with SIGKILL at that point. The message the dead worker never
acknowledged comes back to a new worker, which reminds of the rest: in the end each reviewer
has one reminder (one in-app notification, one e-mail) per application, none twice, none missed.
"""

import secrets
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.applications.tasks import reminders_send_task
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.tasks import notification_email_task

from ..applications.conftest import act, draft_for, make_programme
from ..applications.test_reminders import at
from ..conftest import HostClient, host_of, make_user, wait_until
from ..enterprises.conftest import register
from ..support.celery_worker import tasks_on_queue
from ..support.held_rows import backend_gone, row_held, wait_for_lock_waiter
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]

APPLICATIONS = 3


def test_reminders_whose_worker_is_killed_reach_each_reviewer_once_per_application(
    killable_workers, dropped_after, monkeypatch
):
    from public_schema.tenants.services import tenant_provision

    started = time.monotonic()
    slug = f"remindkill{secrets.token_hex(2)}"
    dropped_after.append(slug)
    tenant_provision(name="提醒断电园区", slug=slug, kind="park", admin_email=f"admin@{slug}.cn")
    queue = killable_workers.queue
    with tasks_on_queue(queue, notification_email_task, reminders_send_task):
        # Submitted on Friday 9 October 2026: 受理 falls due on Tuesday 13 October, 17:30.
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 10, 9, 9, 0))
        with schema_context(slug):
            reviewers = [make_user(slug, role=roles.REVIEWER) for _ in range(2)]
            programme = make_programme(title="逾期提醒断电演练")
            applications = []
            for number in range(APPLICATIONS):
                registration = register(slug, name=f"胶州断电演练{number}有限公司")
                applications.append(act(draft_for(registration, programme), "submit", registration.user))
        monkeypatch.undo()
        applications.sort(key=lambda application: application.pk)  # the order the task reminds in
        wednesday = "2026-10-14"
        keys = [
            f"reminder:overdue:{application.pk}:{application.current_stage_id}:{wednesday}"
            for application in applications
        ]

        def reminders():
            with schema_context(slug):
                return sorted(
                    Notification.objects.filter(dedupe_key__startswith="reminder:").values_list(
                        "dedupe_key", "user_id"
                    )
                )

        notification_table = Notification._meta.db_table
        with row_held(
            f"INSERT INTO {notification_table} (user_id, title, body, link, dedupe_key, email_status, "
            "email_attempts, email_last_error, created_at, updated_at) "
            "VALUES (%s, 'held by the test', '', '', %s, 'pending', 0, '', now(), now())",
            [reviewers[0].pk, keys[1]],
            schema=slug,
        ):
            reminders_send_task.apply_async(
                kwargs={"now": at(2026, 10, 14, 8, 20).isoformat()}, headers={"_schema_name": slug}
            )
            killable_workers.start()
            waiter = wait_for_lock_waiter(containing=notification_table)
            # Stopped at the known point: the first application's reminders are committed.
            assert reminders() == sorted((keys[0], reviewer.pk) for reviewer in reviewers)
            in_flight = killable_workers.received("applications.reminders_send")[-1]
            killable_workers.kill()
            print(f"killed the worker at application 2 of {APPLICATIONS}, {elapsed_since(started)} s in")
        backend_gone(waiter["pid"])
        connection.set_schema_to_public()
        assert reminders() == sorted((keys[0], reviewer.pk) for reviewer in reviewers)

        killable_workers.start_after_visibility_timeout()
        expected = sorted((key, reviewer.pk) for key in keys for reviewer in reviewers)

        def all_emailed():
            with schema_context(slug):
                rows = Notification.objects.filter(dedupe_key__startswith="reminder:")
                return rows.count() == len(expected) and not rows.filter(emailed_at__isnull=True).exists()

        wait_until(all_emailed, timeout=40, message="every reminder written and emailed")
        assert killable_workers.received("applications.reminders_send").count(in_flight) >= 2
        time.sleep(0.5)  # a late redelivery must not add anything
        assert reminders() == expected
    for reviewer in reviewers:
        assert killable_workers.mails_to(reviewer.email) == APPLICATIONS
    # What the reviewer sees: one overdue reminder per application on the notifications page.
    client = HostClient(host_of(slug))
    client.force_login(reviewers[0])
    page = client.get("/notifications/").content.decode()
    with schema_context(slug):
        mine = list(Notification.objects.filter(user=reviewers[0], dedupe_key__startswith="reminder:"))
    assert len(mine) == APPLICATIONS
    for notification in mine:
        assert page.count(f"/notifications/{notification.pk}/") >= 1
    for number in range(APPLICATIONS):
        assert page.count(f"胶州断电演练{number}有限公司") == 1
    print(f"{len(expected)} reminders and mails, each once, {elapsed_since(started)} s in all")
