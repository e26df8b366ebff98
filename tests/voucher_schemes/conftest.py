"""The network's parties for voucher tests: the hub, two parks (alpha, beta) and an institution with a site.

The institution is provisioned once per session (a real schema, so its staff sign in on
its own site) and dropped at the end; what a test writes about it rolls back with the test.
"""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.network.models import InstitutionProfile, ServiceCategory
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_drop, tenant_provision
from public_schema.voucher_schemes.services import scheme_create

from ..conftest import ALPHA, BETA, make_user
from ..factories import EnterpriseFactory

INSTITUTION = "vinst"


@contextmanager
def on_site(tenant: Tenant):
    """Run as a request on `tenant`'s own site would: its schema, and it as the connection's tenant."""
    connection.set_tenant(tenant)
    try:
        yield
    finally:
        connection.set_schema_to_public()


@pytest.fixture(scope="session")
def institution_site(django_db_setup, django_db_blocker) -> Tenant:
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        tenant = Tenant.objects.filter(schema_name=INSTITUTION).first()
        if tenant is None:
            tenant_provision(
                name="青岛科创咨询服务中心",
                slug=INSTITUTION,
                kind=Tenant.Kind.INSTITUTION,
                admin_email="admin@vinst.test",
            )
            tenant = Tenant.objects.get(schema_name=INSTITUTION)
        connection.set_schema_to_public()
    yield tenant
    with django_db_blocker.unblock():
        # At the end of the session a fault test may have restarted the server since: start the
        # clean-up on a fresh connection rather than fail on a lost one.
        connection.close()
        connection.set_schema_to_public()
        tenant_drop(tenant=Tenant.objects.get(schema_name=INSTITUTION))


@pytest.fixture
def hub(db) -> Tenant:
    return Tenant.objects.get(schema_name="public")


@pytest.fixture
def institution(db, institution_site) -> Tenant:
    """The institution, admitted to the pool and serving every sub-platform."""
    InstitutionProfile.objects.update_or_create(
        tenant=institution_site,
        defaults={"status": InstitutionProfile.Status.ADMITTED, "categories": [ServiceCategory.INNOVATION]},
    )
    return institution_site


@pytest.fixture
def institution_staff(institution):
    return make_user(INSTITUTION, role=roles.INSTITUTION_ADMIN)


@pytest.fixture
def enterprise_a(db, tenant_a):
    """A verified enterprise of alpha and its owner (a Registration)."""
    with schema_context(ALPHA):
        return EnterpriseFactory(verified=True)


@pytest.fixture
def enterprise_a2(db, tenant_a):
    with schema_context(ALPHA):
        return EnterpriseFactory(verified=True)


@pytest.fixture
def enterprise_b(db, tenant_b):
    with schema_context(BETA):
        return EnterpriseFactory(verified=True)


def city_scheme(hub, operator, **overrides):
    """A hub scheme of 10,000 yuan of 1,000-yuan vouchers for innovation services, valid this year."""
    today = timezone.localdate()
    fields = {
        "title": "2026 年创新券",
        "budget": Decimal("10000"),
        "kind": "face_value",
        "face_value": Decimal("1000"),
        "valid_from": today - timedelta(days=30),
        "valid_until": today + timedelta(days=60),
        "categories": [ServiceCategory.INNOVATION, ServiceCategory.TESTING],
    }
    fields.update(overrides)
    return scheme_create(issuer=hub, actor=operator, **fields)


@pytest.fixture
def scheme(hub, hub_operator):
    return city_scheme(hub, hub_operator)
