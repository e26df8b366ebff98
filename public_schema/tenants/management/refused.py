"""django-tenants commands that would bypass ParkHub's own tenant lifecycle, refused with the way to go.

They create, rename or delete schemas and registry rows without the spare pool, the
roles, the domains or the status history. `public_schema.tenants` is listed before
`django_tenants` in INSTALLED_APPS so that these names resolve here.
"""

from django.core.management.base import BaseCommand, CommandError

INSTEAD = (
    "Use ParkHub's commands instead: tenant_create (provision from the pool), tenant_export / "
    "tenant_restore (move or copy one tenant), the hub's tenant pages (suspend, reactivate)."
)


class RefusedCommand(BaseCommand):
    help = "Refused in ParkHub: it bypasses ParkHub's provisioning. " + INSTEAD

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")

    def run_from_argv(self, argv):
        # Refuse before parsing, whatever options django-tenants' version of the command took.
        raise SystemExit(f"{argv[1]} is disabled in ParkHub: it bypasses ParkHub's provisioning. {INSTEAD}")

    def handle(self, *args, **options):
        raise CommandError(f"This command is disabled in ParkHub. {INSTEAD}")
