"""Housekeeping in every schema: expired sessions, old login records, read notifications older than a year.

Rows are made in the public schema and both tenants, old and fresh; the commands and the
per-schema tasks remove the old ones only, and report counts per schema.
"""

from datetime import timedelta
from importlib import import_module

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts.sessions import REVOKED
from every_schema.accounts.tasks import accounts_housekeeping_task
from saas.schemas import run_in_every_schema, schema_names_every
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.tasks import notifications_purge_read_task

from ..conftest import ALPHA, BETA, make_user

SCHEMAS = ["public", ALPHA, BETA]
Session = import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()


def _sessions(schema):
    now = timezone.now()
    with schema_context(schema):
        Session.objects.create(
            session_key=f"expired-{schema}", session_data="x", expire_date=now - timedelta(hours=1)
        )
        Session.objects.create(
            session_key=f"fresh-{schema}", session_data="x", expire_date=now + timedelta(hours=8)
        )
        Session.objects.create(session_key=f"revoked-{schema}", session_data="", expire_date=REVOKED)


def _login_records(schema):
    with schema_context(schema):
        old = AccessAttempt.objects.create(
            username=f"old-{schema}", ip_address="10.0.0.1", failures_since_start=5
        )
        AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=200))
        AccessAttempt.objects.create(username=f"new-{schema}", ip_address="10.0.0.2", failures_since_start=1)
        log = AccessLog.objects.create(username=f"old-{schema}", ip_address="10.0.0.1")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=timezone.now() - timedelta(days=200))


def _notifications(schema):
    user = make_user(schema)
    now = timezone.now()
    with schema_context(schema):

        def notice(key, read_at, created_days_ago=400):
            row = Notification.objects.create(user=user, title=key, dedupe_key=key, read_at=read_at)
            Notification.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=created_days_ago))

        notice("read-long-ago", now - timedelta(days=370))
        notice("read-last-month", now - timedelta(days=30))
        notice("never-read", None)
    return user


def _keys(schema):
    with schema_context(schema):
        return set(Session.objects.values_list("session_key", flat=True))


def test_expired_sessions_go_in_every_schema_and_fresh_ones_stay(db, tenant_a, tenant_b, capsys):
    for schema in SCHEMAS:
        _sessions(schema)
    call_command("sessions_clear_expired")
    out = capsys.readouterr().out
    for schema in SCHEMAS:
        assert f"{schema}: 1 expired sessions deleted" in out
        assert f"expired-{schema}" not in _keys(schema)
        assert {f"fresh-{schema}", f"revoked-{schema}"} <= _keys(schema)


def test_old_login_records_go_in_every_schema_and_recent_ones_stay(db, tenant_a, tenant_b, capsys):
    for schema in SCHEMAS:
        _login_records(schema)
    call_command("login_records_purge", days=90)
    out = capsys.readouterr().out
    for schema in SCHEMAS:
        assert (
            f"{schema}: 1 attempts/lockouts, 0 failure logs, 1 access logs older than 90 days deleted" in out
        )
        with schema_context(schema):
            assert set(AccessAttempt.objects.values_list("username", flat=True)) == {f"new-{schema}"}
            assert not AccessLog.objects.filter(username=f"old-{schema}").exists()


def test_read_notifications_older_than_a_year_go_in_each_tenant(db, tenant_a, tenant_b, capsys):
    for schema in (ALPHA, BETA):
        _notifications(schema)
    call_command("notifications_purge_read")
    out = capsys.readouterr().out
    for schema in (ALPHA, BETA):
        assert f"{schema}: 1 notifications read more than 365 days ago deleted" in out
        with schema_context(schema):
            left = set(Notification.objects.values_list("dedupe_key", flat=True))
        # Unread stays however old; read last month stays.
        assert {"read-last-month", "never-read"} <= left and "read-long-ago" not in left
    assert "public:" not in out  # notifications live in tenant schemas only


def test_the_per_schema_tasks_clean_their_own_schema_only(db, tenant_a, tenant_b):
    for schema in SCHEMAS:
        _sessions(schema)
    for schema in (ALPHA, BETA):
        _notifications(schema)
    with schema_context(ALPHA):
        assert accounts_housekeeping_task.run()["sessions"] == 1
        assert notifications_purge_read_task.run() == 1
    assert f"expired-{ALPHA}" not in _keys(ALPHA)
    assert f"expired-{BETA}" in _keys(BETA) and "expired-public" in _keys("public")
    with schema_context(BETA):
        assert Notification.objects.filter(dedupe_key="read-long-ago").exists()


def test_one_failing_schema_does_not_stop_the_others(db, tenant_a, tenant_b):
    for schema in SCHEMAS:
        _sessions(schema)

    def clear_or_fail():
        if connection.schema_name == ALPHA:
            raise RuntimeError("broken schema")
        from every_schema.accounts.services import sessions_clear_expired

        return sessions_clear_expired()

    outcomes = run_in_every_schema(clear_or_fail, schema_names=SCHEMAS)
    assert [(o.schema_name, o.result, bool(o.error)) for o in outcomes] == [
        ("public", 1, False),
        (ALPHA, None, True),
        (BETA, 1, False),
    ]
    assert f"expired-{BETA}" not in _keys(BETA)


def test_every_schema_means_public_and_the_live_tenants(db, tenant_a, tenant_b):
    names = schema_names_every()
    assert names[0] == "public" and {ALPHA, BETA} <= set(names)
    assert settings.PARKHUB_TEMPLATE_SCHEMA not in names
    assert "public" not in schema_names_every(include_public=False)


@pytest.mark.parametrize("task_name", ["accounts.housekeeping_all", "notifications.purge_read_all"])
def test_housekeeping_is_in_the_beat_schedule(task_name):
    from saas.celery import app

    assert task_name in {entry["task"] for entry in app.conf.beat_schedule.values()}


def test_beat_queues_one_housekeeping_task_per_schema_on_the_broker(db, tenant_a, tenant_b):
    """The `_all` task puts one message per schema on the real Redis broker, each stamped with its schema."""
    import json

    import redis

    from every_schema.accounts.tasks import accounts_housekeeping_all_task
    from tenant_schema.notifications.tasks import notifications_purge_read_all_task

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for all_task, per_schema_task, expected in (
        (accounts_housekeeping_all_task, accounts_housekeeping_task, schema_names_every()),
        (
            notifications_purge_read_all_task,
            notifications_purge_read_task,
            schema_names_every(include_public=False),
        ),
    ):
        queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-housekeeping-probe"
        client.delete(queue)
        saved = (getattr(per_schema_task, "queue", None), per_schema_task._exec_options)
        per_schema_task.queue, per_schema_task._exec_options = queue, None
        try:
            assert all_task.run() == len(expected)
            messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
        finally:
            per_schema_task.queue, per_schema_task._exec_options = saved
            client.delete(queue)
        assert sorted(m["headers"]["_schema_name"] for m in messages) == sorted(expected)
        assert {m["headers"]["task"] for m in messages} == {per_schema_task.name}
