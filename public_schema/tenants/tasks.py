"""Background work on the tenant registry (runs in the public schema)."""

from saas.celery import app

from .services import spare_pool_refill


# Cloning and migrating spare schemas is slow (seconds per schema, more after a release).
@app.task(name="tenants.spare_pool_refill", soft_time_limit=900, time_limit=960)
def spare_pool_refill_task() -> int:
    """Top up the pool of pre-migrated spare schemas; a no-op when full or already being filled."""
    return spare_pool_refill()


@app.task(name="tenants.tenant_export_run", soft_time_limit=3600, time_limit=3660)
def tenant_export_run_task(job_pk: int) -> int:
    """Write the archive of an export an operator requested (a finished one is left as is)."""
    from .exports import tenant_export_run

    return tenant_export_run(job_pk=job_pk).pk


# Each deletion exports the tenant first: minutes for a large one.
@app.task(name="tenants.tenant_deletions_due", soft_time_limit=6 * 3600, time_limit=6 * 3600 + 60)
def tenant_deletions_due_task() -> list[str]:
    """Delete the tenants whose grace period is over (nightly)."""
    from .deletion import tenant_deletions_due

    return tenant_deletions_due()
