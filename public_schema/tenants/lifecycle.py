"""One tenant's life for operators: export it to one file, restore it under the same or a new address.

An export is a gzip'd tar archive:

- `manifest.json`: the format version, when, the registry row (name, kind, status, parent),
  the domains, the schema's applied migrations, and per table its columns and row count;
- `tables/<table>.tsv`: each table's rows as PostgreSQL's COPY text format, with the
  columns named in the manifest (so a restore does not depend on column order);
- `uploads/…`: the tenant's files (its storage prefix, on local disk or S3), paths kept.

A restore takes a schema the way provisioning does (a spare from the pool, else a clone
of the template), empties it and loads the rows in one transaction, with the tenant's own
triggers held off while loading (append-only history and page-cache counters would
otherwise see the rows as new writes) and foreign keys checked at commit. It refuses an
archive whose migrations differ from the code's: restore with the release that exported
it, then migrate. The public schema's rows about the tenant that other tenants share
(envelopes, the network's institution profile and products) are not in the archive.
"""

from __future__ import annotations

import datetime as dt
import json
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Domain, Tenant
from .storage import schema_storage, schema_uploads_delete, storage_names

FORMAT_VERSION = 1


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    tables: int
    rows: int
    files: int
    seconds: float


@dataclass(frozen=True)
class RestoreSummary:
    tenant: Tenant
    tables: int
    rows: int
    files: int
    seconds: float


def _raw_connection():
    connection.ensure_connection()
    return connection.connection


