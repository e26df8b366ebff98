"""Delete notifications read more than N days ago (default a year), in every live tenant.

    manage.py notifications_purge_read [--days 365] [--schema alpha]

Unread notifications stay. Beat runs the same job nightly (notifications.purge_read_all).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from saas.schemas import EverySchemaCommand
from tenant_schema.notifications.services import notifications_purge_read


class Command(EverySchemaCommand, BaseCommand):
    help = "Delete notifications read more than --days ago in every tenant and print how many per tenant."
    include_public = False  # notifications live in tenant schemas only

    def add_arguments(self, parser):
        self.add_schema_arguments(parser)
        parser.add_argument("--days", type=int, default=settings.PARKHUB_READ_NOTIFICATIONS_KEEP_DAYS)

    def handle(self, *args, **options):
        days = options["days"]
        self.run_and_report(
            lambda: notifications_purge_read(older_than_days=days),
            options,
            describe=lambda n: f"{n} notifications read more than {days} days ago deleted",
        )
