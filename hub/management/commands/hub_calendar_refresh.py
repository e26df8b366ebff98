from django.core.management.base import BaseCommand

from hub.services import working_calendar_refresh


class Command(BaseCommand):
    help = "Rewrite the hub's working-day calendar (run after upgrading chinesecalendar)."

    def handle(self, *args, **options):
        count = working_calendar_refresh()
        self.stdout.write(f"{count} calendar days written.")
