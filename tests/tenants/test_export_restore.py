"""One tenant out to a file and back: every row and every file returns, under the same or a new address."""

import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django_tenants.utils import schema_context

from every_schema.accounts.models import User
from public_schema.tenants.lifecycle import tenant_export, tenant_restore
from public_schema.tenants.models import Domain, Tenant
from public_schema.tenants.services import tenant_drop, tenant_provision
from tenant_schema.applications.attachments import attachment_add
from tenant_schema.applications.models import Application, ApplicationEvent
from tenant_schema.enterprises.models import Enterprise

from ..conftest import PASSWORD, HostClient, host_of
from ..factories import ApplicationFactory, DemandFactory, EnterpriseFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def table_fingerprints(schema_name: str) -> dict[str, tuple[int, str]]:
    """Per table: its row count and an md5 of all its rows in a stable order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r'",
            [schema_name],
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        fingerprints = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f'FROM "{schema_name}"."{table}" t'
            )
            fingerprints[table] = tuple(cursor.fetchone())
    return fingerprints


def uploads_of(schema_name: str) -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT) / schema_name
    return (
        {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
        if root.is_dir()
        else {}
    )


@pytest.fixture
def source_tenant(committed_db, dropped_after):
    """A park with an enterprise, a submitted application with a document, a demand, and their histories."""
    dropped_after.extend(["exportsrc", "exportcopy"])
    provisioned = tenant_provision(
        name="导出测试园区", slug="exportsrc", kind=Tenant.Kind.PARK, admin_email="admin@exportsrc.test"
    )
    with schema_context("exportsrc"):
        registration = EnterpriseFactory(verified=True)
        application = ApplicationFactory(registration=registration)
        attachment_add(
            application=application,
            actor=registration.user,
            upload=SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf"),
        )
        from tenant_schema.applications.services import application_transition

        application_transition(application_id=application.pk, action="submit", actor=registration.user)
        DemandFactory(registration=registration)
        owner_email = registration.user.email
    yield provisioned.tenant, owner_email
    for slug in ("exportsrc", "exportcopy"):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / slug, ignore_errors=True)


def test_every_row_and_file_comes_back_under_a_new_address(source_tenant, tmp_path):
    tenant, owner_email = source_tenant
    archive = tmp_path / "exportsrc.parkhub.tar.gz"
    exported = tenant_export(tenant=tenant, path=archive)
    assert exported.rows > 0 and exported.files == 1

    restored = tenant_restore(path=archive, slug="exportcopy", name="导出测试园区（副本）")

    copy = restored.tenant
    assert copy.schema_name == "exportcopy" and copy.name == "导出测试园区（副本）"
    assert copy.kind == tenant.kind and copy.status == tenant.status
    assert Domain.objects.filter(tenant=copy).exists()
    assert table_fingerprints("exportcopy") == table_fingerprints("exportsrc")
    assert uploads_of("exportcopy") == uploads_of("exportsrc") and len(uploads_of("exportcopy")) == 1
    with schema_context("exportcopy"):
        # The provisioning placeholder gave way to the export's own accounts.
        assert not User.objects.filter(email="restore@exportcopy.invalid").exists()
        # New rows take ids after the restored ones.
        EnterpriseFactory()
        assert Enterprise.objects.count() == 2
        assert Application.objects.get().attachments.get().file.read() == PDF
    # The enterprise signs in to the copy with its own password.
    client = HostClient(host_of("exportcopy"))
    response = client.post("/accounts/login/", {"username": owner_email, "password": PASSWORD})
    assert response.status_code == 302


def test_restored_history_is_still_append_only(source_tenant, tmp_path):
    tenant, _owner = source_tenant
    archive = tmp_path / "src.tar.gz"
    tenant_export(tenant=tenant, path=archive)
    tenant_restore(path=archive, slug="exportcopy")
    with schema_context("exportcopy"):
        assert ApplicationEvent.objects.exists()
        with pytest.raises(ProgrammingError, match="Cannot update"), transaction.atomic():
            ApplicationEvent.objects.update(comment="rewritten")


def test_restore_under_the_same_address_after_the_tenant_is_gone(source_tenant, tmp_path):
    tenant, _owner = source_tenant
    archive = tmp_path / "src.tar.gz"
    tenant_export(tenant=tenant, path=archive)
    before = table_fingerprints("exportsrc")
    files_before = uploads_of("exportsrc")
    tenant_drop(tenant=tenant)
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "exportsrc")

    restored = tenant_restore(path=archive)

    assert restored.tenant.schema_name == "exportsrc"
    assert table_fingerprints("exportsrc") == before
    assert uploads_of("exportsrc") == files_before


def test_an_address_in_use_is_refused_and_nothing_is_made(source_tenant, tmp_path):
    tenant, _owner = source_tenant
    archive = tmp_path / "src.tar.gz"
    tenant_export(tenant=tenant, path=archive)
    tenants_before = Tenant.objects.count()
    with pytest.raises(ValidationError, match="exportsrc"):
        tenant_restore(path=archive)
    assert Tenant.objects.count() == tenants_before


def _rewrite(archive: Path, target: Path, *, manifest_change=None, extra_member: str | None = None) -> None:
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json" and manifest_change:
                manifest = json.loads(data.read())
                manifest_change(manifest)
                payload = json.dumps(manifest).encode()
                member.size = len(payload)
                import io

                data = io.BytesIO(payload)
            out.addfile(member, data)
        if extra_member:
            import io

            info = tarfile.TarInfo(extra_member)
            info.size = 4
            out.addfile(info, io.BytesIO(b"evil"))


def test_an_archive_from_other_migrations_is_refused_before_anything_is_made(source_tenant, tmp_path):
    tenant, _owner = source_tenant
    archive = tmp_path / "src.tar.gz"
    tenant_export(tenant=tenant, path=archive)
    changed = tmp_path / "changed.tar.gz"
    _rewrite(archive, changed, manifest_change=lambda m: m["migrations"].append(["billing", "9999_future"]))
    with pytest.raises(ValidationError, match="9999_future"):
        tenant_restore(path=changed, slug="exportcopy")
    assert not Tenant.objects.filter(schema_name="exportcopy").exists()


def test_an_archive_that_writes_outside_the_uploads_is_refused_and_leaves_nothing(source_tenant, tmp_path):
    tenant, _owner = source_tenant
    archive = tmp_path / "src.tar.gz"
    tenant_export(tenant=tenant, path=archive)
    evil = tmp_path / "evil.tar.gz"
    _rewrite(archive, evil, extra_member="uploads/../../escaped.txt")
    with pytest.raises(ValidationError, match=r"uploads/\.\./\.\./escaped"):
        tenant_restore(path=evil, slug="exportcopy")
    assert not Tenant.objects.filter(schema_name="exportcopy").exists()
    assert not (Path(settings.MEDIA_ROOT).parent / "escaped.txt").exists()


def test_the_commands_round_trip(source_tenant, tmp_path):
    archive = tmp_path / "cmd.tar.gz"
    call_command("tenant_export", "exportsrc", output=str(archive), verbosity=0)
    call_command("tenant_restore", str(archive), slug="exportcopy", verbosity=0)
    assert Tenant.objects.get(schema_name="exportcopy").name == "导出测试园区"


@pytest.mark.parametrize("command", ["create_tenant", "delete_tenant", "rename_schema", "clone_tenant"])
def test_django_tenants_commands_that_bypass_provisioning_are_refused(command):
    with pytest.raises(CommandError, match="disabled in ParkHub"):
        call_command(command)
