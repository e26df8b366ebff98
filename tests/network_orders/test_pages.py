"""The pages: an enterprise finds a network service beside the park's, orders it choosing the contact to
share, and follows it; the institution's desk shows it new, then due; the park reads its enterprises'."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff
from tenant_schema.network_orders.models import NetworkOrder

from .conftest import site_of


def deliver_all():
    connection.set_schema_to_public()
    for pk in Handoff.objects.filter(state="pending").order_by("pk").values_list("pk", flat=True):
        handoff_deliver(handoff_id=pk)


def signed_in(tenant, user):
    client = site_of(tenant)
    client.force_login(user)
    return client


def test_an_enterprise_finds_orders_and_follows_a_network_service(institution, buyer_a, tenant_a):
    page = signed_in(tenant_a, buyer_a.user)
    assert "/network/" in page.get("/services/").content.decode()  # beside the park's own services
    catalogue = page.get("/network/", {"category": "consulting"}).content.decode()
    assert "企业管理诊断" in catalogue and "云端财务软件租用" not in catalogue
    detail = page.get(f"/network/products/{institution.open_to_all.pk}/").content.decode()
    reference = re.search(r'name="reference" value="([^"]+)"', detail).group(1)
    form = {"reference": reference, "share_contact": "me", "note": "请电话联系"}
    response = page.post(f"/network/products/{institution.open_to_all.pk}/", form)
    assert response.status_code == 302
    again = page.post(f"/network/products/{institution.open_to_all.pk}/", form)  # a double submit
    assert again.status_code == 302 and again.url == response.url
    with schema_context("alpha"):
        assert NetworkOrder.objects.filter(reference=reference).count() == 1
    shown = page.get(response.url).content.decode()
    assert "order-pending" in shown
    deliver_all()
    shown = page.get(response.url).content.decode()
    assert "order-pending" not in shown
    assert "企业管理诊断" in page.get("/network/orders/").content.decode()


def test_the_institution_desk_shows_new_orders_and_takes_steps(
    institution, buyer_a, tenant_a, institution_staff
):
    with schema_context("alpha"):
        from tenant_schema.network_orders.services import order_place

        order = order_place(actor=buyer_a.user, product_id=institution.free.pk)
    deliver_all()
    desk = signed_in(institution.tenant, institution_staff)
    page = desk.get("/orders/").content.decode()
    assert "创业政策公益讲座" in page and buyer_a.enterprise.name in page
    with schema_context(institution.tenant.schema_name):
        copy = NetworkOrder.objects.get(reference=order.reference)
    detail = desk.get(f"/orders/{copy.pk}/").content.decode()
    assert 'value="accept"' in detail and 'value="cancel"' not in detail
    accepted = desk.post(f"/orders/{copy.pk}/act/", {"action": "accept", "expected_status": "placed"})
    assert accepted.status_code == 302
    repeat = desk.post(f"/orders/{copy.pk}/act/", {"action": "accept", "expected_status": "placed"})
    assert repeat.status_code == 409
    missing = desk.post(f"/orders/{copy.pk}/act/", {"action": "deliver", "expected_status": "accepted"})
    assert missing.status_code == 400
    report = SimpleUploadedFile("交付报告.pdf", b"%PDF-1.4 delivery report", content_type="application/pdf")
    form = {"action": "deliver", "delivery_note": "讲座已完成", "files": [report]}
    assert desk.post(f"/orders/{copy.pk}/act/", form).status_code == 302
    with schema_context(institution.tenant.schema_name):
        stored = NetworkOrder.objects.get(pk=copy.pk).files.get()
    assert desk.get(f"/orders/{copy.pk}/files/{stored.pk}/").status_code == 200
    assert "交付报告.pdf" in desk.get(f"/orders/{copy.pk}/").content.decode()
    deliver_all()
    enterprise = signed_in(tenant_a, buyer_a.user)
    mine = enterprise.get(f"/network/orders/{order.pk}/").content.decode()
    assert "讲座已完成" in mine and 'value="confirm"' in mine and "交付报告.pdf" in mine
    assert (
        enterprise.post(f"/network/orders/{order.pk}/act/", {"action": "confirm", "rating": "5"}).status_code
        == 302
    )
    # A stranger on the institution's site, and the enterprise's own site for the seller's copy: 404.
    assert site_of(institution.tenant).get("/orders/").status_code == 302  # sign in first


def test_the_park_reads_its_enterprises_orders_and_an_enterprise_only_its_own(
    institution, buyer_a, tenant_a, park_admin_a
):
    from tests.factories import EnterpriseFactory

    with schema_context("alpha"):
        from tenant_schema.network_orders.services import order_place

        order = order_place(actor=buyer_a.user, product_id=institution.open_to_all.pk)
        neighbour = EnterpriseFactory(verified=True)
    park = signed_in(tenant_a, park_admin_a)
    listing = park.get("/park/network-orders/").content.decode()
    assert buyer_a.enterprise.name in listing
    detail = park.get(f"/network/orders/{order.pk}/").content.decode()
    assert 'name="action"' not in detail  # read only
    other = signed_in(tenant_a, neighbour.user)
    assert other.get(f"/network/orders/{order.pk}/").status_code == 404
    assert other.post(f"/network/orders/{order.pk}/act/", {"action": "cancel"}).status_code == 404
    assert other.get("/park/network-orders/").status_code == 404
