"""Offered ⇔ accepted for a tenant's status: the hub offers suspend / reactivate / deletion exactly when the service takes it.

Every status, each with no deletion scheduled, one in the future and one past due. The final
`delete` is the platform's (the nightly sweep, tests/tenants/test_deletion.py): offered to no person.
"""

import datetime as dt

from django.utils import timezone

from every_schema.accounts import roles
from public_schema.tenants.deletion import tenant_delete_now, tenant_deletion_cancel, tenant_deletion_schedule
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
    services = {
        "suspend": tenant_suspend,
        "reactivate": tenant_reactivate,
        "schedule_deletion": tenant_deletion_schedule,
        "cancel_deletion": tenant_deletion_cancel,
        "delete": lambda *, tenant, reason, actor: tenant_delete_now(tenant=tenant, actor=actor),
    }
    now = timezone.now()
    days = {"none": None, "ahead": now + dt.timedelta(days=9), "due": now - dt.timedelta(days=1)}
    hub = Tenant.objects.get(schema_name="public")
    disagreements, walked = [], 0
    for tenant in (tenant_a, hub):
        for status in Tenant.Status.values:
            for day_name, day in days.items():
                Tenant.objects.filter(pk=tenant.pk).update(status=status, delete_after=day)
                obj = Tenant.objects.get(pk=tenant.pk)
                disagreements += _walk(
                    TENANT_STATUS,
                    f"{obj.schema_name} {status} deletion {day_name}",
                    obj,
                    people,
                    lambda action, user, obj=obj: services[action](tenant=obj, reason="走查", actor=user),
                )
                walked += 1
    assert walked == 2 * len(Tenant.Status.values) * len(days) and not disagreements, disagreements
