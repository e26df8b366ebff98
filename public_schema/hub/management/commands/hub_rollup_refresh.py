from django.core.management.base import BaseCommand

from public_schema.hub.rollups import rollup_refresh, rollup_refresh_all


class Command(BaseCommand):
    help = "Recompute the hub's rollup tables now (all live tenants, or the schemas named), in this process."

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="tenant schema names (default: every live tenant)")

    def handle(self, *args, schemas, **options):
        if schemas:
            done = sum(rollup_refresh(schema_name=schema) for schema in schemas)
        else:
            done = rollup_refresh_all()
        self.stdout.write(f"{done} tenants' hub rollups refreshed.")
