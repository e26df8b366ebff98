from public_schema.tenants.management.refused import RefusedCommand


class Command(RefusedCommand):
    """django-tenants' `create_missing_schemas` would bypass ParkHub's provisioning (pool, roles, domains, history)."""
