"""Beat runs `report_reminders_send_all_task` in the public schema; it queues one task per live,
active tenant carrying only the schema name. Both are safe to run twice (dedupe keys)."""

import datetime as dt

from saas.celery import app
from tenant_schema.applications.reminders import reminder_schemas

from .reminders import report_reminders_send


@app.task(name="awards.report_reminders_send")
def report_reminders_send_task(*, now: str | None = None) -> dict[str, int]:
    return report_reminders_send(now=dt.datetime.fromisoformat(now) if now else None)


@app.task(name="awards.report_reminders_send_all")
def report_reminders_send_all_task(*, now: str | None = None) -> int:
    schemas = reminder_schemas()
    kwargs = {"now": now} if now else {}
    for schema_name in schemas:
        report_reminders_send_task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
    return len(schemas)
