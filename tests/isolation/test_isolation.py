"""Tenant isolation: accounts, sessions, cache, Celery tasks, files and hosts."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts.tasks import invitation_send_task

from ..conftest import ALPHA, BETA, PASSWORD, HostClient, host_of, make_user, wait_until

User = get_user_model()


def test_a_user_of_park_a_cannot_log_in_on_park_b(db, client_a, client_b, park_admin_a):
    credentials = {"username": park_admin_a.email, "password": PASSWORD}
    assert client_a.post("/accounts/login/", credentials).status_code == 302
    refused = client_b.post("/accounts/login/", credentials)
    assert refused.status_code == 200  # the form again, with an error
    assert refused.context["form"].errors
    assert client_b.get("/api/me/").status_code in (401, 403)


def test_a_session_cookie_of_park_a_is_anonymous_on_park_b(db, client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    assert client_a.get("/api/me/").json()["email"] == park_admin_a.email
    stolen = HostClient(host_of(BETA))
    stolen.cookies[settings.SESSION_COOKIE_NAME] = client_a.cookies[settings.SESSION_COOKIE_NAME].value
    assert stolen.get("/api/me/").status_code in (401, 403)
    page = stolen.get("/")
    assert not page.context["user"].is_authenticated


def test_an_api_token_of_park_a_is_refused_on_park_b(db, client_a, client_b, park_admin_a):
    token = client_a.post(
        "/api/auth/token/",
        {"email": park_admin_a.email, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    assert client_a.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert client_b.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_a_cache_value_set_in_park_a_is_not_read_in_park_b(db, tenant_a, tenant_b):
    with schema_context(ALPHA):
        cache.set("dashboard-figures", {"enterprises": 42}, 60)
        assert cache.get("dashboard-figures") == {"enterprises": 42}
    with schema_context(BETA):
        assert cache.get("dashboard-figures") is None
    assert cache.get("dashboard-figures") is None  # nor in the hub
    with schema_context(ALPHA):
        cache.delete("dashboard-figures")


def test_an_upload_of_park_a_is_stored_under_its_prefix_and_is_a_404_on_park_b(
    db, client_a, client_b, park_admin_a, park_admin_b
):
    with schema_context(ALPHA):
        name = default_storage.save("shared/notices/2026-budget.txt", ContentFile(b"alpha only"))
        path = Path(default_storage.path(name))
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / ALPHA)
    try:
        client_a.force_login(park_admin_a)
        response = client_a.get(f"/media/{name}")
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"alpha only"
        client_b.force_login(park_admin_b)
        assert client_b.get(f"/media/{name}").status_code == 404
        assert client_b.get(f"/media/../{ALPHA}/{name}").status_code == 404
        assert client_b.get(f"/media/%2e%2e/{ALPHA}/{name}").status_code == 404
    finally:
        path.unlink()


def test_media_needs_a_signed_in_user_of_the_site(db, client_a):
    with schema_context(ALPHA):
        name = default_storage.save("shared/contract.txt", ContentFile(b"secret"))
    try:
        response = client_a.get(f"/media/{name}")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    finally:
        with schema_context(ALPHA):
            default_storage.delete(name)


def test_private_uploads_are_not_served_at_the_media_address(db, client_a, park_admin_a):
    with schema_context(ALPHA):
        name = default_storage.save("enterprise-imports/sheet.xlsx", ContentFile(b"private sheet"))
    try:
        client_a.force_login(park_admin_a)
        assert client_a.get(f"/media/{name}").status_code == 404
    finally:
        with schema_context(ALPHA):
            default_storage.delete(name)


def test_an_unknown_host_is_a_404_and_never_the_hub(db):
    response = HostClient(f"nowhere.{settings.PARKHUB_BASE_DOMAIN}").get("/")
    assert response.status_code == 404
    assert "nowhere" in response.content.decode()
    assert HostClient(f"nowhere.{settings.PARKHUB_BASE_DOMAIN}").get("/api/hub/tenants/").status_code == 404


@pytest.mark.worker
def test_a_task_sent_in_park_a_runs_in_park_a_schema_in_a_real_worker(
    committed_db, celery_worker_process, mail_dir
):
    alpha_user = make_user(ALPHA, email="worker-check@alpha.cn")
    beta_user = make_user(BETA, email="worker-check@beta.cn")
    try:
        with schema_context(ALPHA):
            invitation_send_task.delay(user_id=alpha_user.pk)
        with schema_context(BETA):
            invitation_send_task.delay(user_id=beta_user.pk)

        def mails():
            return [p.read_text() for p in Path(mail_dir).glob("*.log")]

        wait_until(
            lambda: sum("worker-check@" in m for m in mails()) >= 2,
            timeout=60,
            message="the worker's two emails",
        )
        alpha_mail = next(m for m in mails() if "To: worker-check@alpha.cn" in m)
        beta_mail = next(m for m in mails() if "To: worker-check@beta.cn" in m)
        # Each ran in its own schema: it found its own user and linked to its own host.
        assert f"//{host_of(ALPHA)}" in alpha_mail and f"//{host_of(BETA)}" not in alpha_mail
        assert f"//{host_of(BETA)}" in beta_mail
        # Running it again sends nothing more (the task remembers, per schema). The solo
        # worker takes tasks in order, so once the probe's mail is out the repeat was handled.
        probe = make_user(ALPHA, email="worker-probe@alpha.cn")
        with schema_context(ALPHA):
            invitation_send_task.delay(user_id=alpha_user.pk)
            invitation_send_task.delay(user_id=probe.pk)
        wait_until(
            lambda: any("To: worker-probe@alpha.cn" in m for m in mails()), message="the probe's email"
        )
        assert sum("To: worker-check@alpha.cn" in m for m in mails()) == 1
    finally:
        connection.set_schema_to_public()
        with schema_context(ALPHA):
            User.objects.filter(email__in=["worker-check@alpha.cn", "worker-probe@alpha.cn"]).delete()
        with schema_context(BETA):
            User.objects.filter(pk=beta_user.pk).delete()
