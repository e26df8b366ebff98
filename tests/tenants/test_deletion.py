# ruff: noqa: F811 (fixtures imported from other test modules are used as parameters)
"""Deleting one tenant after a grace period: suspended first, dropped by the nightly sweep, its record kept.

Also the hub API for the lifecycle (export with progress, its download, restore, schedule and
cancel deletion): hub operators only; a hub user without the role and a tenant's own
administrator are refused, and another tenant's export is a 404.
"""

import datetime as dt
import io
import tarfile

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_exists

from every_schema.accounts import roles
from public_schema.network import workflow as pool_workflow
from public_schema.network.models import AdmissionHistory
from public_schema.tenants.deletion import (
    tenant_deletion_cancel,
    tenant_deletion_schedule,
    tenant_deletions_due,
)
from public_schema.tenants.exports import export_storage, tenant_export_run
from public_schema.tenants.models import Domain, Tenant, TenantExport, TenantStatusHistory
from public_schema.tenants.services import tenant_provision, tenant_reactivate
from public_schema.tenants.storage import schema_storage, storage_names
from saas.workflow import TransitionRefused

from ..conftest import HUB_HOST, HostClient, host_of, make_user, wait_until
from ..network.conftest import admitted
from .test_export_restore import source_tenant, table_fingerprints  # noqa: F401


def due_now(tenant: Tenant) -> None:
    """The grace period is over (as if the nights had passed)."""
    Tenant.objects.filter(pk=tenant.pk).update(delete_after=timezone.now() - dt.timedelta(minutes=1))


def hub_client(role=roles.HUB_OPERATOR) -> HostClient:
    client = HostClient(HUB_HOST)
    client.force_login(make_user("public", role=role))
    return client


def test_scheduling_suspends_now_and_sets_the_day(source_tenant):
    tenant, _owner = source_tenant
    before = timezone.now()
    scheduled = tenant_deletion_schedule(tenant=tenant, reason="园区撤并", grace_days=30)
    assert scheduled.status == Tenant.Status.SUSPENDED
    assert before + dt.timedelta(days=30) <= scheduled.delete_after <= timezone.now() + dt.timedelta(days=30)
    assert HostClient(host_of("exportsrc")).get("/").status_code == 503
    # While it waits, reactivating is refused: the deletion is cancelled first.
    with pytest.raises(TransitionRefused):
        tenant_reactivate(tenant=scheduled, reason="误操作")
    # Nothing is deleted before the day.
    assert tenant_deletions_due() == []
    assert schema_exists("exportsrc")


def test_a_grace_period_under_the_minimum_and_no_reason_are_refused(source_tenant):
    from django.core.exceptions import ValidationError

    tenant, _owner = source_tenant
    with pytest.raises(ValidationError, match="grace"):
        tenant_deletion_schedule(tenant=tenant, reason="测试", grace_days=1)
    with pytest.raises(ValidationError, match="reason"):
        tenant_deletion_schedule(tenant=tenant, reason=" ")
    assert Tenant.objects.get(pk=tenant.pk).status == Tenant.Status.ACTIVE


