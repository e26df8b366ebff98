"""Background work on the tenant registry (runs in the public schema)."""

from saas.celery import app

from .services import spare_pool_refill


# Cloning and migrating spare schemas is slow (seconds per schema, more after a release).
@app.task(name="tenants.spare_pool_refill", soft_time_limit=900, time_limit=960)
def spare_pool_refill_task() -> int:
    """Top up the pool of pre-migrated spare schemas; a no-op when full or already being filled."""
    return spare_pool_refill()
