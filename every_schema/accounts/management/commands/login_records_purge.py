"""Delete django-axes' login attempt, lockout and access records older than N days, in every schema.

    manage.py login_records_purge [--days 90] [--schema alpha]

Beat runs the same job nightly (accounts.housekeeping_all) with PARKHUB_LOGIN_RECORDS_KEEP_DAYS.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from every_schema.accounts.services import login_records_purge
from saas.schemas import EverySchemaCommand


class Command(EverySchemaCommand, BaseCommand):
    help = "Delete login attempt, lockout and access records older than --days in every schema."

    def add_arguments(self, parser):
        self.add_schema_arguments(parser)
        parser.add_argument("--days", type=int, default=settings.PARKHUB_LOGIN_RECORDS_KEEP_DAYS)

    def handle(self, *args, **options):
        days = options["days"]
        self.run_and_report(
            lambda: login_records_purge(older_than_days=days),
            options,
            describe=lambda counts: (
                f"{counts['attempts']} attempts/lockouts, {counts['failures']} failure logs, "
                f"{counts['access_logs']} access logs older than {days} days deleted"
            ),
        )
