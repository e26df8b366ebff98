"""Mail about accounts, sent by Celery in the schema the task was queued from."""

from saas.celery import app
from saas.mail import MAIL_TASK_OPTIONS, mail_task_is_last_try

from .services import invitation_deliver


@app.task(name="accounts.invitation_send", **MAIL_TASK_OPTIONS)
def invitation_send_task(self, *, user_id: int, generation: int | None = None) -> bool:
    """Email a new account its one-time link to choose a password; retried while the server refuses.

    Safe to run twice: the invitation row is claimed under a lock and marked sent only
    after the mail server accepted the message (every_schema.accounts.services.invitation_deliver).
    """
    return invitation_deliver(user_id=user_id, generation=generation, last_try=mail_task_is_last_try(self))


@app.task(name="accounts.housekeeping")
def accounts_housekeeping_task() -> dict[str, int]:
    """In the current schema: expired sessions and login records older than the kept period."""
    from .services import login_records_purge, sessions_clear_expired

    return {"sessions": sessions_clear_expired(), **login_records_purge()}


@app.task(name="accounts.housekeeping_all")
def accounts_housekeeping_all_task() -> int:
    """Beat, in the public schema: one housekeeping task for the public schema and one per live tenant."""
    from saas.celery import send_to_every_schema

    return send_to_every_schema(accounts_housekeeping_task, include_public=True)
