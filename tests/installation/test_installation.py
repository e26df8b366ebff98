"""Installations of their own: the hub's and the platform's names and the contact come from the
settings, the hub operator can change them on /installation/, and every site and mail shows them.

Issue 15: every installation's hub was called 胶州市企业公共服务平台, hard-coded.
"""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from public_schema.installation.models import Installation
from public_schema.installation.selectors import CACHE_KEY, installation_identity
from public_schema.installation.services import installation_update
from public_schema.tenants.models import Tenant

from ..conftest import ROOT, make_user

QINGDAO = {
    "PARKHUB_HUB_NAME": "青岛市企业服务云平台",
    "PARKHUB_PLATFORM_NAME": "园企通",
    "PARKHUB_CONTACT_EMAIL": "service@qingdao.example",
    "PARKHUB_CONTACT_PHONE": "0532-88880000",
}


@pytest.fixture(autouse=True)
def _no_cached_identity():
    caches["shared"].delete(CACHE_KEY)
    yield
    caches["shared"].delete(CACHE_KEY)


@pytest.fixture
def operator_client(hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    return hub_client


@override_settings(**QINGDAO)
def test_every_site_shows_the_names_and_contact_of_the_settings(db, hub_client, client_a, operator_client):
    hub_page = operator_client.get("/").content.decode()
    tenant_page = client_a.get("/accounts/login/").content.decode()

    assert '<span class="brand-name">青岛市企业服务云平台</span>' in hub_page
    assert "· 园企通</title>" in hub_page and "· 园企通</title>" in tenant_page
    assert "service@qingdao.example" in tenant_page and "0532-88880000" in tenant_page
    assert "胶州" not in hub_page + tenant_page and "ParkHub" not in tenant_page


def test_the_operator_renames_the_installation_and_every_site_shows_it_at_once(
    db, operator_client, hub_operator, client_a, django_capture_on_commit_callbacks
):
    client_a.get("/accounts/login/")  # caches the identity before the change
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            "/installation/",
            {
                "hub_name": "烟台市企业公共服务平台",
                "platform_name": "烟企通",
                "contact_email": "help@yantai.example",
                "contact_phone": "",
            },
        )

    assert response.status_code == 302 and response["Location"] == "/installation/"
    tenant_page = client_a.get("/accounts/login/").content.decode()
    assert "· 烟企通</title>" in tenant_page and "help@yantai.example" in tenant_page
    assert (
        '<span class="brand-name">烟台市企业公共服务平台</span>' in operator_client.get("/").content.decode()
    )
    assert Tenant.objects.get(schema_name="public").name == "烟台市企业公共服务平台"
    assert Installation.objects.get().updated_by == hub_operator.email


@override_settings(**QINGDAO)
def test_a_blank_field_falls_back_to_the_setting(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        installation_update(
            actor=None, hub_name="", platform_name="烟企通", contact_email="", contact_phone=""
        )

    identity = installation_identity()
    assert identity.platform_name == "烟企通"
    assert identity.hub_name == "青岛市企业服务云平台" and identity.contact_email == "service@qingdao.example"


def test_the_identity_is_read_from_the_cache_after_the_first_page(db, django_assert_num_queries):
    installation_identity()
    with django_assert_num_queries(0):
        installation_identity()


def test_mail_is_signed_with_the_installation(
    db, client_a, park_admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        installation_update(
            actor=None,
            hub_name="烟台市企业公共服务平台",
            platform_name="烟企通",
            contact_email="help@yantai.example",
            contact_phone="0535-6660000",
        )

    client_a.post("/accounts/password/reset/", {"email": park_admin_a.email})

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "烟企通 · 烟台市企业公共服务平台" in body and "help@yantai.example · 0535-6660000" in body


def test_anonymous_visitors_are_sent_to_sign_in(db, hub_client):
    response = hub_client.get("/installation/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_hub_account_that_is_no_operator_gets_404_and_changes_nothing(db, hub_client):
    someone = make_user("public")
    hub_client.force_login(someone)

    assert hub_client.get("/installation/").status_code == 404
    assert hub_client.post("/installation/", {"hub_name": "x", "platform_name": "x"}).status_code == 404
    assert not Installation.objects.exists()
    with pytest.raises(PermissionDenied):
        installation_update(
            actor=someone, hub_name="x", platform_name="x", contact_email="", contact_phone=""
        )


def test_a_park_administrator_has_no_installation_page_on_the_tenant_site(db, client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    assert client_a.get("/installation/").status_code == 404


def test_the_jiaozhou_name_lives_only_in_the_demo():
    holders = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {
            ".venv",
            "node_modules",
            ".git",
            "tests",
            "locale",
            "docs",
            "staticfiles",
            ".data",
            "bench",
        }:
            continue
        if (
            path.suffix in {".py", ".html", ".txt"}
            and path.is_file()
            and "胶州市企业公共服务平台" in path.read_text(encoding="utf-8", errors="ignore")
        ):
            holders.append(str(path.relative_to(ROOT)))
    assert holders == ["public_schema/hub/management/commands/seed_demo.py"]


# --- seed_demo and production settings --------------------------------------------------------


def _seed_demo_with_production_settings(*args: str) -> subprocess.CompletedProcess:
    """No database behind DATABASE_URL: the refusal must come before any connection."""
    from tests.test_production_settings import example_environment

    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": os.environ.get("HOME", str(ROOT)),
        **example_environment(),
        "DJANGO_SETTINGS_MODULE": "saas.settings.production",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--enterprises", "0", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_seed_demo_refuses_production_settings_before_touching_the_database():
    result = _seed_demo_with_production_settings()

    assert result.returncode != 0
    assert "seed_demo refuses to run with production settings" in result.stderr, result.stderr
    assert "--allow-production" in result.stderr
    assert "OperationalError" not in result.stderr and "Traceback" not in result.stderr


def test_seed_demo_with_allow_production_goes_ahead_and_warns_about_the_published_password():
    result = _seed_demo_with_production_settings("--allow-production")

    assert "WARNING: seeding the demo with production settings" in result.stderr, result.stderr
    assert "parkhub-demo-2026" in result.stderr
    # It went on to the database (there is none here), past the refusal.
    assert "refuses" not in result.stderr and "OperationalError" in result.stderr, result.stderr[-2000:]
