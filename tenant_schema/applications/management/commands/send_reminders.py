"""Send reviewers' stage reminders now, in every live, active tenant (or the ones named).

    manage.py send_reminders [--schema fuan --schema kaifaqu] [--queue]

By default it runs here, one tenant after another, and prints what each sent; with
--queue it hands the work to the Celery workers as beat would. Running it again the same
day sends nothing new: reminders are deduplicated per application, stage and date.
"""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from tenant_schema.applications.reminders import application_reminders_send, reminder_schemas
from tenant_schema.applications.tasks import reminders_send_task


class Command(BaseCommand):
    help = "Remind reviewers of stages due by the next working day or overdue, in every live tenant."

    def add_arguments(self, parser):
        parser.add_argument("--schema", action="append", default=[], help="only this tenant (repeatable)")
        parser.add_argument(
            "--queue", action="store_true", help="queue one task per tenant instead of running here"
        )

    def handle(self, *args, **options):
        schemas = reminder_schemas()
        if options["schema"]:
            unknown = sorted(set(options["schema"]) - set(schemas))
            if unknown:
                raise CommandError(f"Not a live, active tenant: {', '.join(unknown)}")
            schemas = [schema for schema in schemas if schema in options["schema"]]
        for schema_name in schemas:
            if options["queue"]:
                reminders_send_task.apply_async(headers={"_schema_name": schema_name})
                self.stdout.write(f"{schema_name}: queued")
                continue
            with schema_context(schema_name):
                sent = application_reminders_send()
            self.stdout.write(f"{schema_name}: {sent['due_soon']} due soon, {sent['overdue']} overdue")
