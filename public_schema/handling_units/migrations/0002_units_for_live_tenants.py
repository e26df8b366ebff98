"""Every live sub-platform, park and institution already there becomes a handling unit
(new ones become one when they go live: signals.py)."""

from django.db import migrations


def units_for_live_tenants(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    HandlingUnit = apps.get_model("handling_units", "HandlingUnit")
    for tenant in Tenant.objects.filter(slot="live").exclude(kind="hub"):
        kind = "institution" if tenant.kind == "institution" else "subplatform"
        if not HandlingUnit.objects.filter(tenant=tenant, kind=kind).exists():
            HandlingUnit.objects.create(kind=kind, code=tenant.schema_name, name=tenant.name, tenant=tenant)


class Migration(migrations.Migration):
    dependencies = [("handling_units", "0001_initial"), ("tenants", "0003_tenant_status_history")]

    operations = [migrations.RunPython(units_for_live_tenants, migrations.RunPython.noop)]
