from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from every_schema.accounts.services import roles_sync
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import hub_ensure, spare_pool_refill, template_ensure


class Command(BaseCommand):
    help = "Bring a database up to date: migrate every schema, ensure the hub, the template and the spare pool."

    def add_arguments(self, parser):
        parser.add_argument("--no-pool", action="store_true", help="Do not fill the spare pool")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        hub_ensure()
        template_ensure()
        # Every tenant row (live, spare, template) is migrated, which keeps the pool current.
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        # Roles and their permissions follow the code: bring every schema, spares and the
        # template included, up to date, so provisioning need not.
        for tenant in Tenant.objects.exclude(schema_name="public"):
            with schema_context(tenant.schema_name):
                roles_sync()
        if not options["no_pool"]:
            spare_pool_refill()
        # The hub's rollup tables start from what the tenants hold now (about 65 ms a
        # tenant); afterwards every change and the nightly reconciliation keep them current.
        call_command("hub_rollup_refresh", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database ready."))
