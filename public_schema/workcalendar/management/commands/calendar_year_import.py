import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from public_schema.workcalendar.services import calendar_year_enter


class Command(BaseCommand):
    help = (
        "Enter a year's official holiday schedule from a file (one line per day off or make-up "
        "workday: 'holiday 2027-01-01 元旦', 'workday 2027-02-14', ranges with '..')."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("file", help="path of the schedule file, or - for standard input")

    def handle(self, *args, year, file, **options):
        if file == "-":
            notice = sys.stdin.read()
        else:
            with open(file, encoding="utf-8") as handle:
                notice = handle.read()
        try:
            calendar_year = calendar_year_enter(year=year, notice=notice, actor=None)
        except ValidationError as error:
            raise CommandError(
                "\n".join(f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms)
            ) from None
        days = calendar_year.days.count()
        self.stdout.write(f"{year}: {days} days entered; open deadlines in every tenant are being recounted.")
