from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision


class Command(BaseCommand):
    help = "Provision a tenant: schema (from the spare pool), domain, roles and first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Display name, e.g. 胶东街道企业服务分平台")
        parser.add_argument("--slug", required=True, help="Schema name and subdomain, e.g. jiaodong")
        parser.add_argument(
            "--kind",
            required=True,
            choices=[value for value in Tenant.Kind.values if value != Tenant.Kind.HUB],
        )
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")

    def handle(self, *args, **options):
        try:
            provisioned = tenant_provision(
                name=options["name"],
                slug=options["slug"],
                kind=options["kind"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            ) from None
        tenant = provisioned.tenant
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {tenant.schema_name} ({tenant.name}) by {provisioned.method}."
            )
        )
        self.stdout.write(f"Administrator: {provisioned.administrator_email}")
        self.stdout.write(f"One-time link to set the password: {provisioned.password_set_url}")
