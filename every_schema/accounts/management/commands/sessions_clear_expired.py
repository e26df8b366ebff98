"""Delete expired sessions in the public schema and every live tenant's (`clearsessions` per schema).

    manage.py sessions_clear_expired [--schema alpha]

Beat runs the same job nightly (accounts.housekeeping_all), one task per schema.
"""

from django.core.management.base import BaseCommand

from every_schema.accounts.services import sessions_clear_expired
from saas.schemas import EverySchemaCommand


class Command(EverySchemaCommand, BaseCommand):
    help = "Delete expired sessions in every schema and print how many per schema."

    def add_arguments(self, parser):
        self.add_schema_arguments(parser)

    def handle(self, *args, **options):
        self.run_and_report(
            sessions_clear_expired, options, describe=lambda n: f"{n} expired sessions deleted"
        )
