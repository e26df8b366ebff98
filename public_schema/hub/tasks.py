"""The hub's Celery tasks: keep the rollup tables current (see public_schema.hub.rollups)."""

from django.db import connection

from saas.celery import app

from . import rollups


# A full recompute of a big tenant takes minutes at night; above the default limit.
@app.task(name="hub.rollup_refresh", soft_time_limit=600, time_limit=660)
def rollup_refresh_task() -> bool:
    """Recompute the rollups of the tenant whose schema the task runs in; safe to run twice."""
    schema_name = connection.schema_name
    # Cleared first: a change committed from now on queues a new refresh.
    rollups.dirty_flag_clear(schema_name)
    return rollups.rollup_refresh(schema_name=schema_name)


@app.task(name="hub.rollup_reconcile_all")
def rollup_reconcile_all_task() -> int:
    """Nightly: queue one refresh per live tenant (ids only), in the tenant's schema."""
    from public_schema.tenants.models import Tenant

    schemas = list(Tenant.objects.live().values_list("schema_name", flat=True))
    for schema_name in schemas:
        rollup_refresh_task.apply_async(headers={"_schema_name": schema_name})
    return len(schemas)
