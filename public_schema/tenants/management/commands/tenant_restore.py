from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from public_schema.tenants.lifecycle import tenant_restore


class Command(BaseCommand):
    help = "Restore a tenant from a tenant_export file, under its own address or a new one (--slug)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .tar.gz file tenant_export wrote")
        parser.add_argument("--slug", help="a new address (schema name); default: the exported one")
        parser.add_argument("--name", help="a new display name; default: the exported one")

    def handle(self, *args, **options):
        try:
            summary = tenant_restore(path=options["path"], slug=options["slug"], name=options["name"])
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            raise CommandError(
                "; ".join(
                    f"{field + ': ' if field else ''}{' '.join(texts)}" for field, texts in messages.items()
                )
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {summary.tenant.schema_name} ({summary.tenant.name}): {summary.tables} tables, "
                f"{summary.rows} rows, {summary.files} files in {summary.seconds:.1f} s."
            )
        )
