"""Exports requested through the hub API: a job row, a Celery task that writes the archive, its download.

The archive is made by `lifecycle.tenant_export` into a temporary file and then stored in
the public storage prefix (local disk or S3, public_schema.tenants.storage) under
`tenant-exports/<slug>/`; it leaves only through the operator's access-checked download
(a signed URL or nginx, saas.attachments.stored_file_response), never through /media/.

Progress is written on a connection of its own: the export reads the tenant in one
REPEATABLE READ transaction, and rows written inside it would stay invisible to the
operator polling the job until the very end.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files import File
from django.db import connection, connections, transaction
from django.utils import timezone

from .lifecycle import tenant_export
from .models import Tenant, TenantExport
from .storage import schema_storage

EXPORTS_DIR = "tenant-exports"


def export_storage():
    """Where archives are kept: the public schema's prefix (no tenant site can serve it)."""
    return schema_storage("public")


def tenant_export_request(*, tenant: Tenant, actor=None, final: bool = False) -> TenantExport:
    """Record an export of `tenant` and queue its task on commit; returns the job to poll."""
    from .tasks import tenant_export_run_task

    label = (getattr(actor, "full_name", "") or getattr(actor, "email", "")) if actor else ""
    job = TenantExport.objects.create(tenant=tenant, requested_by_label=label[:200], final=final)
    transaction.on_commit(lambda: tenant_export_run_task.delay(job.pk))
    return job


def _progress_writer(job_pk: int):
    side = connections.create_connection("default")  # autocommit: each count is seen at once

    def write(done: int, total: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(
                "UPDATE public.tenants_tenantexport SET tables_done = %s, tables_total = %s WHERE id = %s",
                [done, total, job_pk],
            )

    return side, write


def tenant_export_run(*, job_pk: int) -> TenantExport:
    """Write the archive of a requested export and store it; safe to run twice (a finished job is left as is)."""
    connection.set_schema_to_public()
    job = TenantExport.objects.select_related("tenant").get(pk=job_pk)
    if job.finished_at:
        return job
    job.started_at = timezone.now()
    job.error = ""
    job.save(update_fields=["started_at", "error"])
    side, write = _progress_writer(job.pk)
    try:
        with tempfile.TemporaryDirectory(prefix="parkhub-export-job-") as workdir:
            path = Path(workdir) / "export.tar.gz"
            summary = tenant_export(tenant=job.tenant, path=path, progress=write)
            stamp = job.started_at.strftime("%Y%m%dT%H%M%S")
            name = f"{EXPORTS_DIR}/{job.tenant.schema_name}/{stamp}-{job.pk}.parkhub.tar.gz"
            with open(path, "rb") as archive:
                stored = export_storage().save(name, File(archive, name=name))
    except Exception as error:
        connection.set_schema_to_public()
        TenantExport.objects.filter(pk=job.pk).update(error=str(error)[:2000] or type(error).__name__)
        raise
    finally:
        side.close()
    connection.set_schema_to_public()
    TenantExport.objects.filter(pk=job.pk).update(
        tables_done=summary.tables,
        tables_total=summary.tables,
        rows=summary.rows,
        files=summary.files,
        archive_name=stored,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
