"""The calendar's Celery tasks: recount deadlines after a year is entered; the expiry notice."""

from saas.celery import app

from . import services


@app.task(name="workcalendar.recount_all")
def recount_all_task(*, previous: dict, entry: str) -> int:
    """In the public schema (the hub's day table), then one task per live tenant, ids only."""
    from public_schema.tenants.selectors import tenant_schema_names_live

    services.calendar_recount_here(previous=services.schedule_from_payload(previous), entry=entry)
    schemas = tenant_schema_names_live()
    for schema_name in schemas:
        recount_task.apply_async(
            kwargs={"previous": previous, "entry": entry}, headers={"_schema_name": schema_name}
        )
    return len(schemas)


@app.task(name="workcalendar.recount")
def recount_task(*, previous: dict, entry: str) -> bool:
    """Recount this tenant's open deadlines; a second delivery finds its marker and does nothing."""
    return services.calendar_recount_here(previous=services.schedule_from_payload(previous), entry=entry)


@app.task(name="workcalendar.expiry_check")
def expiry_check_task() -> int:
    return services.calendar_expiry_notify()
