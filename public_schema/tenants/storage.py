"""Where each tenant's uploads are kept: under a prefix of its own, on local disk or in an S3 bucket.

Every file goes through Django's storage API (`default_storage`, a model's FileField), and
the storage puts the current schema in front of every name, so a name can never reach
another tenant's files, whichever backend holds them:

- `TenantMediaStorage` (the default, `make dev`): MEDIA_ROOT/<schema>/ on the local disk.
- `TenantS3Storage` (PARKHUB_MEDIA_BACKEND=s3): <PARKHUB_S3_PREFIX>/<schema>/ in one bucket
  (django-storages' S3 backend, any S3-compatible server). The bucket stays private:
  a download is a short-lived signed URL (saas.attachments.stored_file_response).

The lifecycle commands (export, restore, deletion) work on a tenant other than the
current one: `schema_storage` gives the storage of a named schema and `schema_uploads_delete`
removes a schema's files from whichever backend holds them.
"""

from __future__ import annotations

import posixpath
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage
from storages.backends.s3 import S3Storage


class TenantMediaStorage(TenantFileSystemStorage):
    """Uploads land in MEDIA_ROOT/<schema>/; URLs stay /media/<name> on the tenant's own host.

    The URL carries no schema name: the media view reads the schema from the host, so a
    link copied to another tenant's host finds nothing there.
    """

    @property
    def base_url(self):
        return settings.MEDIA_URL


class TenantS3Storage(S3Storage):
    """Uploads under <location>/<schema>/ in the bucket, the schema read per call (or fixed).

    django-storages joins `location` in front of every key (and refuses a name that climbs
    out of it), so making `location` end in the schema is all the per-tenant prefix needs.
    """

    def __init__(self, *, schema_name: str | None = None, **options):
        self._fixed_schema = schema_name
        super().__init__(**options)

    @property
    def location(self) -> str:
        schema = self._fixed_schema or connection.schema_name
        return posixpath.join(self._base_location, schema) if self._base_location else schema

    @location.setter
    def location(self, value: str) -> None:
        self._base_location = (value or "").strip("/")

    def schema_uploads_delete(self) -> int:
        """Remove every object under this schema's prefix (one request per 1,000 keys)."""
        deleted = 0
        for response in self.bucket.objects.filter(Prefix=f"{self.location}/").delete():
            deleted += len(response.get("Deleted", []))
        return deleted


def media_on_s3() -> bool:
    return settings.PARKHUB_MEDIA_BACKEND == "s3"


def schema_storage(schema_name: str) -> Storage:
    """The storage of `schema_name`'s uploads, whatever schema the connection is on."""
    if media_on_s3():
        return TenantS3Storage(schema_name=schema_name, **settings.STORAGES["default"].get("OPTIONS", {}))
    return FileSystemStorage(location=str(Path(settings.MEDIA_ROOT) / schema_name))


def storage_names(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name under `directory` of `storage`, depth first, in a stable order."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(directory, name) if directory else name
    for sub in sorted(directories):
        yield from storage_names(storage, posixpath.join(directory, sub) if directory else sub)


def schema_uploads_delete(schema_name: str) -> None:
    """Remove every upload of `schema_name` from the backend in use (nothing there is fine)."""
    storage = schema_storage(schema_name)
    if isinstance(storage, TenantS3Storage):
        storage.schema_uploads_delete()
    else:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / schema_name, ignore_errors=True)
