"""A network of units for demands: the session's parks alpha and beta, two hub desks and the
supervision office, with staff of each (an insider / outsider pair per unit kind)."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.network_demands.models import NetworkDemand
from public_schema.handling_units.models import HandlingUnit
from public_schema.handling_units.services import desk_staff_add, supervision_unit, unit_for_tenant
from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff
from public_schema.tenants.models import Tenant

from ..conftest import ALPHA, BETA, make_user
from ..factories import EnterpriseFactory


@dataclass
class Network:
    alpha: HandlingUnit
    beta: HandlingUnit
    land: HandlingUnit  # 自然资源 desk
    tech: HandlingUnit  # 科技 desk
    supervision: HandlingUnit
    alpha_staff: object
    beta_staff: object
    land_staff: object
    tech_staff: object
    supervisor: object


@pytest.fixture
def net(db, tenant_a, tenant_b) -> Network:
    hub = Tenant.objects.get(schema_name="public")
    land = HandlingUnit.objects.create(kind="desk", code="t-land", name="自然资源局服务窗口", tenant=hub)
    tech = HandlingUnit.objects.create(kind="desk", code="t-tech", name="科技局服务窗口", tenant=hub)
    land_staff = make_user("public")
    tech_staff = make_user("public")
    desk_staff_add(unit=land, user=land_staff)
    desk_staff_add(unit=tech, user=tech_staff)
    return Network(
        alpha=unit_for_tenant(tenant=tenant_a),
        beta=unit_for_tenant(tenant=tenant_b),
        land=land,
        tech=tech,
        supervision=supervision_unit(),
        alpha_staff=make_user(ALPHA, role=roles.PARK_ADMIN),
        beta_staff=make_user(BETA, role=roles.REVIEWER),
        land_staff=land_staff,
        tech_staff=tech_staff,
        supervisor=make_user("public", role=roles.HUB_OPERATOR),
    )


@pytest.fixture
def firm_a(db, tenant_a):
    with schema_context(ALPHA):
        return EnterpriseFactory(verified=True)


def schema_of(unit: HandlingUnit) -> str:
    return unit.tenant.schema_name


def copy_at(unit: HandlingUnit, reference: str) -> NetworkDemand | None:
    with schema_context(schema_of(unit)):
        return NetworkDemand.objects.filter(reference=reference, unit_id=unit.pk).first()


def deliver_all(reference: str) -> int:
    """Apply every envelope about `reference` still pending, as the workers would, until none is left."""
    connection.set_schema_to_public()
    delivered = 0
    for _round in range(10):
        pending = list(
            Handoff.objects.filter(reference=reference, state="pending").values_list("pk", flat=True)
        )
        if not pending:
            break
        for pk in pending:
            try:
                delivered += handoff_deliver(handoff_id=pk)
            except Exception:  # out of order: a later round applies it
                pass
    return delivered
