"""The demands' scheduled jobs: thin tasks that call a service in the tenant's schema.

Beat runs the `_all` tasks in the public schema; each queues the per-tenant task in
every live tenant's schema (tenant-schemas-celery switches the worker to it). Both
per-tenant jobs are safe to run twice.
"""

from datetime import datetime

from saas.celery import app

from .services import demands_close_unrated, demands_escalate_overdue


def _fan_out(task) -> int:
    from public_schema.tenants.selectors import tenant_schema_names_live

    schemas = tenant_schema_names_live()
    for schema_name in schemas:
        task.apply_async(headers={"_schema_name": schema_name})
    return len(schemas)


@app.task(name="demands.close_unrated")
def demands_close_unrated_task() -> int:
    """Close answers left unrated for 5 working days, as "closed without rating"."""
    return demands_close_unrated()


@app.task(name="demands.escalate_overdue", ignore_result=False)  # the count answers a catch-up run
def demands_escalate_overdue_task(*, now: str | None = None) -> int:
    """Tell handlers and the park's administrators of overdue demands, once per working day.

    `now` (ISO 8601) reads the deadlines at another moment, for a catch-up run; beat leaves it out.
    """
    return demands_escalate_overdue(now=datetime.fromisoformat(now) if now else None)


@app.task(name="demands.close_unrated_all")
def demands_close_unrated_all_task() -> int:
    return _fan_out(demands_close_unrated_task)


@app.task(name="demands.escalate_overdue_all")
def demands_escalate_overdue_all_task() -> int:
    return _fan_out(demands_escalate_overdue_task)
