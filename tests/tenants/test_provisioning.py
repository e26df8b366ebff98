"""Provisioning a tenant by command and by the hub API: fast, complete, all or nothing."""

import threading
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django_tenants.utils import schema_context, schema_exists

from every_schema.accounts import roles
from public_schema.tenants import services
from public_schema.tenants.models import Domain, Tenant
from public_schema.tenants.services import spare_create, tenant_provision

from ..conftest import PASSWORD, HostClient, host_of, make_user, wait_until

User = get_user_model()


def login_works(slug: str, email: str, password: str) -> bool:
    client = HostClient(host_of(slug))
    response = client.post("/accounts/login/", {"username": email, "password": password})
    if response.status_code != 302:
        return False
    me = client.get("/api/me/")
    return me.status_code == 200 and me.json()["email"] == email


def set_password_through_link(link: str, password: str) -> HostClient:
    """Follow the one-time link the way a new administrator does; returns the client used."""
    parts = urlsplit(link)
    client = HostClient(parts.hostname)
    response = client.get(parts.path, follow=True)
    assert response.status_code == 200 and response.context["validlink"], (
        "the link must open the set-password form"
    )
    form_path = response.redirect_chain[-1][0]
    response = client.post(form_path, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_command_creates_schema_domain_roles_and_an_administrator_who_can_log_in(db, capsys):
    call_command(
        "tenant_create",
        name="胶北街道企业服务分平台",
        slug="jiaobei",
        kind="district",
        admin_email="Chief@JiaoBei.cn",
    )
    output = capsys.readouterr().out
    tenant = Tenant.objects.get(schema_name="jiaobei")
    assert tenant.name == "胶北街道企业服务分平台" and tenant.kind == Tenant.Kind.DISTRICT
    assert tenant.status == Tenant.Status.ACTIVE and tenant.slot == Tenant.Slot.LIVE
    assert schema_exists("jiaobei")
    assert Domain.objects.get(tenant=tenant).domain == host_of("jiaobei")
    with schema_context("jiaobei"):
        assert set(Group.objects.values_list("name", flat=True)) == set(roles.TENANT_ROLES)
        admin = User.objects.get(email="chief@jiaobei.cn")
        assert admin.has_role(roles.PARK_ADMIN) and not admin.has_usable_password()
    link = next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("One-time link"))
    assert link.startswith("http://jiaobei.localhost")

    set_password_through_link(link, PASSWORD)
    assert login_works("jiaobei", "chief@jiaobei.cn", PASSWORD)
    # The link works once.
    reused = HostClient(host_of("jiaobei")).get(urlsplit(link).path, follow=True)
    assert reused.context["validlink"] is False


def test_command_refuses_a_duplicate_slug_with_a_reason(db, tenant_a):
    with pytest.raises(CommandError, match="alpha.*已存在"):  # operators read Chinese by default
        call_command("tenant_create", name="x", slug="alpha", kind="park", admin_email="a@b.cn")


