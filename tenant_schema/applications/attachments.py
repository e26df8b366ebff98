"""Attachments of applications: who may add or remove one, and when.

What a file may be, where it is stored and how it is served are the rules of every
upload (saas.attachments); an application's files are added and removed only by the
enterprise's own people while the application is a draft or returned for revision.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saas.attachments import MAX_ATTACHMENT_BYTES, attachment_response, upload_checked
from tenant_schema.enterprises.models import Membership

from .models import Application, Attachment

__all__ = ["EDITABLE", "MAX_ATTACHMENT_BYTES", "attachment_add", "attachment_remove", "attachment_response"]

EDITABLE = (Application.Status.DRAFT, Application.Status.RETURNED)


def attachment_add(*, application: Application, actor, upload, document: str = "") -> Attachment:
    """Attach a file to a draft or returned application of the actor's own enterprise."""
    if not Membership.objects.filter(user=actor, enterprise_id=application.enterprise_id).exists():
        raise ValidationError(_("Only the enterprise's own people can add documents."))
    if application.status not in EDITABLE:
        raise ValidationError(
            _("Documents can be added while the application is a draft or returned for revision.")
        )
    content_type = upload_checked(upload, field="file")
    with transaction.atomic():
        attachment = Attachment(application=application, document=(document or "").strip()[:100])
        attachment.store(upload, content_type=content_type, uploaded_by=actor)
    return attachment


def attachment_remove(*, attachment: Attachment, actor) -> None:
    application = attachment.application
    if (
        application.status not in EDITABLE
        or not Membership.objects.filter(user=actor, enterprise_id=application.enterprise_id).exists()
    ):
        raise ValidationError(_("This document can no longer be removed."))
    attachment.file.delete(save=False)
    attachment.delete()
