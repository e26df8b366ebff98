"""Celery for ParkHub: a tenant-aware app, so a task runs in the schema it was sent from.

tenant-schemas-celery stamps each message with the sender's schema name and switches
the worker's connection to it before the task runs.
"""

import os

from celery.schedules import crontab
from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")

app = TenantAwareCeleryApp("parkhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The pool is refilled after every provisioning; this catches a refill that was lost.
    "spare-pool-refill": {"task": "tenants.spare_pool_refill", "schedule": crontab(minute="*/10")},
}
