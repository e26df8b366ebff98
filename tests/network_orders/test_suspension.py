"""A suspended institution's products leave the catalogue; its open orders stay with both sides until closed."""

import pytest
from django.http import Http404
from django_tenants.utils import schema_context

from public_schema.network.models import InstitutionProfile
from tenant_schema.network_orders.models import NetworkOrder
from tenant_schema.network_orders.selectors import network_product_list_visible, order_list_for_user
from tenant_schema.network_orders.services import order_place

from ..conftest import ALPHA
from .conftest import site_of
from .test_crossing import deliver_pending, step


def test_suspension_hides_products_and_keeps_open_orders_visible_to_both_sides(
    institution, buyer_a, tenant_a, institution_staff
):
    with schema_context(ALPHA):
        order = order_place(actor=buyer_a.user, product_id=institution.open_to_all.pk)
    deliver_pending(order.reference)
    InstitutionProfile.objects.filter(pk=institution.profile.pk).update(
        status=InstitutionProfile.Status.SUSPENDED
    )

    with schema_context(ALPHA):
        assert institution.open_to_all not in network_product_list_visible(tenant=tenant_a)
        with pytest.raises(Http404):
            order_place(actor=buyer_a.user, product_id=institution.free.pk)
        assert order_list_for_user(user=buyer_a.user).filter(reference=order.reference).exists()
    catalogue = site_of(tenant_a)
    catalogue.force_login(buyer_a.user)
    assert institution.open_to_all.name not in catalogue.get("/network/").content.decode()
    assert catalogue.get(f"/network/orders/{order.pk}/").status_code == 200

    # The institution still sees and works the order through to its end.
    desk = site_of(institution.tenant)
    desk.force_login(institution_staff)
    assert buyer_a.enterprise.name in desk.get("/orders/").content.decode()
    seller = institution.tenant.schema_name
    step(seller, order, "accept", institution_staff)
    deliver_pending(order.reference)
    with schema_context(ALPHA):
        assert NetworkOrder.objects.get(pk=order.pk).status == NetworkOrder.Status.ACCEPTED
