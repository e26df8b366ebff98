"""A city-wide programme reaches every chosen tenant once; a tenant created later only when chosen."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from public_schema.city_programmes.models import CityProgramme, CityProgrammeDelivery
from public_schema.city_programmes.services import (
    city_programme_deliver,
    city_programme_pending_share_ids,
    city_programme_publish,
    city_programme_tenants_add,
    city_programme_totals,
)
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision
from tenant_schema.funding.models import Programme

RULES = {"combine": "all", "conditions": [{"field": "above_designated_size", "op": "eq", "value": True}]}


def _fields(**extra):
    now = timezone.now()
    return {
        "title": "2026年度全市规上企业稳增长奖励",
        "category": "award",
        "per_enterprise_cap": Decimal("100000.00"),
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=30),
        "eligibility_rules": RULES,
        **extra,
    }


def _fan_out(city_programme) -> int:
    """What the Celery fan-out does, in-process: deliver each pending share."""
    return sum(
        city_programme_deliver(share_id=share_id) is not None
        for share_id in city_programme_pending_share_ids(city_programme_id=city_programme.pk)
    )


def _copies(schema, city_programme):
    with schema_context(schema):
        return list(Programme.objects.filter(city_programme_id=city_programme.pk))


def _park(dropped_after, label):
    slug = f"{label}{uuid.uuid4().hex[:6]}"
    dropped_after.append(slug)
    return tenant_provision(
        name=f"{label} 园区", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"admin@{slug}.test"
    ).tenant


@pytest.fixture
def city_programmes_removed(committed_db):
    yield
    CityProgramme.objects.filter(title__startswith="2026年度全市").delete()


def test_reaches_every_chosen_tenant_once_and_a_later_tenant_only_when_chosen(
    committed_db, dropped_after, city_programmes_removed
):
    east, west = _park(dropped_after, "east"), _park(dropped_after, "west")
    city_programme = city_programme_publish(actor=None, tenants=[east, west], budget="600000", **_fields())

    assert _fan_out(city_programme) == 2
    assert _fan_out(city_programme) == 0  # a second run
    assert city_programme_deliver(share_id=city_programme.shares.first().pk) is None  # a retried delivery
    for tenant in (east, west):
        (copy,) = _copies(tenant.schema_name, city_programme)
        assert copy.budget == Decimal("300000.00") and copy.status == "open"
        assert copy.eligibility_rules == RULES
        with schema_context(tenant.schema_name):
            assert list(copy.stages.values_list("name", flat=True)) == [
                "受理",
                "初审",
                "专家评审",
                "公示",
                "拨付",
            ]

    later = _park(dropped_after, "later")
    assert _fan_out(city_programme) == 0
    assert _copies(later.schema_name, city_programme) == []

    city_programme_tenants_add(city_programme=city_programme, shares={later: "200000"})
    assert _fan_out(city_programme) == 1
    (copy,) = _copies(later.schema_name, city_programme)
    assert copy.budget == Decimal("200000.00")
    assert CityProgrammeDelivery.objects.filter(city_programme=city_programme).count() == 3
    assert [row["applications"] for row in city_programme_totals(city_programme=city_programme)] == [0, 0, 0]


def test_all_tenants_means_the_live_tenants_when_published(db, tenant_a, tenant_b):
    city_programme = city_programme_publish(actor=None, budget="1000000", **_fields())
    chosen = set(city_programme.shares.values_list("tenant__schema_name", flat=True))
    assert {"alpha", "beta"} <= chosen and "public" not in chosen
    _fan_out(city_programme)
    assert len(_copies("alpha", city_programme)) == 1 and len(_copies("beta", city_programme)) == 1


def test_invalid_rules_or_caps_are_refused(db, tenant_a):
    with pytest.raises(ValidationError) as refused:
        city_programme_publish(
            actor=None, tenants=[tenant_a], budget="1000", **_fields(eligibility_rules={"combine": "x"})
        )
    assert "eligibility_rules" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        city_programme_publish(actor=None, tenants=[tenant_a], budget="1000", **_fields())
    assert "per_enterprise_cap" in refused.value.message_dict
