from django.core.management.base import BaseCommand

from public_schema.hub.models import RollupTenant
from public_schema.hub.rollups import rollup_refresh, rollup_refresh_all
from public_schema.tenants.models import Tenant


class Command(BaseCommand):
    help = "Recompute the hub's rollup tables now (all live tenants, or the schemas named), in this process."

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="tenant schema names (default: every live tenant)")
        parser.add_argument(
            "--missing",
            action="store_true",
            help="only live tenants that have no rollups yet (a deploy: the others are kept current by their changes)",
        )

    def handle(self, *args, schemas, missing, **options):
        if missing:
            schemas = list(
                Tenant.objects.live()
                .exclude(id__in=RollupTenant.objects.values("tenant_id"))
                .values_list("schema_name", flat=True)
            )
            done = sum(rollup_refresh(schema_name=schema) for schema in schemas)
        elif schemas:
            done = sum(rollup_refresh(schema_name=schema) for schema in schemas)
        else:
            done = rollup_refresh_all()
        self.stdout.write(f"{done} tenants' hub rollups refreshed.")
