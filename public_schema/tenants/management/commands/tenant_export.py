from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from public_schema.tenants.lifecycle import tenant_export
from public_schema.tenants.models import Tenant


class Command(BaseCommand):
    help = "Export one tenant (its schema's rows, registry row, domains and uploads) to one .tar.gz file."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the tenant's address (schema name), e.g. jiaodong")
        parser.add_argument("--output", help="file to write (default: <slug>-<date>.parkhub.tar.gz here)")

    def handle(self, *args, **options):
        tenant = Tenant.objects.live().filter(schema_name=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"No live tenant at “{options['slug']}” (see the hub's tenant list).")
        from django.utils import timezone

        output = options["output"] or f"{tenant.schema_name}-{timezone.localdate():%Y%m%d}.parkhub.tar.gz"
        try:
            summary = tenant_export(tenant=tenant, path=output)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {tenant.schema_name} to {summary.path}: {summary.tables} tables, "
                f"{summary.rows} rows, {summary.files} files in {summary.seconds:.1f} s."
            )
        )
