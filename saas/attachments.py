"""Uploaded files, for every app that keeps them: one model shape, one check, one place, one way out.

Applications and demands both take files from enterprises. What a file may be, where
it is stored and how it is served are the same rule for both, so they are written once
here; each app keeps only who may add or remove a file and when (its services).

- Validation (`upload_checked`): a file's name and the browser's content type are
  whatever the uploader says; its first bytes are not. We accept what the bytes show to
  be a PDF, a PNG/JPEG image, an Office Open XML document (a zip holding
  [Content_Types].xml) or a legacy Office file (OLE2), up to 20 MB.
- Storage (`attachment_storage_path`): inside the tenant's own storage prefix
  (public_schema.tenants.storage.TenantMediaStorage puts MEDIA_ROOT/<schema>/ in front), under a random
  name, never the uploader's, so a name cannot clash, overwrite or climb out.
- Serving: a private file is served only by its app's access-checked view through
  `attachment_response`; /media/ serves nothing but the tenant's shared folder
  (`shared_media_name`), however a private file's path is spelt. Once the checks pass,
  the bytes do not go through a gunicorn worker (`stored_file_response`): on S3 the answer
  is a redirect to a signed URL that expires in PARKHUB_MEDIA_URL_EXPIRE seconds; on local
  disk behind nginx an X-Accel-Redirect to its internal location. Only development,
  with neither set, streams the file from Django.

This module is part of the kernel: it imports no feature app.
"""

import io
import posixpath
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.encoding import iri_to_uri
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 200
# What the upload forms offer in the file picker; the bytes decide (sniff_content_type).
ACCEPT = ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx,.ppt,.pptx,application/pdf,image/png,image/jpeg"


class AttachmentFileMixin(models.Model):
    """The columns every stored upload has, besides its `file` and its owner.

    Each concrete model declares its own `file = models.FileField(upload_to=...)`: the
    `upload_to` callable is recorded in the migrations by its import path, so moving it
    here would need a migration for no change in the database. Those callables call
    `attachment_storage_path`.
    """

    original_name = models.CharField(gettext_lazy("file name"), max_length=MAX_NAME_LENGTH)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = gettext_lazy("attachment")
        verbose_name_plural = gettext_lazy("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name

    def store(self, upload, *, content_type: str, uploaded_by) -> None:
        """Fill the columns from a checked upload and save the file and the row (caller holds the transaction)."""
        self.original_name = upload_original_name(upload)
        self.content_type = content_type
        self.size = upload.size
        self.uploaded_by = uploaded_by
        # The stored object carries the type the bytes showed, never the browser's claim
        # (an object store serves it with that type; the name on disk has no extension).
        upload.content_type = content_type
        self.file.save(upload.name or "file", upload, save=False)
        self.save()


def attachment_storage_path(*, owner_kind: str, owner_id: int) -> str:
    """Where an owner's next file goes, relative to the tenant's storage prefix."""
    return f"attachments/{owner_kind}/{owner_id}/{uuid.uuid4().hex}"


def upload_original_name(upload) -> str:
    """The name shown and offered on download: the uploader's, its tail kept if it is too long."""
    return (upload.name or "file")[-MAX_NAME_LENGTH:]


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
        return _office_open_xml_type(upload)
    return None


def _office_open_xml_type(upload) -> str | None:
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


def upload_checked(upload, *, field: str = "file") -> str:
    """The content type of an upload we accept, or a ValidationError on `field` saying why not."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {field: _("The file is larger than 20 MB; scan at a lower resolution or split it.")}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head, upload)
    if content_type is None:
        raise ValidationError(
            {field: _("Only PDF, PNG or JPEG images and Word, Excel or PowerPoint documents are accepted.")}
        )
    return content_type


def attachment_response(*, attachment: AttachmentFileMixin) -> HttpResponse:
    """The file, for a caller that has already fetched the attachment through an access-checked selector.

    PDFs and images open in the browser; anything else (Office documents) downloads.
    """
    return stored_file_response(
        storage=attachment.file.storage,
        name=attachment.file.name,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=attachment.content_type.startswith(("image/", "application/pdf")),
    )


def stored_file_response(
    *, storage, name: str, content_type: str, filename: str, inline: bool
) -> HttpResponse:
    """Hand a stored file, already access-checked, to whatever serves it best (module docstring).

    Each answer is `private, no-store`: a signed URL or a checked file must not be kept by a
    shared cache and replayed to someone else.
    """
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    if hasattr(storage, "bucket_name"):  # django-storages' S3 backend (public_schema.tenants.storage)
        url = storage.url(
            name,
            expire=settings.PARKHUB_MEDIA_URL_EXPIRE,
            parameters={"ResponseContentType": content_type, "ResponseContentDisposition": disposition},
        )
        response = HttpResponseRedirect(url)
    elif settings.PARKHUB_MEDIA_ACCEL_REDIRECT:
        relative = Path(storage.path(name)).resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = iri_to_uri(settings.PARKHUB_MEDIA_ACCEL_REDIRECT + relative.as_posix())
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            storage.open(name, "rb"), content_type=content_type, as_attachment=not inline, filename=filename
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def shared_media_name(name: str, *, storage=None) -> str | None:
    """The stored name a /media/ name means, if it lies in this schema's shared folder and exists; else None.

    The name is normalised before anything is checked: Django has already decoded the URL
    once, so "shared/%2e%2e/attachments/x" arrives as "shared/../attachments/x", which starts
    with "shared/" and, joined naively, is another enterprise's private attachment. Names
    with a backslash, a NUL, a percent sign (a second layer of encoding) or a leading slash
    mean no file we store. On local disk the resolved path (symbolic links followed) must
    still lie inside MEDIA_ROOT/<schema>/shared/ (`shared_media_path`).
    """
    if not name or any(character in name for character in "\\\x00%") or name.startswith("/"):
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if posixpath.normpath(name) != name or not name.startswith(settings.PARKHUB_SHARED_MEDIA_PREFIX):
        return None
    storage = storage or default_storage
    if hasattr(storage, "bucket_name"):
        return name if storage.exists(name) else None
    return name if shared_media_path(name) is not None else None


def shared_media_path(name: str) -> Path | None:
    """The local file a /media/ name means, if it lies under this schema's shared folder; else None."""
    if not name or any(character in name for character in "\\\x00%") or name.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in name.split("/")) or posixpath.normpath(name) != name:
        return None
    if not name.startswith(settings.PARKHUB_SHARED_MEDIA_PREFIX):
        return None
    schema_root = Path(default_storage.location).resolve()
    shared_root = (schema_root / settings.PARKHUB_SHARED_MEDIA_PREFIX).resolve()
    full_path = (schema_root / name).resolve()
    if not full_path.is_relative_to(shared_root) or not full_path.is_file():
        return None
    return full_path