def _tables_of(schema_name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind IN ('r', 'p') "
            "ORDER BY relname",
            [schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


def _columns_of(schema_name: str, table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum",
            [f'"{schema_name}"."{table}"'],
        )
        return [row[0] for row in cursor.fetchall()]


def _migrations_of(schema_name: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations ORDER BY app, name')
        return [list(row) for row in cursor.fetchall()]


def _quoted_columns(columns: list[str]) -> str:
    return ", ".join(f'"{column}"' for column in columns)


def tenant_export(
    *, tenant: Tenant, path: Path | str, progress: Callable[[int, int], None] | None = None
) -> ExportSummary:
    """Write the tenant's schema, registry row, domains and uploads to one archive at `path`.

    The rows are read in one REPEATABLE READ transaction, so the archive is one consistent
    moment of the tenant even while people keep working. `progress(done, total)` is called
    after each table (the hub API's export job shows it).
    """
    if tenant.kind == Tenant.Kind.HUB or tenant.slot != Tenant.Slot.LIVE:
        raise ValidationError(_("Only a live sub-platform, park or institution can be exported."))
    started = timezone.now()
    path = Path(path)
    schema_name = tenant.schema_name
    connection.set_schema_to_public()
    with tempfile.TemporaryDirectory(prefix="parkhub-export-") as workdir:
        tables_dir = Path(workdir) / "tables"
        tables_dir.mkdir()
        manifest_tables = []
        total_rows = 0
        with transaction.atomic():
            raw = _raw_connection()
            # On the raw connection: it must be the transaction's first statement, before any
            # search_path the tenant-aware cursor might set.
            raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            tables = _tables_of(schema_name)
            for table in tables:
                columns = _columns_of(schema_name, table)
                rows = 0
                with open(tables_dir / f"{table}.tsv", "wb") as out, raw.cursor() as cursor:
                    with cursor.copy(
                        f'COPY "{schema_name}"."{table}" ({_quoted_columns(columns)}) TO STDOUT'
                    ) as copy:
                        for chunk in copy:
                            out.write(chunk)
                            rows += bytes(chunk).count(b"\n")
                manifest_tables.append({"name": table, "columns": columns, "rows": rows})
                total_rows += rows
                if progress is not None:
                    progress(len(manifest_tables), len(tables))
            migrations = _migrations_of(schema_name)
        manifest = {
            "format": FORMAT_VERSION,
            "exported_at": started.isoformat(),
            "tenant": {
                "schema_name": schema_name,
                "name": tenant.name,
                "kind": tenant.kind,
                "status": tenant.status,
                "status_reason": tenant.status_reason,
                "parent": tenant.parent.schema_name if tenant.parent_id else None,
                "created_at": tenant.created_at.isoformat(),
            },
            "domains": list(Domain.objects.filter(tenant=tenant).values("domain", "is_primary")),
            "migrations": migrations,
            "tables": manifest_tables,
        }
        (Path(workdir) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        storage = schema_storage(schema_name)
        files = 0
        with tarfile.open(path, "w:gz") as archive:
            archive.add(Path(workdir) / "manifest.json", arcname="manifest.json")
            archive.add(tables_dir, arcname="tables")
            for name in storage_names(storage):
                with storage.open(name, "rb") as stored:
                    info = tarfile.TarInfo(f"uploads/{name}")
                    info.size = storage.size(name)
                    info.mtime = int(started.timestamp())
                    archive.addfile(info, stored)
                files += 1
    seconds = (timezone.now() - started).total_seconds()
    return ExportSummary(
        path=path, tables=len(manifest_tables), rows=total_rows, files=files, seconds=seconds
    )


def archive_manifest(path: Path | str) -> dict:
    """The manifest of an export archive (what `tenant_restore` would restore)."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            manifest = json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError) as error:
        raise ValidationError(
            _("This file is not a ParkHub tenant export (%(error)s).") % {"error": error}
        ) from None
    if manifest.get("format") != FORMAT_VERSION:
        raise ValidationError(
            _("This export has format %(format)s; this release reads format %(expected)s.")
            % {"format": manifest.get("format"), "expected": FORMAT_VERSION}
        )
    return manifest


def _check_migrations_match(manifest: dict) -> None:
    from .services import template_ensure

    template = template_ensure()
    current = {tuple(row) for row in _migrations_of(template.schema_name)}
    exported = {tuple(row) for row in manifest["migrations"]}
    if current != exported:
        missing = sorted(f"{app}.{name}" for app, name in current - exported)[:5]
        extra = sorted(f"{app}.{name}" for app, name in exported - current)[:5]
        raise ValidationError(
            _(
                "The export was made by a release with other migrations (not in the export: %(missing)s; "
                "not in this release: %(extra)s). Restore it with the release that exported it, then upgrade."
            )
            % {"missing": ", ".join(missing) or "-", "extra": ", ".join(extra) or "-"}
        )


def _safe_members(archive: tarfile.TarFile, prefix: str) -> list[tarfile.TarInfo]:
    """Members under `prefix`, refusing absolute paths, `..` and links (an archive must not write elsewhere)."""
    members = []
    for member in archive.getmembers():
        if not member.name.startswith(prefix):
            continue
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or member.issym() or member.islnk():
            raise ValidationError(_("The export contains an unsafe path: %(name)s") % {"name": member.name})
        members.append(member)
    return members


def tenant_restore(*, path: Path | str, slug: str | None = None, name: str | None = None) -> RestoreSummary:
    """Bring an exported tenant back, under its own address or `slug`; returns the live tenant.

    The schema comes from the pool (or a template clone), is emptied and loaded in one
    transaction; the uploads are unpacked next to it. A failure before the commit leaves
    no tenant behind.
    """
    from .services import tenant_drop, tenant_provision, tenant_slug_validate

    started = timezone.now()
    manifest = archive_manifest(path)
    exported = manifest["tenant"]
    slug = tenant_slug_validate(slug=slug or exported["schema_name"])
    if Tenant.objects.filter(schema_name=slug).exists():
        raise ValidationError(
            {"slug": _("A tenant with the address “%(slug)s” already exists.") % {"slug": slug}}
        )
    _check_migrations_match(manifest)
    parent = Tenant.objects.filter(schema_name=exported.get("parent") or "public").first()
    provisioned = tenant_provision(
        name=name or exported["name"],
        slug=slug,
        kind=exported["kind"],
        admin_email=f"restore@{slug}.invalid",  # replaced by the export's own accounts below
        parent=parent,
    )
    tenant = provisioned.tenant
    try:
        with tempfile.TemporaryDirectory(prefix="parkhub-restore-") as workdir:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(workdir, members=_safe_members(archive, "tables/"), filter="data")
                upload_members = _safe_members(archive, "uploads/")
                archive.extractall(workdir, members=upload_members, filter="data")
            rows = _rows_load(schema_name=slug, manifest=manifest, tables_dir=Path(workdir) / "tables")
            files = _uploads_place(schema_name=slug, source=Path(workdir) / "uploads")
    except Exception:
        tenant_drop(tenant=tenant)
        schema_uploads_delete(slug)
        raise
    tenant.created_at = dt.datetime.fromisoformat(exported["created_at"])
    tenant.status = exported.get("status") or Tenant.Status.ACTIVE
    tenant.status_reason = exported.get("status_reason") or ""
    tenant.save(update_fields=["created_at", "status", "status_reason"])
    if slug == exported["schema_name"]:
        # The same address: the export's own domains come back (the primary one exists already).
        for domain in manifest["domains"]:
            Domain.objects.get_or_create(
                domain=domain["domain"], defaults={"tenant": tenant, "is_primary": False}
            )
    seconds = (timezone.now() - started).total_seconds()
    return RestoreSummary(
        tenant=tenant, tables=len(manifest["tables"]), rows=rows, files=files, seconds=seconds
    )


def _rows_load(*, schema_name: str, manifest: dict, tables_dir: Path) -> int:
    present = set(_tables_of(schema_name))
    tables = [table for table in manifest["tables"] if table["name"] in present]
    missing = [table["name"] for table in manifest["tables"] if table["name"] not in present]
    if missing:
        raise ValidationError(
            _("The export has tables this release lacks: %(tables)s") % {"tables": ", ".join(missing)}
        )
    quoted = ", ".join(f'"{schema_name}"."{table}"' for table in sorted(present))
    rows = 0
    with transaction.atomic():
        raw = _raw_connection()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # The provisioned schema's own rows (roles, the placeholder administrator) make way.
            cursor.execute(f"TRUNCATE {quoted}")
            for table in present:
                cursor.execute(f'ALTER TABLE "{schema_name}"."{table}" DISABLE TRIGGER USER')
        for table in tables:
            with open(tables_dir / f"{table['name']}.tsv", "rb") as source, raw.cursor() as cursor:
                with cursor.copy(
                    f'COPY "{schema_name}"."{table["name"]}" ({_quoted_columns(table["columns"])}) FROM STDIN'
                ) as copy:
                    while chunk := source.read(1 << 20):
                        copy.write(chunk)
            rows += table["rows"]
        with connection.cursor() as cursor:
            # The foreign keys are checked now (a table with pending checks cannot be altered).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in present:
                cursor.execute(f'ALTER TABLE "{schema_name}"."{table}" ENABLE TRIGGER USER')
            _identity_sequences_reset(cursor, schema_name)
    return rows


def _identity_sequences_reset(cursor, schema_name: str) -> None:
    """Each id sequence continues after the largest id loaded (COPY writes ids, it draws none)."""
    cursor.execute(
        """
        SELECT table_row.relname, attribute.attname
        FROM pg_depend dependency
        JOIN pg_class sequence_row ON sequence_row.oid = dependency.objid AND sequence_row.relkind = 'S'
        JOIN pg_class table_row ON table_row.oid = dependency.refobjid
        JOIN pg_attribute attribute ON attribute.attrelid = table_row.oid AND attribute.attnum = dependency.refobjsubid
        WHERE dependency.deptype IN ('a', 'i') AND table_row.relnamespace = %s::regnamespace
        """,
        [schema_name],
    )
    for table, column in cursor.fetchall():
        cursor.execute(
            f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{column}"), 0) + 1, false) '
            f'FROM "{schema_name}"."{table}"',
            [f'"{schema_name}"."{table}"', column],
        )


def _uploads_place(*, schema_name: str, source: Path) -> int:
    """Store the unpacked files under the schema's prefix, each under its exported name."""
    storage = schema_storage(schema_name)
    if not source.is_dir():
        return 0
    files = 0
    for file in sorted(source.rglob("*")):
        if file.is_file():
            name = file.relative_to(source).as_posix()
            if storage.exists(name):  # a leftover of the same name: the archive's copy wins
                storage.delete(name)
            with open(file, "rb") as content:
                storage.save(name, File(content, name=name))
            files += 1
    return files
