"""Mail that arrives: through a real SMTP server that refuses, goes away, hangs, then accepts.

A real prefork Celery worker sends; the rows say what the server did. Each test waits on
what it can see (rows, delivered messages) with bounded timeouts.
"""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.test import override_settings
from django_tenants.utils import schema_context

from every_schema.accounts.models import Invitation
from every_schema.accounts.services import invitation_queue, invitation_resend, user_create
from every_schema.accounts.tasks import invitation_send_task
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.services import notification_send

from ..conftest import ALPHA, BETA, wait_until
from .conftest import SOFT_LIMIT_SECONDS

pytestmark = pytest.mark.worker
User = get_user_model()


def _invitation(schema, email) -> Invitation:
    with schema_context(schema):
        return Invitation.objects.select_related("user").get(user__email=email)


def _link_token(message: str) -> str:
    return re.search(r"/accounts/password/set/[^/]+/([^/\s]+)/", message).group(1)


@pytest.fixture
def cleanup_users():
    made: list[tuple[str, str]] = []
    yield made
    connection.set_schema_to_public()
    for schema, email in made:
        with schema_context(schema):
            User.objects.filter(email=email).delete()


def _invite(schema, email, cleanup_users):
    cleanup_users.append((schema, email))
    with schema_context(schema), transaction.atomic():
        user = user_create(email=email, full_name="受邀同事")
        invitation_queue(user=user)
    return user


def test_a_refused_invitation_is_retried_and_marked_sent_once_the_server_accepts(
    committed_db, smtp_server, mail_tasks_to_smtp_worker, cleanup_users
):
    email = "greylisted@alpha.cn"
    smtp_server.handler.refuse = True
    _invite(ALPHA, email, cleanup_users)

    # The server said 451 twice: still pending, never marked sent, nothing delivered, and retried.
    wait_until(lambda: _invitation(ALPHA, email).attempts >= 2, timeout=30, message="two refused attempts")
    refused = _invitation(ALPHA, email)
    assert refused.status == Invitation.Status.PENDING
    assert refused.sent_at is None
    assert refused.last_error.startswith("451")
    assert smtp_server.handler.messages_to(email) == []

    smtp_server.handler.refuse = False
    wait_until(lambda: _invitation(ALPHA, email).status == Invitation.Status.SENT, timeout=30, message="sent")
    sent = _invitation(ALPHA, email)
    assert sent.sent_at is not None and sent.last_error == ""
    assert sent.attempts >= 3
    messages = smtp_server.handler.messages_to(email)
    assert len(messages) == 1
    assert "alpha." in messages[0]

    # The task run again (a redelivery, a second queueing) sends nothing more. The worker has
    # one slot and takes tasks in order: once the probe's invitation is out, the repeats were handled.
    with schema_context(ALPHA):
        for _ in range(2):
            invitation_send_task.apply_async(
                kwargs={"user_id": sent.user_id, "generation": sent.generation},
                headers={"_schema_name": ALPHA},
            )
        invitation_send_task.apply_async(kwargs={"user_id": sent.user_id}, headers={"_schema_name": ALPHA})
    _invite(ALPHA, "probe-after-repeat@alpha.cn", cleanup_users)
    wait_until(
        lambda: smtp_server.handler.messages_to("probe-after-repeat@alpha.cn"), timeout=30, message="probe"
    )
    assert len(smtp_server.handler.messages_to(email)) == 1
    assert _invitation(ALPHA, email).attempts == sent.attempts


def test_an_unreachable_server_leaves_the_invitation_pending_until_it_comes_back(
    committed_db, smtp_server, mail_tasks_to_smtp_worker, cleanup_users
):
    email = "server-down@beta.cn"
    smtp_server.stop()
    _invite(BETA, email, cleanup_users)
    wait_until(lambda: _invitation(BETA, email).attempts >= 1, timeout=30, message="a refused connection")
    down = _invitation(BETA, email)
    assert down.status == Invitation.Status.PENDING and down.sent_at is None
    assert "ConnectionRefused" in down.last_error
    smtp_server.start()
    wait_until(lambda: _invitation(BETA, email).status == Invitation.Status.SENT, timeout=30, message="sent")
    assert len(smtp_server.handler.messages_to(email)) == 1


