"""Offered ⇔ accepted for a tenant's status: the hub offers suspend / reactivate exactly when the service takes it."""

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_reactivate, tenant_suspend
from public_schema.tenants.workflow import TENANT_STATUS

from ..conftest import make_user
from .test_offered_equals_accepted import _walk


def test_tenant_status_offers_exactly_what_the_service_accepts(db, tenant_a):
    people = {
        "hub operator": make_user("public", role=roles.HUB_OPERATOR),
        "hub user without the role": make_user("public"),
    }
    services = {"suspend": tenant_suspend, "reactivate": tenant_reactivate}
    hub = Tenant.objects.get(schema_name="public")
    disagreements, walked = [], 0
    for tenant in (tenant_a, hub):
        for status in Tenant.Status.values:
            Tenant.objects.filter(pk=tenant.pk).update(status=status)
            obj = Tenant.objects.get(pk=tenant.pk)
            disagreements += _walk(
                TENANT_STATUS,
                f"{obj.schema_name} {status}",
                obj,
                people,
                lambda action, user, obj=obj: services[action](tenant=obj, reason="走查", actor=user),
            )
            walked += 1
    assert walked == 4 and not disagreements, disagreements
