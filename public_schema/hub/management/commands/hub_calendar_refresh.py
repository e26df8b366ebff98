from django.core.management.base import BaseCommand

from public_schema.hub.rollups import rollup_refresh_all
from public_schema.hub.services import working_calendar_refresh


class Command(BaseCommand):
    help = "Rewrite the hub's working-day calendar (run after upgrading chinesecalendar)."

    def handle(self, *args, **options):
        count = working_calendar_refresh()
        self.stdout.write(f"{count} calendar days written.")
        # Working days to decision are stored in the rollups: recompute them with the new calendar.
        self.stdout.write(f"{rollup_refresh_all()} tenants' hub rollups refreshed.")
