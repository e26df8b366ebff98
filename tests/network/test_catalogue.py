"""The network catalogue as the sub-platforms' enterprises see it (the selectors other apps call)."""

from decimal import Decimal

import pytest
from django.http import Http404

from public_schema.network import workflow as wf
from public_schema.network.models import NetworkProduct
from public_schema.network.selectors import network_product_get_for_tenant, network_products_for_tenant
from public_schema.tenants.services import tenant_suspend

from .conftest import admitted, pool_step, product


def _names(tenant, **filters):
    return {p.name for p in network_products_for_tenant(tenant=tenant, **filters)}


def test_whom_a_product_is_offered_to(
    inst_a, inst_b, inst_admin_a, inst_admin_b, hub_operator, tenant_a, tenant_b
):
    # Institution A serves park alpha only; institution B the whole network.
    admitted(inst_a, inst_admin_a, hub_operator, serves=[tenant_a])
    admitted(inst_b, inst_admin_b, hub_operator)
    product(inst_a, inst_admin_a, name="甲：面向其服务范围")
    product(inst_a, inst_admin_a, name="甲：指定 alpha", serves=[tenant_a])
    product(inst_b, inst_admin_b, name="乙：全网")
    product(inst_b, inst_admin_b, name="乙：指定 beta", serves=[tenant_b])
    product(inst_b, inst_admin_b, name="乙：未上架", is_published=False)
    assert _names(tenant_a) == {"甲：面向其服务范围", "甲：指定 alpha", "乙：全网"}
    # A sub-platform institution A does not serve sees none of A's products.
    assert _names(tenant_b) == {"乙：全网", "乙：指定 beta"}
    assert _names(inst_a) == set()  # an institution has no enterprises to offer to


def test_a_suspended_or_removed_institution_vanishes_from_the_catalogue(
    inst_a, inst_admin_a, hub_operator, tenant_a
):
    admitted(inst_a, inst_admin_a, hub_operator)
    offered = product(inst_a, inst_admin_a, name="知识产权贯标")
    assert network_product_get_for_tenant(tenant=tenant_a, pk=offered.pk) == offered
    pool_step(inst_a, wf.SUSPEND, hub_operator, comment="投诉核查中")
    assert _names(tenant_a) == set()
    with pytest.raises(NetworkProduct.DoesNotExist):
        network_product_get_for_tenant(tenant=tenant_a, pk=offered.pk)
    pool_step(inst_a, wf.REINSTATE, hub_operator)
    assert _names(tenant_a) == {"知识产权贯标"}
    tenant_suspend(tenant=inst_a, reason="欠费")  # the institution's whole site closed by the hub
    assert _names(tenant_a) == set()


def test_not_offered_and_not_existing_are_the_same_404(
    inst_a, inst_admin_a, hub_operator, tenant_a, tenant_b
):
    admitted(inst_a, inst_admin_a, hub_operator, serves=[tenant_a])
    offered = product(inst_a, inst_admin_a)
    for pk in (offered.pk, 987654321, "x"):
        with pytest.raises(Http404):
            network_product_get_for_tenant(tenant=tenant_b, pk=pk)
        with pytest.raises(NetworkProduct.DoesNotExist):
            network_product_get_for_tenant(tenant=tenant_b, pk=pk)


def test_filters_by_category_price_and_free(inst_a, inst_admin_a, hub_operator, tenant_a):
    admitted(inst_a, inst_admin_a, hub_operator)
    product(inst_a, inst_admin_a, name="免费政策宣讲", price="0")
    product(
        inst_a, inst_admin_a, name="云ERP年租", category="informatisation", price="3600.00", term_months=12
    )
    product(inst_a, inst_admin_a, name="融资路演", category="financing", price="800.00")
    assert _names(tenant_a, free_only=True) == {"免费政策宣讲"}
    assert _names(tenant_a, category="informatisation") == {"云ERP年租"}
    assert _names(tenant_a, price_min=Decimal("500"), price_max=Decimal("1000")) == {"融资路演"}
