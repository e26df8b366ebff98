"""How ParkHub's mail tasks treat a mail server that refuses, hangs or cannot be reached.

Defined once for every task that sends mail (invitations, notifications): which errors are
worth another try, the retry policy (exponential backoff with jitter), and how an error is
recorded on the row that tracks the message. A row is marked sent only once the server has
accepted the message; until then it stays pending and the task is retried.
"""

import smtplib

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

# smtplib's errors are OSErrors too; a refused connection, a timeout and a 4xx reply all pass.
# A task stopped by its soft time limit (a server that accepts the connection and then hangs)
# is tried again later as well.
RETRYABLE_MAIL_ERRORS = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)

MAIL_TASK_OPTIONS = {
    "bind": True,
    "autoretry_for": RETRYABLE_MAIL_ERRORS,
    "retry_backoff": settings.PARKHUB_MAIL_RETRY_BACKOFF,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": settings.PARKHUB_MAIL_MAX_RETRIES,
}


def mail_error_is_permanent(error: BaseException) -> bool:
    """A 5xx reply (unknown mailbox, refused sender): another try would get the same answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def mail_error_describe(error: BaseException) -> str:
    """A short line for the row's last_error, as an operator would read it."""
    if isinstance(error, SoftTimeLimitExceeded):
        return "the mail server did not answer within the task's time limit"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"[:500]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {_text(reply)} ({address})" for address, (code, reply) in error.recipients.items()
        )[:500]
    return f"{type(error).__name__}: {error}"[:500]


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def mail_task_is_last_try(task) -> bool:
    """True on the run after which Celery gives up (so the row is marked failed, not left pending)."""
    return task.request.retries >= (task.max_retries or 0)


def mail_send(*, subject: str, body: str, recipients: list[str]) -> None:
    """Send one message; returns once the mail server accepted it, raises otherwise.

    Django's SMTP backend ends every send with QUIT and waits for the reply, also after an
    error: a server that hangs would hold the task again after its soft time limit fired,
    until the hard limit kills the worker process, before the failure is recorded. So the
    connection is opened here and its socket closed without waiting for an answer.
    """
    from django.core.mail import EmailMessage, get_connection

    connection = get_connection()
    connection.open()
    accepted = False
    try:
        EmailMessage(subject, body, None, recipients, connection=connection).send()
        accepted = True
    finally:
        smtp = getattr(connection, "connection", None)  # smtplib.SMTP of the SMTP backend
        if smtp is not None and hasattr(smtp, "sock"):
            try:
                if accepted:
                    smtp.send("quit\r\n")  # polite, but no waiting for the reply
            except OSError:
                pass
            smtp.close()
            connection.connection = None
        else:
            connection.close()


def mail_send_once(key: str, send, *, claim_seconds: int = 300, keep_seconds: int = 30 * 24 * 3600) -> bool:
    """Call `send()` (which sends one notice) unless the notice `key` was already sent; True if sent now.

    For notices that have no row of their own to stamp. The key is marked sent only after
    `send()` returned: a worker killed while sending leaves a short claim (which keeps a
    concurrent delivery of the same message from sending it too) and no "sent" mark, so the
    redelivered task sends it, rather than finding it marked and dropping it. A failure to
    send releases the claim at once, for a retry.
    """
    from django.core.cache import cache

    if cache.get(key) is not None:
        return False
    claim = f"{key}:sending"
    if not cache.add(claim, True, timeout=claim_seconds):
        return False
    try:
        send()
    except BaseException:
        cache.delete(claim)
        raise
    cache.set(key, True, timeout=keep_seconds)
    cache.delete(claim)
    return True
