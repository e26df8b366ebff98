"""Mail about accounts, sent by Celery in the schema the task was queued from."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from saas.celery import app

from .services import user_password_set_path

logger = logging.getLogger(__name__)


@app.task(name="accounts.invitation_send")
def invitation_send_task(*, user_id: int) -> bool:
    """Email a new account its one-time link to choose a password.

    Safe to run twice: the cache (whose keys carry the schema) remembers a sent
    invitation until the password changes, which is also when the link stops working.
    """
    from tenants.services import tenant_site_url

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.warning("invitation for user %s: no such active user in this schema", user_id)
        return False
    sent_key = "invitation-sent:%s:%s" % (user.pk, hashlib.sha256(user.password.encode()).hexdigest()[:16])
    if not cache.add(sent_key, True, timeout=settings.PASSWORD_RESET_TIMEOUT):
        return False
    tenant = connection.tenant
    context = {
        "user": user,
        "site_name": tenant.name,
        "link": tenant_site_url(tenant=tenant, path=user_password_set_path(user=user)),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])
    return True
