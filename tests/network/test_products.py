"""Products: the institution's staff manage them; the rules answer in Chinese."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tenants.utils import schema_context

from public_schema.network.models import NetworkProduct
from public_schema.network.services import network_product_update

from ..conftest import INST_A
from .conftest import admitted, product


def test_only_an_admitted_institution_publishes(inst_a, inst_admin_a, hub_operator):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        product(inst_a, inst_admin_a, is_published=True)
    assert "已入库" in raised.value.message_dict["is_published"][0]
    draft = product(inst_a, inst_admin_a, is_published=False)
    assert not draft.is_published
    admitted(inst_a, inst_admin_a, hub_operator)
    with schema_context(INST_A):
        assert network_product_update(product=draft, actor=inst_admin_a, is_published=True).is_published


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"price": "-1"}, "price", "价格"),
        ({"price": "12.345"}, "price", "两位小数"),
        ({"term_months": 4}, "term_months", "3、6或12"),
        ({"delivery_days": 0}, "delivery_days", "至少为1"),
        ({"name": " "}, "name", "名称"),
        ({"category": "astrology"}, "category", "类别"),
    ],
)
def test_a_bad_field_is_refused_in_chinese(inst_a, inst_admin_a, hub_operator, fields, field, words):
    admitted(inst_a, inst_admin_a, hub_operator)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        product(inst_a, inst_admin_a, **fields)
    assert words in raised.value.message_dict[field][0]


def test_prices_are_decimal_and_terms_are_3_6_12_or_none(inst_a, inst_admin_a, hub_operator):
    admitted(inst_a, inst_admin_a, hub_operator)
    rental = product(inst_a, inst_admin_a, price="199.90", term_months=12, category="informatisation")
    free = product(inst_a, inst_admin_a, price="0", term_months=None)
    rental.refresh_from_db()
    assert rental.price == Decimal("199.90") and rental.term_months == 12
    assert free.is_free and free.term_months is None


def test_a_product_serves_only_sub_platforms_the_institution_serves(
    inst_a, inst_admin_a, hub_operator, tenant_a, tenant_b
):
    admitted(inst_a, inst_admin_a, hub_operator, serves=[tenant_a])
    with pytest.raises(ValidationError) as raised:
        product(inst_a, inst_admin_a, serves=[tenant_b])
    assert "serves" in raised.value.message_dict
    assert list(product(inst_a, inst_admin_a, serves=[tenant_a]).serves.all()) == [tenant_a]


def test_staff_manage_products_from_the_site_and_the_api(
    client_ia, inst_a, inst_admin_a, inst_staff_a, hub_operator
):
    admitted(inst_a, inst_admin_a, hub_operator)
    client_ia.force_login(inst_staff_a)
    created = client_ia.post(
        "/api/v1/institution/products/",
        {
            "name": "企业上云诊断",
            "category": "informatisation",
            "price": "0.00",
            "delivery_days": 3,
            "is_published": True,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = client_ia.patch(
        f"/api/v1/institution/products/{pk}/",
        {"term_months": 5},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400 and "term_months" in bad.json()["fields"]
    page = client_ia.post(
        f"/products/{pk}/edit/",
        {
            "name": "企业上云诊断",
            "category": "informatisation",
            "price": "abc",
            "delivery_days": "3",
            "is_published": "on",
        },
    )
    assert page.status_code == 200 and page.context["form"].errors["price"]
    assert client_ia.post(f"/products/{pk}/unpublish/").status_code == 302
    assert not NetworkProduct.objects.get(pk=pk).is_published
    assert client_ia.get("/products/").status_code == 200
