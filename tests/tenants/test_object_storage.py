# ruff: noqa: F811 (the fixtures imported from other test modules are used as parameters)
"""Uploads on object storage: a real S3-compatible server (moto's server mode), started by the tests.

The whole way through the product's code: an enterprise uploads through the API, the file
lands under the tenant's prefix in the bucket, a reviewer's download is a redirect to a
short-lived signed URL (no byte through the worker), the signed URL really serves the file,
and a foreign tenant or a user without access gets the same 404 as for nothing. Export and
restore of a tenant round-trip its files through the bucket.

moto checks neither signatures nor expiry of presigned URLs (real S3 and MinIO do), so the
expiry is checked on the URL itself: it is signed now and valid PARKHUB_MEDIA_URL_EXPIRE seconds.
"""

import datetime as dt
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from public_schema.tenants.lifecycle import tenant_export, tenant_restore
from public_schema.tenants.storage import schema_storage, schema_uploads_delete, storage_names
from tenant_schema.applications.models import Application

from ..applications.conftest import (  # noqa: F401
    PDF,
    draft_for,
    enterprise_x,
    in_alpha,
    make_programme,
    reviewer,
)
from ..conftest import ALPHA, BETA, HostClient, host_of, make_user
from ..enterprises.conftest import register
from ..factories import verified
from ..support.s3 import s3_start
from .test_export_restore import PDF as SOURCE_PDF
from .test_export_restore import source_tenant, table_fingerprints  # noqa: F401


@pytest.fixture(scope="module")
def s3_server():
    server = s3_start()
    yield server
    server.stop()


@pytest.fixture
def s3_media(s3_server, settings):
    """Every upload of this test goes to a fresh private bucket on the moto server."""
    bucket = f"parkhub-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    settings.PARKHUB_MEDIA_BACKEND = "s3"
    settings.PARKHUB_MEDIA_URL_EXPIRE = 60
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "public_schema.tenants.storage.TenantS3Storage",
            "OPTIONS": s3_server.storage_options(bucket=bucket),
        },
    }
    yield bucket


def bucket_keys(s3_server, bucket: str) -> list[str]:
    listed = s3_server.client().list_objects_v2(Bucket=bucket)
    return sorted(entry["Key"] for entry in listed.get("Contents", []))


def signed_in(user, slug=ALPHA) -> HostClient:
    client = HostClient(host_of(slug))
    client.force_login(user)
    return client


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def uploaded(s3_media, in_alpha, enterprise_x):
    """Enterprise X's draft application in park A with one PDF uploaded through the API."""
    application = draft_for(enterprise_x, make_programme())
    response = signed_in(enterprise_x.user).post(
        f"/api/applications/{application.pk}/attachments/", {"file": upload("审计报告.pdf", PDF)}
    )
    assert response.status_code == 201, response.content
    return application, response.json()


def test_an_upload_lands_under_the_tenants_prefix_and_downloads_by_a_signed_url(
    s3_server, s3_media, uploaded, reviewer
):
    application, attachment = uploaded
    stored = Application.objects.get(pk=application.pk).attachments.get().file.name
    assert bucket_keys(s3_server, s3_media) == [f"tenants/{ALPHA}/{stored}"]

    download = signed_in(reviewer).get(attachment["download_url"])

    assert download.status_code == 302  # the worker hands the bytes to S3, it does not stream them
    assert download["Cache-Control"] == "private, no-store"
    signed = download["Location"]
    assert signed.startswith(f"{s3_server.endpoint_url}/{s3_media}/tenants/{ALPHA}/attachments/")
    with urllib.request.urlopen(signed, timeout=10) as served:
        assert served.read() == PDF
        assert served.headers["Content-Type"] == "application/pdf"
        assert "inline" in served.headers["Content-Disposition"]


def test_the_signed_url_expires_after_the_configured_seconds(
    s3_server, s3_media, uploaded, reviewer, settings
):
    _application, attachment = uploaded
    settings.PARKHUB_MEDIA_URL_EXPIRE = 5
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    query = parse_qs(urlparse(signed_in(reviewer).get(attachment["download_url"])["Location"]).query)
    signed_at = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Signature"][0]
    assert query["X-Amz-Expires"] == ["5"]
    assert before - dt.timedelta(seconds=1) <= signed_at <= before + dt.timedelta(seconds=5)


def test_a_foreign_tenant_gets_404_and_cannot_reach_the_key(s3_media, uploaded, tenant_b):
    application, attachment = uploaded
    stored = Application.objects.get(pk=application.pk).attachments.get().file.name
    beta_admin = make_user(BETA, role="park_admin")
    response = signed_in(beta_admin, BETA).get(attachment["download_url"])
    assert response.status_code == 404
    with schema_context(BETA):
        # The same name in park B's storage is park B's prefix: nothing there.
        assert not default_storage.exists(stored)