def test_api_provisions_a_tenant_for_a_hub_operator(db, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    response = hub_client.post(
        "/api/hub/tenants/",
        {
            "name": "李哥庄镇企业服务分平台",
            "slug": "ligezhuang",
            "kind": "district",
            "admin_email": "boss@lgz.cn",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "ligezhuang" and response.json()["status"] == "active"
    assert Domain.objects.filter(domain=host_of("ligezhuang")).exists()
    with schema_context("ligezhuang"):
        assert User.objects.get(email="boss@lgz.cn").has_role(roles.PARK_ADMIN)
    listed = hub_client.get("/api/hub/tenants/").json()
    assert "ligezhuang" in [row["slug"] for row in listed]


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("alpha", "already exists"),
        ("public", "reserved"),
        ("hub", "reserved"),
        ("www", "reserved"),
        ("tenant_template", "letters and digits"),
        ("template", "reserved"),
        ("spare1", "reserved"),
        ("Bad Slug!", "letters and digits"),
    ],
)
def test_api_refuses_a_taken_or_reserved_slug_with_a_400_that_says_why(
    db, hub_client, hub_operator, slug, reason
):
    hub_client.force_login(hub_operator)
    hub_client.cookies["django_language"] = "en"
    before = Tenant.objects.count()
    response = hub_client.post(
        "/api/hub/tenants/",
        {"name": "x", "slug": slug, "kind": "park", "admin_email": "a@b.cn"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert reason in " ".join(response.json()["fields"]["slug"])
    assert Tenant.objects.count() == before


def test_api_error_messages_are_chinese_by_default(db, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    response = hub_client.post(
        "/api/hub/tenants/",
        {"name": "x", "slug": "hub", "kind": "park", "admin_email": "not-an-email"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()["fields"]
    assert set(body) >= {"admin_email"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(body["admin_email"])), body


def test_api_is_for_hub_operators_only(db, hub_client, park_admin_a):
    anonymous = hub_client.post("/api/hub/tenants/", {}, content_type="application/json")
    assert anonymous.status_code in (401, 403)
    plain_hub_user = make_user("public", email="visitor@hub.cn")
    hub_client.force_login(plain_hub_user)
    assert hub_client.get("/api/hub/tenants/").status_code == 403


def test_a_failure_midway_leaves_no_schema_and_no_rows(db, monkeypatch):
    spare = spare_create()
    tenants_before = Tenant.objects.count()

    def broken_administrator(**kwargs):
        raise RuntimeError("mail server exploded while creating the administrator")

    monkeypatch.setattr(services, "user_create", broken_administrator)
    with pytest.raises(RuntimeError):
        tenant_provision(name="半途", slug="halfway", kind="park", admin_email="a@halfway.cn")
    assert not schema_exists("halfway")
    assert not Tenant.objects.filter(schema_name="halfway").exists()
    assert not Domain.objects.filter(domain=host_of("halfway")).exists()
    assert Tenant.objects.count() == tenants_before
    # The spare it tried to take is back in the pool, untouched.
    assert Tenant.objects.spares().filter(pk=spare.pk, schema_name=spare.schema_name).exists()
    assert schema_exists(spare.schema_name)


def test_provisioning_takes_a_spare_from_the_pool_and_clones_when_it_is_empty(db):
    Tenant.objects.spares().delete()  # rolled back with the test; schemas are untouched
    spare = spare_create()
    first = tenant_provision(name="一号", slug="poolone", kind="park", admin_email="a@one.cn")
    assert first.method == "pool" and first.tenant.pk == spare.pk and not schema_exists(spare.schema_name)
    second = tenant_provision(name="二号", slug="pooltwo", kind="park", admin_email="a@two.cn")
    assert second.method == "clone" and schema_exists("pooltwo")
    with schema_context("pooltwo"):
        assert User.objects.get(email="a@two.cn").has_role(roles.PARK_ADMIN)


def test_spares_are_invisible_to_routing_and_lists(db, hub_client, hub_operator):
    spare = spare_create()
    assert not Tenant.objects.live().filter(pk=spare.pk).exists()
    hub_client.force_login(hub_operator)
    slugs = [row["slug"] for row in hub_client.get("/api/hub/tenants/").json()]
    assert spare.schema_name not in slugs and "public" not in slugs and "tenant_template" not in slugs
    assert HostClient(host_of(spare.schema_name)).get("/").status_code == 404


@pytest.mark.worker
def test_two_provisionings_at_once_never_take_the_same_spare_and_the_pool_refills(
    committed_db, dropped_after, celery_worker_process
):
    dropped_after.extend(["racea", "raceb"])
    services.spare_pool_refill(target=2)
    wait_until(lambda: Tenant.objects.spares().count() >= 2, message="a pool of two")
    results, errors = {}, []
    barrier = threading.Barrier(2)

    def provision(slug):
        try:
            barrier.wait()
            results[slug] = tenant_provision(name=slug, slug=slug, kind="park", admin_email=f"a@{slug}.cn")
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=provision, args=(slug,)) for slug in ("racea", "raceb")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert results["racea"].tenant.pk != results["raceb"].tenant.pk
    for slug in ("racea", "raceb"):
        assert schema_exists(slug)
    # Each provisioning queued a refill; the real worker brings the pool back to its size.
    connection.set_schema_to_public()
    wait_until(
        lambda: Tenant.objects.spares().count() >= 2,
        timeout=120,
        message="the worker to refill the spare pool",
    )
