"""The last try: when Celery would give up, the row says failed (not pending for ever), with the server's answer.

In this process, against the real SMTP server; the task body is called as the worker's last retry would.
"""

import smtplib

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context, tenant_context

from every_schema.accounts.models import Invitation
from every_schema.accounts.services import invitation_deliver, invitation_queue, user_create
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.services import notification_email_deliver, notification_send

from ..conftest import ALPHA, make_user


@pytest.fixture
def smtp_settings(smtp_server):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield smtp_server


def test_an_invitation_still_refused_on_the_last_try_is_marked_failed(db, tenant_a, smtp_settings):
    smtp_settings.handler.refuse = True
    with tenant_context(tenant_a):
        user = user_create(email="always-greylisted@alpha.cn")
        invitation = invitation_queue(user=user)
        with pytest.raises(smtplib.SMTPDataError):
            invitation_deliver(user_id=user.pk, generation=invitation.generation, last_try=False)
        assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING
        with pytest.raises(smtplib.SMTPDataError):
            invitation_deliver(user_id=user.pk, generation=invitation.generation, last_try=True)
        failed = Invitation.objects.get(pk=invitation.pk)
    assert failed.status == Invitation.Status.FAILED and failed.attempts == 2 and failed.sent_at is None
    assert failed.last_error.startswith("451")
    assert smtp_settings.handler.messages_to("always-greylisted@alpha.cn") == []


def test_a_task_for_an_older_generation_sends_nothing(db, tenant_a, smtp_settings):
    with tenant_context(tenant_a):
        user = user_create(email="generations@alpha.cn")
        invitation = invitation_queue(user=user)
        Invitation.objects.filter(pk=invitation.pk).update(generation=2)
        assert invitation_deliver(user_id=user.pk, generation=1, last_try=False) is False
        assert invitation_deliver(user_id=user.pk, generation=2, last_try=False) is True
    assert len(smtp_settings.handler.messages_to("generations@alpha.cn")) == 1


def test_notifications_refused_on_the_last_try_are_marked_failed_and_the_others_still_go(
    db, tenant_a, smtp_settings
):
    accepted = make_user(ALPHA, email="fine@alpha.cn")
    unknown = make_user(ALPHA, email="no-such-mailbox@alpha.cn")
    with schema_context(ALPHA):
        notification_send(user_ids=[accepted.pk, unknown.pk], title="通知", dedupe_key="last-try")
        ids = list(Notification.objects.filter(dedupe_key="last-try").values_list("pk", flat=True))
        # The unknown mailbox (550) is failed at once and does not hold back the other.
        assert notification_email_deliver(notification_ids=ids, last_try=False) == 1
        rows = {n.user_id: n for n in Notification.objects.filter(pk__in=ids)}
    assert rows[accepted.pk].email_status == Notification.EmailStatus.SENT and rows[accepted.pk].emailed_at
    assert rows[unknown.pk].email_status == Notification.EmailStatus.FAILED
    assert rows[unknown.pk].email_last_error.startswith("550")
    assert len(smtp_settings.handler.messages_to("fine@alpha.cn")) == 1
