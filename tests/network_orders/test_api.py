"""The network orders API, with its owners and its outsiders.

An institution never sees an enterprise that has not ordered from it; an enterprise of park A
never sees park B's orders (nor another A enterprise's); a sub-platform sees only its own
enterprises' orders; every foreign id is a 404, never a 403.
"""

from django.db import connection
from django_tenants.utils import schema_context

from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff

from ..conftest import ALPHA, make_user
from ..factories import EnterpriseFactory
from .conftest import site_of

API = "/api/v1/network"


def deliver_all():
    connection.set_schema_to_public()
    for pk in Handoff.objects.filter(state="pending").order_by("pk").values_list("pk", flat=True):
        handoff_deliver(handoff_id=pk)


def signed_in(tenant, user):
    client = site_of(tenant)
    client.force_login(user)
    return client


def order_via_api(client, product, **fields):
    response = client.post(
        f"{API}/orders/", {"product_id": product.pk, **fields}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_enterprise_orders_and_follows_its_order_through_the_api(
    institution, buyer_a, tenant_a, institution_staff
):
    enterprise = signed_in(tenant_a, buyer_a.user)
    catalogue = enterprise.get(f"{API}/products/").json()["results"]
    names = {product["name"] for product in catalogue}
    assert {"企业管理诊断", "专利布局咨询", "云端财务软件租用"} <= names
    assert all("evaluation" in product for product in catalogue)

    placed = order_via_api(
        enterprise, institution.open_to_all, share_contact="enterprise", note="周三上午方便"
    )
    assert placed["status"] == "placed" and placed["pending"] is True
    assert placed["actions"] == ["cancel"] and placed["amount_due"] == "3000.00"
    deliver_all()
    assert enterprise.get(f"{API}/orders/{placed['id']}/").json()["pending"] is False

    desk = signed_in(institution.tenant, institution_staff)
    (received,) = [
        o for o in desk.get(f"{API}/orders/").json()["results"] if o["reference"] == placed["reference"]
    ]
    assert received["enterprise_name"] == buyer_a.enterprise.name and received["note"] == "周三上午方便"
    assert set(received["actions"]) == {"accept", "refuse", "confirm_payment"}
    step = desk.post(
        f"{API}/orders/{received['id']}/accept/",
        {"expected_status": "placed"},
        content_type="application/json",
    )
    assert step.status_code == 200 and step.json()["status"] == "accepted"
    again = desk.post(
        f"{API}/orders/{received['id']}/accept/",
        {"expected_status": "placed"},
        content_type="application/json",
    )
    assert again.status_code == 409
    refused = desk.post(
        f"{API}/orders/{received['id']}/deliver/", {"delivery_note": "x"}, content_type="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "transition_refused"  # unpaid
    deliver_all()
    detail = enterprise.get(f"{API}/orders/{placed['id']}/").json()
    assert detail["status"] == "accepted" and detail["delivery_due_at"]
    assert [h["action"] for h in detail["history"]] == ["place", "accept"]
    assert detail["history"][1]["by"] == institution.tenant.name


def test_an_enterprise_of_a_never_sees_b_orders_nor_its_neighbours(
    institution, buyer_a, buyer_b, tenant_a, tenant_b
):
    with schema_context(ALPHA):
        neighbour = EnterpriseFactory(verified=True)
    b_order = order_via_api(signed_in(tenant_b, buyer_b.user), institution.open_to_all)
    n_order = order_via_api(signed_in(tenant_a, neighbour.user), institution.open_to_all)

    enterprise = signed_in(tenant_a, buyer_a.user)
    assert enterprise.get(f"{API}/orders/").json()["results"] == []
    for foreign in (b_order, n_order):
        assert enterprise.get(f"{API}/orders/{foreign['id']}/").status_code == 404
        assert (
            enterprise.post(
                f"{API}/orders/{foreign['id']}/cancel/", {}, content_type="application/json"
            ).status_code
            == 404
        )


def test_a_sub_platform_sees_only_its_own_enterprises_orders(
    institution, buyer_a, buyer_b, tenant_a, tenant_b, park_admin_a
):
    a_order = order_via_api(signed_in(tenant_a, buyer_a.user), institution.open_to_all)
    b_order = order_via_api(signed_in(tenant_b, buyer_b.user), institution.open_to_all)

    park = signed_in(tenant_a, park_admin_a)
    listed = [o["reference"] for o in park.get(f"{API}/orders/").json()["results"]]
    assert a_order["reference"] in listed and b_order["reference"] not in listed
    assert park.get(f"{API}/orders/{a_order['id']}/").json()["actions"] == []  # read only
    assert (
        park.post(f"{API}/orders/{a_order['id']}/cancel/", {}, content_type="application/json").status_code
        == 409
    )
    assert (
        park.post(
            f"{API}/orders/", {"product_id": institution.open_to_all.pk}, content_type="application/json"
        ).status_code
        == 400
    )


def test_an_institution_never_sees_an_enterprise_that_has_not_ordered_from_it(
    institution, other_institution, buyer_a, tenant_a
):
    mine = order_via_api(signed_in(tenant_a, buyer_a.user), institution.open_to_all)
    deliver_all()
    stranger_staff = make_user(other_institution.tenant.schema_name, role="institution_staff")
    stranger = signed_in(other_institution.tenant, stranger_staff)
    assert stranger.get(f"{API}/orders/").json()["results"] == []
    with schema_context(institution.tenant.schema_name):
        from tenant_schema.network_orders.models import NetworkOrder

        seller_copy = NetworkOrder.objects.get(reference=mine["reference"])
    assert stranger.get(f"{API}/orders/{seller_copy.pk}/").status_code == 404
    assert stranger.get(f"{API}/orders/{mine['id']}/").status_code == 404
    # An account of the institution that is not its staff sees no order either.
    member = make_user(institution.tenant.schema_name)
    assert signed_in(institution.tenant, member).get(f"{API}/orders/").json()["results"] == []
    assert signed_in(institution.tenant, member).get(f"{API}/orders/{seller_copy.pk}/").status_code == 404


def test_the_catalogue_filters_and_hides_what_is_not_offered_here(institution, buyer_b, tenant_b):
    enterprise = signed_in(tenant_b, buyer_b.user)
    names = {p["name"] for p in enterprise.get(f"{API}/products/").json()["results"]}
    assert "专利布局咨询" not in names and "企业管理诊断" in names  # alpha only
    assert enterprise.get(f"{API}/products/{institution.alpha_only.pk}/").status_code == 404
    free = enterprise.get(f"{API}/products/", {"free_only": "true"}).json()["results"]
    assert {p["name"] for p in free if p["institution_id"] == institution.tenant.pk} == {"创业政策公益讲座"}
    training = enterprise.get(f"{API}/products/", {"category": "informatisation", "price_max": "1500"}).json()
    assert {p["name"] for p in training["results"] if p["institution_id"] == institution.tenant.pk} == {
        "云端财务软件租用"
    }
    assert enterprise.get(f"{API}/products/", {"min_rating": "4"}).json()["results"] == []