def test_a_permanent_refusal_marks_the_invitation_failed_without_retrying(
    committed_db, smtp_server, mail_tasks_to_smtp_worker, cleanup_users
):
    email = "no-such-mailbox@alpha.cn"
    _invite(ALPHA, email, cleanup_users)
    wait_until(
        lambda: _invitation(ALPHA, email).status == Invitation.Status.FAILED, timeout=30, message="failed"
    )
    failed = _invitation(ALPHA, email)
    assert failed.attempts == 1 and failed.sent_at is None
    assert failed.last_error.startswith("550")
    # Nothing retries it: a later invitation goes out, and this one is still at one attempt.
    _invite(ALPHA, "probe-after-550@alpha.cn", cleanup_users)
    wait_until(
        lambda: smtp_server.handler.messages_to("probe-after-550@alpha.cn"), timeout=30, message="probe"
    )
    time.sleep(1.5)  # longer than the first backoff step would be
    assert _invitation(ALPHA, email).attempts == 1


@override_settings(PARKHUB_INVITATION_RESEND_INTERVAL=0)
def test_a_resent_invitation_arrives_with_a_new_link_and_the_old_one_stops_working(
    committed_db, smtp_server, mail_tasks_to_smtp_worker, cleanup_users
):
    email = "resend-me@alpha.cn"
    user = _invite(ALPHA, email, cleanup_users)
    wait_until(lambda: smtp_server.handler.messages_to(email), timeout=30, message="the first invitation")
    with schema_context(ALPHA):
        invitation_resend(user=user)
    wait_until(
        lambda: len(smtp_server.handler.messages_to(email)) == 2, timeout=30, message="the resent invitation"
    )
    first, second = smtp_server.handler.messages_to(email)
    with schema_context(ALPHA):
        user.refresh_from_db()
        assert not default_token_generator.check_token(user, _link_token(first))
        assert default_token_generator.check_token(user, _link_token(second))
    resent = _invitation(ALPHA, email)
    assert resent.status == Invitation.Status.SENT and resent.generation == 2


def test_a_hung_mail_server_is_cut_off_by_the_soft_time_limit_and_the_slot_is_freed(
    committed_db, smtp_server, mail_tasks_to_smtp_worker, cleanup_users
):
    """EMAIL_TIMEOUT is 30 s in this worker: only the 3 s soft limit can stop the task this soon."""
    email = "hung-server@alpha.cn"
    cleanup_users.append((ALPHA, email))
    with schema_context(ALPHA):
        user = user_create(email=email, password="x-long-enough-9")
    smtp_server.handler.hang_seconds = 60
    started = time.monotonic()
    with schema_context(ALPHA), transaction.atomic():
        notification_send(user_ids=[user.pk], title="请查看申请", body="正文", dedupe_key="soft-limit-test")

    def notification():
        with schema_context(ALPHA):
            return Notification.objects.get(user=user, dedupe_key="soft-limit-test")

    wait_until(lambda: notification().email_attempts >= 1, timeout=20, message="the soft time limit")
    stopped_after = time.monotonic() - started
    stopped = notification()
    assert "time limit" in stopped.email_last_error
    assert stopped.email_status == Notification.EmailStatus.PENDING and stopped.emailed_at is None
    assert stopped_after < 15, stopped_after
    assert (
        f"Soft time limit ({SOFT_LIMIT_SECONDS}s) exceeded" in mail_tasks_to_smtp_worker.log_path.read_text()
    )

    # The server recovers: the retry in the same worker slot delivers it, once.
    smtp_server.handler.hang_seconds = 0
    wait_until(
        lambda: notification().email_status == Notification.EmailStatus.SENT, timeout=30, message="sent"
    )
    assert notification().emailed_at is not None
    assert len(smtp_server.handler.messages_to(email)) == 1
