from django.core.management.base import BaseCommand

from public_schema.workcalendar.selectors import calendar_expiry, calendar_years
from saas import workdays


class Command(BaseCommand):
    help = "Which years the working-day calendar knows, from where, and when it runs out."

    def handle(self, *args, **options):
        for row in calendar_years()[:5]:
            self.stdout.write(
                f"{row['year']}: {row['source']} ({row['holidays']} days off, {row['workdays']} make-up workdays)"
            )
        expiry = calendar_expiry()
        last = workdays.known_until()
        if expiry:
            self.stdout.write(
                self.style.WARNING(
                    f"Known until {last} ({expiry['days_left']} days): enter {expiry['next_year']} "
                    f"(hub /calendar/ or manage.py calendar_year_import {expiry['next_year']} FILE)."
                )
            )
        else:
            self.stdout.write(f"Known until {last}.")
