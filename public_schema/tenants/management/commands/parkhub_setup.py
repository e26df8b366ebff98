import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from every_schema.accounts.services import roles_sync_where_changed
from public_schema.tenants.migration_plan import pattern_indexes_drop
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import hub_ensure, spare_pool_refill, template_ensure


class Command(BaseCommand):
    help = (
        "Bring a database up to date: migrate the schemas behind the code (in parallel), ensure the hub, "
        "the template and the spare pool, and sync roles and the hub's rollups where they are missing or changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-pool", action="store_true", help="Do not fill the spare pool")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        started = time.monotonic()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        hub_ensure()
        template_ensure()
        # Every tenant row (live, spare, template) that lacks a migration is migrated, which
        # keeps the pool current; one query finds them (public_schema/tenants/migration_plan.py).
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        # Roles and their permissions follow the code: only schemas whose roles differ from
        # the freshly synced template are synced (one query compares them all).
        schemas = list(
            Tenant.objects.exclude(schema_name="public")
            .exclude(slot=Tenant.Slot.TOMBSTONE)
            .values_list("schema_name", flat=True)
        )
        synced = roles_sync_where_changed(schemas, reference_schema=settings.PARKHUB_TEMPLATE_SCHEMA)
        if not settings.PARKHUB_TENANT_PATTERN_INDEXES:
            pattern_indexes_drop(schemas)  # those of schemas built before saas/postgresql/base.py
        if not options["no_pool"]:
            spare_pool_refill()
        # The hub's rollups of tenants that have none yet (a new database, a restored tenant);
        # the others are kept current by their changes and the nightly reconciliation.
        call_command("hub_rollup_refresh", missing=True, verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Database ready ({len(schemas)} schemas, roles synced in {len(synced)}, "
                f"{time.monotonic() - started:.1f} s)."
            )
        )