def test_a_user_without_access_gets_the_same_404_as_for_nothing(s3_media, uploaded):
    _application, attachment = uploaded
    other = verified(register(ALPHA, name="青岛远洋食品有限公司"))
    client = signed_in(other.user)
    refused = client.get(attachment["download_url"])
    missing = client.get(
        attachment["download_url"].replace(f"/attachments/{attachment['id']}/", "/attachments/999999/")
    )
    assert refused.status_code == 404 and "Location" not in refused
    assert refused.json() == missing.json()


def test_shared_media_is_served_by_a_signed_url_and_private_names_are_404(s3_media, in_alpha, enterprise_x):
    from django.core.files.base import ContentFile

    default_storage.save("shared/notice.txt", ContentFile(b"for every member"))
    private = default_storage.save("enterprise-imports/sheet.xlsx", ContentFile(b"private"))
    client = signed_in(enterprise_x.user)
    shared = client.get("/media/shared/notice.txt")
    assert shared.status_code == 302
    with urllib.request.urlopen(shared["Location"], timeout=10) as served:
        assert served.read() == b"for every member"
    assert client.get(f"/media/{private}").status_code == 404
    assert client.get("/media/shared/../" + private).status_code == 404


def test_export_and_restore_round_trip_the_files_through_the_bucket(
    s3_server,
    s3_media,
    source_tenant,
    tmp_path,
):
    tenant, _owner = source_tenant
    source_files = {
        name: schema_storage("exportsrc").open(name).read()
        for name in storage_names(schema_storage("exportsrc"))
    }
    assert len(source_files) == 1
    # In a full run the session's Celery worker may still be finishing the source's notices
    # (their e-mail stamps): export once its rows have stopped changing, and compare with that.
    settled = table_fingerprints("exportsrc")
    for _ in range(30):
        time.sleep(1)
        again = table_fingerprints("exportsrc")
        if again == settled:
            break
        settled = again
    archive = tmp_path / "s3.tar.gz"
    assert tenant_export(tenant=tenant, path=archive).files == 1

    tenant_restore(path=archive, slug="exportcopy")

    copy = schema_storage("exportcopy")
    assert {name: copy.open(name).read() for name in storage_names(copy)} == source_files
    assert table_fingerprints("exportcopy") == settled
    with schema_context("exportcopy"):
        assert Application.objects.get().attachments.get().file.read() == SOURCE_PDF
    schema_uploads_delete("exportcopy")
    assert not [key for key in bucket_keys(s3_server, s3_media) if key.startswith("tenants/exportcopy/")]
    assert [key for key in bucket_keys(s3_server, s3_media) if key.startswith("tenants/exportsrc/")]


@pytest.fixture
def local_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"  # re-read MEDIA_ROOT (django-tenants caches it)
    return tmp_path / "media"


def test_on_local_disk_behind_nginx_the_download_is_an_internal_redirect(
    local_media, settings, in_alpha, enterprise_x, reviewer
):
    settings.PARKHUB_MEDIA_ACCEL_REDIRECT = "/_protected-media/"
    application = draft_for(enterprise_x, make_programme())
    attachment = signed_in(enterprise_x.user).post(
        f"/api/applications/{application.pk}/attachments/", {"file": upload("申报书.pdf", PDF)}
    )
    assert attachment.status_code == 201
    stored = Application.objects.get(pk=application.pk).attachments.get().file.name
    assert (local_media / ALPHA / stored).read_bytes() == PDF

    download = signed_in(reviewer).get(attachment.json()["download_url"])

    assert download.status_code == 200 and download.content == b""  # nginx sends the bytes
    assert download["X-Accel-Redirect"] == f"/_protected-media/{ALPHA}/{stored}"
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("inline")
    outsider = verified(register(ALPHA, name="青岛远洋食品有限公司"))
    refused = signed_in(outsider.user).get(attachment.json()["download_url"])
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_the_deletion_sweep_keeps_the_final_export_in_the_bucket_and_empties_the_prefix(
    s3_server, s3_media, source_tenant
):
    import pgtrigger
    from django.utils import timezone

    from public_schema.tenants.deletion import tenant_deletion_schedule, tenant_deletions_due
    from public_schema.tenants.models import Tenant, TenantExport, TenantStatusHistory

    tenant, _owner = source_tenant
    assert [key for key in bucket_keys(s3_server, s3_media) if key.startswith("tenants/exportsrc/")]
    tenant_deletion_schedule(tenant=tenant, reason="园区撤并")
    Tenant.objects.filter(pk=tenant.pk).update(delete_after=timezone.now())

    assert tenant_deletions_due() == ["exportsrc"]

    keys = bucket_keys(s3_server, s3_media)
    assert not [key for key in keys if key.startswith("tenants/exportsrc/")]
    final = TenantExport.objects.get(tenant_id=tenant.pk, final=True)
    assert f"tenants/public/{final.archive_name}" in keys
    # The tombstone is this test's own: removed, with the history that names it.
    with pgtrigger.ignore("tenants.TenantStatusHistory:tenant_status_history_no_delete"):
        TenantStatusHistory.objects.filter(tenant_id=tenant.pk).delete()
    TenantExport.objects.filter(tenant_id=tenant.pk).delete()
    Tenant.objects.filter(pk=tenant.pk).delete()
