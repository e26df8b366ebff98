"""The hub's tenant screens: opening a tenant from the pool, suspending and reactivating with a reason."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django_tenants.utils import schema_context

from every_schema.accounts.models import Invitation
from public_schema.tenants.models import Tenant, TenantStatusHistory

from ..conftest import ALPHA, make_user

User = get_user_model()

NEW_TENANT = {
    "name": "胶东街道",
    "slug": "jiaodongnew",
    "kind": "district",
    "parent": "",
    "admin_email": "Admin@JiaoDong.test",
    "admin_name": "王主任",
}


def test_an_operator_opens_a_tenant_and_is_shown_the_administrators_one_time_link(
    db, hub_client, hub_operator
):
    hub_client.force_login(hub_operator)
    form = hub_client.get("/tenants/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert "新建成员单位" in html and "首位管理员邮箱" in html

    created = hub_client.post("/tenants/new/", NEW_TENANT)
    assert created.status_code == 201
    tenant = Tenant.objects.get(schema_name="jiaodongnew")
    assert tenant.name == "胶东街道" and tenant.kind == "district" and tenant.parent.kind == "hub"
    html = created.content.decode()
    link = re.search(r'value="(http[^"]+/accounts/password/set/[^"]+)"', html)
    assert link and "jiaodongnew." in link.group(1)
    assert "admin@jiaodong.test" in html
    with schema_context("jiaodongnew"):
        administrator = User.objects.get(email="admin@jiaodong.test")
        assert administrator.full_name == "王主任"
        assert Invitation.objects.filter(user=administrator).exists()


def test_a_taken_or_malformed_address_is_refused_on_its_field_in_chinese(db, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    taken = hub_client.post("/tenants/new/", {**NEW_TENANT, "slug": ALPHA})
    assert taken.status_code == 400
    assert taken.context["form"].errors["slug"] == [f"地址为“{ALPHA}”的成员单位已存在。"]
    malformed = hub_client.post(
        "/tenants/new/", {**NEW_TENANT, "slug": "9 Bad", "admin_email": "not-an-email"}
    )
    assert malformed.status_code == 400
    errors = malformed.context["form"].errors
    assert "小写字母" in errors["slug"][0] and errors["admin_email"]
    assert not Tenant.objects.filter(name="胶东街道").exists()


def test_a_hub_user_who_is_no_operator_cannot_open_a_tenant(db, hub_client):
    hub_client.force_login(make_user("public", email="visitor@hub.cn"))
    assert hub_client.get("/tenants/new/").status_code == 404
    assert hub_client.post("/tenants/new/", NEW_TENANT).status_code == 404
    assert not Tenant.objects.filter(schema_name="jiaodongnew").exists()


def test_suspending_asks_for_confirmation_and_a_reason_and_records_it(db, hub_client, hub_operator, client_a):
    hub_client.force_login(hub_operator)
    listing = hub_client.get("/").content.decode()
    assert f'href="/tenants/{ALPHA}/suspend/"' in listing  # a link to the confirmation, not a one-click form

    confirmation = hub_client.get(f"/tenants/{ALPHA}/suspend/")
    assert confirmation.status_code == 200 and "暂停" in confirmation.content.decode()
    assert Tenant.objects.get(schema_name=ALPHA).status == "active"  # looking is not suspending

    no_reason = hub_client.post(f"/tenants/{ALPHA}/suspend/", {"reason": " ", "expected_status": "active"})
    assert no_reason.status_code == 400 and no_reason.context["form"].errors["reason"]
    assert Tenant.objects.get(schema_name=ALPHA).status == "active"

    done = hub_client.post(
        f"/tenants/{ALPHA}/suspend/", {"reason": "合同到期未续签", "expected_status": "active"}
    )
    assert done.status_code == 302
    tenant = Tenant.objects.get(schema_name=ALPHA)
    assert tenant.status == "suspended" and tenant.status_reason == "合同到期未续签"
    entry = TenantStatusHistory.objects.get(tenant=tenant)
    assert (entry.action, entry.from_status, entry.to_status) == ("suspend", "active", "suspended")
    assert entry.actor_id == hub_operator.pk and entry.comment == "合同到期未续签"
    assert client_a.get("/").status_code == 503

    # The confirmation page submitted twice (a double-click, a second tab) moves nothing more.
    again = hub_client.post(f"/tenants/{ALPHA}/suspend/", {"reason": "再次", "expected_status": "active"})
    assert again.status_code == 302 and TenantStatusHistory.objects.filter(tenant=tenant).count() == 1

    page = hub_client.get(f"/tenants/{ALPHA}/reactivate/").content.decode()
    assert "合同到期未续签" in page  # the history is on the confirmation page
    hub_client.post(f"/tenants/{ALPHA}/reactivate/", {"reason": "已续签", "expected_status": "suspended"})
    assert Tenant.objects.get(schema_name=ALPHA).status == "active"
    assert list(TenantStatusHistory.objects.filter(tenant=tenant).values_list("action", "comment")) == [
        ("suspend", "合同到期未续签"),
        ("reactivate", "已续签"),
    ]


def test_the_status_history_cannot_be_rewritten(db, tenant_a):
    from public_schema.tenants.services import tenant_suspend

    tenant_suspend(tenant=tenant_a, reason="合同到期")
    entry = TenantStatusHistory.objects.get(tenant=tenant_a)
    for statement in (
        lambda: TenantStatusHistory.objects.filter(pk=entry.pk).update(comment="无"),
        lambda: TenantStatusHistory.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement()


def test_the_suspended_page_offers_no_link_that_would_answer_503(db, client_a, tenant_a):
    from public_schema.tenants.services import tenant_suspend

    tenant_suspend(tenant=tenant_a, reason="合同到期")
    page = client_a.get("/enterprises/")
    assert page.status_code == 503
    html = page.content.decode()
    assert "暂停" in html and "联系" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all(href.startswith(("mailto:", "tel:", "/static/")) for href in hrefs), hrefs
    assert "<form" not in html and "<nav" not in html
