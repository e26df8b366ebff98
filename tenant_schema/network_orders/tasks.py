"""The periodic reminders of network orders, in every schema (thin: reminders.order_reminders_send)."""

import datetime as dt

from saas.celery import app

from .reminders import order_reminders_send


@app.task(name="network_orders.reminders_send")
def reminders_send_task(*, now: str | None = None) -> dict[str, int]:
    """One tenant's order reminders (the worker is already in its schema); safe to run twice."""
    return order_reminders_send(now=dt.datetime.fromisoformat(now) if now else None)


@app.task(name="network_orders.reminders_send_all")
def reminders_send_all_task(*, now: str | None = None) -> int:
    """Beat runs this in the public schema; it queues the reminders of every live institution."""
    from public_schema.tenants.models import Tenant

    # Only institutions hold order deadlines; a suspended one still owes its open orders.
    schemas = list(
        Tenant.objects.live().filter(kind=Tenant.Kind.INSTITUTION).values_list("schema_name", flat=True)
    )
    kwargs = {"now": now} if now else {}
    for schema_name in schemas:
        reminders_send_task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
    return len(schemas)
