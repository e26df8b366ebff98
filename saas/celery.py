"""Celery for ParkHub: a tenant-aware app, so a task runs in the schema it was sent from.

tenant-schemas-celery stamps each message with the sender's schema name and switches
the worker's connection to it before the task runs.
"""

import os

from celery import signals
from celery.schedules import crontab
from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")

app = TenantAwareCeleryApp("parkhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The pool is refilled after every provisioning; this catches a refill that was lost.
    "spare-pool-refill": {"task": "tenants.spare_pool_refill", "schedule": crontab(minute="*/10")},
    # Tenants whose deletion grace period is over: final export, drop, tombstone (public_schema.tenants.deletion).
    "tenant-deletions-due": {"task": "tenants.tenant_deletions_due", "schedule": crontab(minute=30, hour=3)},
    # Demands: close answers unrated for 5 working days (hourly); escalate overdue ones each morning
    # (the task skips non-working days itself and is safe to run twice: one notice per person and day).
    "demands-close-unrated": {"task": "demands.close_unrated_all", "schedule": crontab(minute=40)},
    "demands-escalate-overdue": {
        "task": "demands.escalate_overdue_all",
        "schedule": crontab(minute=0, hour=9),
    },
    # Value-added services: end terms that ran out, remind 7 days and 1 day ahead (every tenant, hourly).
    "billing-subscriptions-sweep": {"task": "billing.subscriptions_sweep_all", "schedule": crontab(minute=5)},
    # Reviewers' reminders (due by the next working day, overdue); the task skips non-working days itself.
    "applications-reminders": {
        "task": "applications.reminders_send_all",
        "schedule": crontab(minute=20, hour="8-17"),
    },
    "hub-rollup-reconcile": {
        "task": "hub.rollup_reconcile_all",
        "schedule": crontab(minute=30, hour=2),
    },  # hub rollups: full nightly refresh
    # The working-day calendar: tell the hub operators once, 60 days before the known years end.
    "calendar-expiry-check": {"task": "workcalendar.expiry_check", "schedule": crontab(minute=15, hour=9)},
    "matching-auto-applications": {
        "task": "matching.auto_applications_all",
        "schedule": crontab(minute=35),
    },  # 免申即享 for programmes whose opening time came
    # Housekeeping at night, one task per schema: expired sessions and old login records
    # (public and every tenant), read notifications older than a year (every tenant).
    "accounts-housekeeping": {"task": "accounts.housekeeping_all", "schedule": crontab(minute=15, hour=3)},
    # Envelopes between tenants still pending after a minute (a lost message, a killed worker).
    "network-handoff-sweep": {"task": "network.handoff_sweep", "schedule": 60.0},
    # Network vouchers: expire unspent ones past validity (their amount returns to the budget), just
    # after midnight Asia/Shanghai; 免申即享 grants to enterprises that came to qualify, hourly.
    "voucher-schemes-expire": {"task": "voucher_schemes.expire_due", "schedule": crontab(minute=10, hour=0)},
    "voucher-schemes-auto-grant": {"task": "voucher_schemes.auto_grant_all", "schedule": crontab(minute=50)},
    # Network orders: institutions reminded of acceptance and delivery limits (working hours, working days).
    "network-orders-reminders": {
        "task": "network_orders.reminders_send_all",
        "schedule": crontab(minute=25, hour="8-17"),
    },
    # Awards: enterprises reminded of reports due soon and overdue (working days; an overdue one holds a tranche).
    "awards-report-reminders": {
        "task": "awards.report_reminders_send_all",
        "schedule": crontab(minute=10, hour=9),
    },
    "notifications-purge-read": {
        "task": "notifications.purge_read_all",
        "schedule": crontab(minute=45, hour=3),
    },
}


def send_on_commit(task, /, **kwargs) -> None:
    """Queue `task(**kwargs)` once the current transaction commits, in the current schema.

    The schema is captured now, not when the commit happens: by then a caller may have
    left the tenant's schema_context. A broker outage after a successful commit is logged
    and never turns the user's completed action into an error page; beat jobs and the
    idempotent tasks catch up.
    """
    import logging

    from django.db import connection, transaction

    schema_name = connection.schema_name

    def send():
        try:
            task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
        except Exception:
            logging.getLogger(__name__).exception("could not queue %s in %s", task.name, schema_name)

    transaction.on_commit(send)


def send_to_every_schema(task, /, *, include_public: bool = True) -> int:
    """Queue `task` once in the public schema (if asked) and once in every live tenant's; returns how many.

    One message per schema, so a schema whose run fails (or times out) stops only itself.
    """
    from saas.schemas import schema_names_every

    schema_names = schema_names_every(include_public=include_public)
    for schema_name in schema_names:
        task.apply_async(headers={"_schema_name": schema_name})
    return len(schema_names)


# Workers log through Django's LOGGING (saas.logs: task id and tenant schema on every line,
# JSON in production) instead of Celery replacing the root logger's handlers with its own.
@signals.setup_logging.connect
def _logging_from_django_settings(**kwargs):
    pass


@signals.worker_ready.connect
def _worker_metrics(sender=None, **kwargs):
    """Task counts and durations (saas.metrics) on the worker's own port, when one is set."""
    from django.conf import settings

    if settings.PARKHUB_WORKER_METRICS_PORT:
        from saas.metrics import worker_metrics_serve

        worker_metrics_serve(settings.PARKHUB_WORKER_METRICS_PORT)


@signals.worker_init.connect
def _task_metrics(**kwargs):
    """Connects the task signals of saas.metrics; with PROMETHEUS_MULTIPROC_DIR, starts it empty."""
    from pathlib import Path

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()
    import saas.metrics  # noqa: F401
