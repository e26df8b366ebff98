from public_schema.tenants.management.refused import RefusedCommand


class Command(RefusedCommand):
    """django-tenants' `create_tenant_superuser` would bypass ParkHub's provisioning (pool, roles, domains, history)."""
