"""Attachments of applications: PDF, images and Office documents only, checked by content.

A file's name and the browser's content type are whatever the uploader says; its first
bytes are not. We accept what the bytes show to be a PDF, a PNG/JPEG image, an Office
Open XML document (a zip holding [Content_Types].xml) or a legacy Office file (OLE2).
Files live in the tenant's own storage prefix and are served only by the access-checked
view, never at /media/.
"""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from tenant_schema.enterprises.models import Membership

from .models import Application, Attachment

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
EDITABLE = (Application.Status.DRAFT, Application.Status.RETURNED)


def sniff_content_type(head: bytes, upload) -> str | None:
    """The real type of an upload from its bytes, or None when it is not one we accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"  # .doc / .xls / .ppt (OLE2)
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        if any(name.startswith("word/") for name in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if any(name.startswith("xl/") for name in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if any(name.startswith("ppt/") for name in names):
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return None


def attachment_add(*, application: Application, actor, upload, document: str = "") -> Attachment:
    """Attach a file to a draft or returned application of the actor's own enterprise."""
    if not Membership.objects.filter(user=actor, enterprise_id=application.enterprise_id).exists():
        raise ValidationError(_("Only the enterprise's own people can add documents."))
    if application.status not in EDITABLE:
        raise ValidationError(_("Documents can be added while the application is a draft or returned for revision."))
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB; scan at a lower resolution or split it.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head, upload)
    if content_type is None:
        raise ValidationError(
            {"file": _("Only PDF, PNG or JPEG images and Word, Excel or PowerPoint documents are accepted.")}
        )
    with transaction.atomic():
        attachment = Attachment(
            application=application,
            document=(document or "").strip()[:100],
            original_name=(upload.name or "file")[-200:],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()
    return attachment


def attachment_remove(*, attachment: Attachment, actor) -> None:
    application = attachment.application
    if application.status not in EDITABLE or not Membership.objects.filter(
        user=actor, enterprise_id=application.enterprise_id
    ).exists():
        raise ValidationError(_("This document can no longer be removed."))
    attachment.file.delete(save=False)
    attachment.delete()


def attachment_response(*, attachment: Attachment) -> FileResponse:
    """The file, for a caller that has already fetched the attachment through an access-checked selector."""
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith(("image/", "application/pdf")),
        filename=attachment.original_name,
    )
