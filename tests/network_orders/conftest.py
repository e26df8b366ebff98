"""An admitted service institution (a tenant of its own) with products on the network catalogue.

Made once per module and committed (provisioning a schema cannot happen inside a test's
transaction), dropped at the module's end. The sub-platforms are the session's two parks,
alpha and beta; the product `open_to_all` is offered to both, `alpha_only` to alpha.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django_tenants.utils import schema_context

from public_schema.network.models import InstitutionProfile, NetworkProduct
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_drop, tenant_provision
from tenant_schema.network_orders.workflow import INSTITUTION_ROLES

from ..conftest import ALPHA, BETA, make_user
from ..factories import EnterpriseFactory


@dataclass
class Institution:
    tenant: Tenant
    profile: InstitutionProfile
    open_to_all: NetworkProduct
    alpha_only: NetworkProduct
    rental: NetworkProduct
    free: NetworkProduct


def institution_make(*, name: str, serves=()) -> Institution:
    slug = f"inst{uuid.uuid4().hex[:6]}"
    tenant = tenant_provision(
        name=name, slug=slug, kind=Tenant.Kind.INSTITUTION, admin_email=f"admin@{slug}.test"
    ).tenant
    with schema_context(slug):
        for role in INSTITUTION_ROLES:  # the institution site's roles (not on this branch yet)
            Group.objects.get_or_create(name=role)
    connection.set_schema_to_public()
    # Provisioning made the draft pool entry; admit it directly (the pool's own walk is tests/network's).
    profile, _created = InstitutionProfile.objects.update_or_create(
        tenant=tenant,
        defaults={"status": InstitutionProfile.Status.ADMITTED, "credit_code": "91370281MA3C000001"},
    )
    profile.serves.set(serves)
    alpha = Tenant.objects.get(schema_name=ALPHA)

    def product(name, **fields):
        return NetworkProduct.objects.create(
            institution=tenant,
            name=name,
            category=fields.pop("category", "consulting"),
            price=fields.pop("price", Decimal("3000.00")),
            delivery_days=fields.pop("delivery_days", 5),
            **fields,
        )

    alpha_only = product("专利布局咨询")
    alpha_only.serves.set([alpha])
    return Institution(
        tenant=tenant,
        profile=profile,
        open_to_all=product("企业管理诊断"),
        alpha_only=alpha_only,
        rental=product(
            "云端财务软件租用", category="informatisation", price=Decimal("1200.00"), term_months=6
        ),
        free=product("创业政策公益讲座", category="training", price=Decimal("0")),
    )


@pytest.fixture(scope="module")
def institution(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        made = institution_make(name="青岛测试咨询服务有限公司")
        yield made
        connection.set_schema_to_public()
        tenant_drop(tenant=Tenant.objects.get(pk=made.tenant.pk))


@pytest.fixture
def institution_staff(db, institution):
    return make_user(institution.tenant.schema_name, role="institution_staff")


@pytest.fixture
def buyer_a(db, tenant_a):
    with schema_context(ALPHA):
        return EnterpriseFactory(verified=True)


@pytest.fixture
def buyer_b(db, tenant_b):
    with schema_context(BETA):
        return EnterpriseFactory(verified=True)


@pytest.fixture(scope="module")
def other_institution(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        made = institution_make(name="胶州另一家培训机构")
        yield made
        connection.set_schema_to_public()
        tenant_drop(tenant=Tenant.objects.get(pk=made.tenant.pk))


def site_of(tenant: Tenant):
    """A test client on `tenant`'s own host."""
    from ..conftest import HostClient

    return HostClient(tenant.domains.get().domain)