def test_cancel_during_the_grace_period_keeps_everything(source_tenant):
    tenant, _owner = source_tenant
    tenant_deletion_schedule(tenant=tenant, reason="园区撤并")
    cancelled = tenant_deletion_cancel(tenant=tenant, reason="撤并暂缓")
    assert cancelled.delete_after is None and cancelled.status == Tenant.Status.SUSPENDED
    due_now(tenant)  # even a stale day left behind would not count: it is cleared
    Tenant.objects.filter(pk=tenant.pk).update(delete_after=None)
    assert tenant_deletions_due() == []
    reactivated = tenant_reactivate(tenant=cancelled, reason="继续运营")
    assert reactivated.status == Tenant.Status.ACTIVE
    actions = list(TenantStatusHistory.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert actions == ["schedule_deletion", "cancel_deletion", "reactivate"]


def test_the_sweep_exports_drops_and_leaves_a_tombstone_that_a_restore_can_replace(source_tenant, tmp_path):
    tenant, _owner = source_tenant
    before = table_fingerprints("exportsrc")
    assert list(storage_names(schema_storage("exportsrc")))
    tenant_deletion_schedule(tenant=tenant, reason="园区撤并")
    due_now(tenant)

    assert tenant_deletions_due() == ["exportsrc"]

    tombstone = Tenant.objects.get(pk=tenant.pk)
    assert tombstone.slot == Tenant.Slot.TOMBSTONE and tombstone.status == Tenant.Status.DELETED
    assert tombstone.deleted_slug == "exportsrc" and tombstone.schema_name == f"_deleted_{tenant.pk}"
    assert not schema_exists("exportsrc") and not Domain.objects.filter(tenant=tombstone).exists()
    assert not list(storage_names(schema_storage("exportsrc")))  # the uploads are gone too
    assert not Tenant.objects.live().filter(pk=tenant.pk).exists()
    history = list(TenantStatusHistory.objects.filter(tenant=tombstone).values_list("action", "to_status"))
    assert history == [("schedule_deletion", "suspended"), ("delete", "deleted")]
    # The final export is kept, and brings the tenant back under its old address.
    final = TenantExport.objects.get(tenant=tombstone, final=True)
    assert final.state == "done" and final.tables_done == final.tables_total > 0
    archive = tmp_path / "final.tar.gz"
    with export_storage().open(final.archive_name, "rb") as stored:
        archive.write_bytes(stored.read())
    from public_schema.tenants.lifecycle import tenant_restore

    restored = tenant_restore(path=archive)
    assert restored.tenant.schema_name == "exportsrc" and restored.tenant.pk != tenant.pk
    after = table_fingerprints("exportsrc")
    assert after == before
    export_storage().delete(final.archive_name)


def test_a_failed_final_export_leaves_the_tenant_suspended_and_due(source_tenant, monkeypatch):
    tenant, _owner = source_tenant
    tenant_deletion_schedule(tenant=tenant, reason="园区撤并")
    due_now(tenant)

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("public_schema.tenants.exports.tenant_export", broken)
    assert tenant_deletions_due() == []
    still = Tenant.objects.get(pk=tenant.pk)
    assert still.slot == Tenant.Slot.LIVE and still.status == Tenant.Status.SUSPENDED
    assert schema_exists("exportsrc")
    assert TenantExport.objects.get(tenant=still).error == "disk full"


@pytest.fixture(autouse=True)
def tombstones_removed(committed_db):
    """A tombstone (and the histories naming it) is kept for good by design; a test's own are removed."""
    yield
    import pgtrigger

    connection.set_schema_to_public()
    for row in Tenant.objects.filter(
        slot=Tenant.Slot.TOMBSTONE, deleted_slug__in=["exportsrc", "deleteinst"]
    ):
        with pgtrigger.ignore(
            "tenants.TenantStatusHistory:tenant_status_history_no_delete",
            "network.AdmissionHistory:admission_history_no_delete",
        ):
            AdmissionHistory.objects.filter(profile__tenant=row).delete()
            TenantStatusHistory.objects.filter(tenant=row).delete()
            for job in TenantExport.objects.filter(tenant=row):
                if job.archive_name:
                    export_storage().delete(job.archive_name)
                job.delete()
            row.delete()


@pytest.fixture
def institution(committed_db, dropped_after):
    dropped_after.append("deleteinst")
    provisioned = tenant_provision(
        name="待删除服务机构",
        slug="deleteinst",
        kind=Tenant.Kind.INSTITUTION,
        admin_email="a@deleteinst.test",
    )
    return provisioned.tenant


def test_an_institution_with_pool_history_is_deleted_and_its_history_survives(institution):
    admin = make_user("deleteinst", role=roles.INSTITUTION_ADMIN)
    operator = make_user("public", role=roles.HUB_OPERATOR)
    admitted(institution, admin, operator)
    steps = AdmissionHistory.objects.filter(profile__tenant=institution).count()
    assert steps == 3
    tenant_deletion_schedule(tenant=institution, reason="机构注销")
    due_now(institution)

    assert tenant_deletions_due() == ["deleteinst"]

    tombstone = Tenant.objects.get(pk=institution.pk)
    assert tombstone.slot == Tenant.Slot.TOMBSTONE
    assert AdmissionHistory.objects.filter(profile__tenant=tombstone).count() == steps
    assert pool_workflow.ADMIT in AdmissionHistory.objects.values_list("action", flat=True)


# ---------------------------------------------------------------------------
# Hub API
# ---------------------------------------------------------------------------


def test_an_operator_exports_with_progress_and_downloads_the_archive(source_tenant, celery_worker_process):
    operator = hub_client()
    started = operator.post("/api/v1/hub/tenants/exportsrc/exports/")
    assert started.status_code == 202 and started.json()["state"] in ("queued", "running", "done")
    job_id = started.json()["id"]

    def finished():
        body = operator.get(f"/api/v1/hub/tenants/exportsrc/exports/{job_id}/").json()
        return body if body["state"] in ("done", "failed") else None

    job = wait_until(finished, timeout=120, message="the export job")  # the real worker writes it
    assert job["state"] == "done", job
    assert job["tables_done"] == job["tables_total"] > 0 and job["files"] == 1
    download = operator.get(job["download_url"])
    assert download.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(b"".join(download.streaming_content)), mode="r:gz") as archive:
        assert "manifest.json" in archive.getnames()
    export_storage().delete(TenantExport.objects.get(pk=job_id).archive_name)


