from public_schema.tenants.management.refused import RefusedCommand


class Command(RefusedCommand):
    """django-tenants' `delete_tenant` would bypass ParkHub's provisioning (pool, roles, domains, history)."""
