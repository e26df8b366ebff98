"""Reminders to the reviewers holding a stage: one working day before it falls due, and daily while overdue.

Beat runs `reminders_send_all_task` in the public schema; it queues one
`reminders_send_task` per live, active tenant, carrying nothing but the schema name
(tenant-schemas-celery switches the worker's connection to it). Both are safe to run
twice, or concurrently: every reminder goes through `notification_send` with a dedupe
key naming the application, the stage and the date it is about, so a second run the
same day creates no row and queues no mail (and `notification_email_task` stamps what it
sent, so a redelivered email task sends nothing either).
"""

import datetime as dt

from saas.celery import app

from .reminders import application_reminders_send, reminder_schemas


def _parse_now(now: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(now) if now else None


@app.task(name="applications.reminders_send")
def reminders_send_task(*, now: str | None = None) -> dict[str, int]:
    """One tenant's reminders (the worker is already in its schema); safe to run twice.

    `now` (ISO 8601) is for tests and for an operator catching up a missed day; beat sends none.
    """
    return application_reminders_send(now=_parse_now(now))


@app.task(name="applications.reminders_send_all")
def reminders_send_all_task(*, now: str | None = None) -> int:
    """Beat runs this in the public schema; it queues the reminders of every live, active tenant."""
    schemas = reminder_schemas()
    kwargs = {"now": now} if now else {}
    for schema_name in schemas:
        reminders_send_task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
    return len(schemas)