def test_an_operator_schedules_and_cancels_a_deletion_and_restores_an_archive(source_tenant, tmp_path):
    tenant, _owner = source_tenant
    operator = hub_client()
    scheduled = operator.post(
        "/api/v1/hub/tenants/exportsrc/deletion/",
        {"reason": "园区撤并", "grace_days": 14, "expected_status": "active"},
        content_type="application/json",
    )
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "suspended"
    assert scheduled.json()["delete_after"]
    again = operator.post(
        "/api/v1/hub/tenants/exportsrc/deletion/", {"reason": "再来一次"}, content_type="application/json"
    )
    assert again.status_code == 409
    assert (
        operator.post(
            "/api/v1/hub/tenants/exportsrc/deletion/", {}, content_type="application/json"
        ).status_code
        == 400
    )
    cancelled = operator.post(
        "/api/v1/hub/tenants/exportsrc/deletion/cancel/", {"reason": "暂缓"}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["delete_after"] is None

    job = TenantExport.objects.create(tenant=tenant)
    tenant_export_run(job_pk=job.pk)
    archive = tmp_path / "a.tar.gz"
    with export_storage().open(TenantExport.objects.get(pk=job.pk).archive_name, "rb") as stored:
        archive.write_bytes(stored.read())
    with open(archive, "rb") as upload:
        restored = operator.post("/api/v1/hub/tenant-restores/", {"archive": upload, "slug": "exportcopy"})
    assert restored.status_code == 201, restored.content
    assert restored.json()["slug"] == "exportcopy"
    assert table_fingerprints("exportcopy") == table_fingerprints("exportsrc")
    with open(archive, "rb") as upload:  # the address is taken now: a 400 naming it, nothing made
        refused = operator.post("/api/v1/hub/tenant-restores/", {"archive": upload, "slug": "exportcopy"})
    assert refused.status_code == 400 and "exportcopy" in refused.content.decode()
    not_an_archive = operator.post("/api/v1/hub/tenant-restores/", {"archive": io.BytesIO(b"not a tar")})
    assert not_an_archive.status_code == 400
    export_storage().delete(TenantExport.objects.get(pk=job.pk).archive_name)


def test_outsiders_are_refused_and_another_tenants_export_is_a_404(source_tenant, tenant_b):
    tenant, _owner = source_tenant
    job = TenantExport.objects.create(tenant=tenant)
    paths = [
        ("post", "/api/v1/hub/tenants/exportsrc/exports/"),
        ("get", f"/api/v1/hub/tenants/exportsrc/exports/{job.pk}/"),
        ("get", f"/api/v1/hub/tenants/exportsrc/exports/{job.pk}/archive/"),
        ("post", "/api/v1/hub/tenants/exportsrc/deletion/"),
        ("post", "/api/v1/hub/tenants/exportsrc/deletion/cancel/"),
        ("post", "/api/v1/hub/tenant-restores/"),
    ]
    without_role = hub_client(role=None)
    for method, path in paths:
        assert getattr(without_role, method)(path).status_code == 403, path
        assert getattr(HostClient(HUB_HOST), method)(path).status_code in (401, 403), path
    # The tenant's own administrator on the tenant's own site: the hub API is not there.
    park_admin = HostClient(host_of(tenant_b.schema_name))
    park_admin.force_login(make_user(tenant_b.schema_name, role=roles.PARK_ADMIN))
    assert park_admin.post("/api/v1/hub/tenants/exportsrc/exports/").status_code == 404
    # An operator asking for exportsrc's export under another tenant's address: a 404.
    operator = hub_client()
    assert operator.get(f"/api/v1/hub/tenants/{tenant_b.schema_name}/exports/{job.pk}/").status_code == 404
    assert (
        operator.get(f"/api/v1/hub/tenants/{tenant_b.schema_name}/exports/{job.pk}/archive/").status_code
        == 404
    )
    assert operator.get(f"/api/v1/hub/tenants/exportsrc/exports/{job.pk}/archive/").status_code == 409
    assert TenantExport.objects.filter(tenant=tenant).count() == 1
    assert Tenant.objects.get(pk=tenant.pk).status == Tenant.Status.ACTIVE
