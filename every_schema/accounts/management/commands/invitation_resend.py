"""Send an unaccepted invitation again, with a new link (earlier links stop working).

    manage.py invitation_resend --schema alpha colleague@example.cn [another@example.cn]

The same rule as the button on the park's enterprise page: any time before the person
chose a password, but not more often than PARKHUB_INVITATION_RESEND_INTERVAL.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from every_schema.accounts.services import invitation_resend
from saas.schemas import schema_names_every


class Command(BaseCommand):
    help = "Queue a new invitation email for each address (accounts of the schema named by --schema)."

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="+", metavar="EMAIL")
        parser.add_argument(
            "--schema",
            default=get_public_schema_name(),
            help="the tenant's schema (default: the hub's, public)",
        )

    def handle(self, *args, emails, schema, **options):
        if schema not in schema_names_every(include_public=True):
            raise CommandError(
                f"No live schema named {schema!r}; see the hub's tenant list for schema names."
            )
        refused = []
        with schema_context(schema):
            for email in emails:
                user = get_user_model().objects.filter(email__iexact=email.strip()).first()
                if user is None:
                    refused.append(f"{email}: no account with this address in {schema}")
                    continue
                try:
                    invitation_resend(user=user)
                except ValidationError as error:
                    refused.append(f"{email}: {' '.join(error.messages)}")
                    continue
                self.stdout.write(f"{user.email}: a new invitation is queued in {schema}")
        for line in refused:
            self.stderr.write(line)
        if refused:
            raise CommandError(f"{len(refused)} of {len(emails)} invitation(s) not resent.")
