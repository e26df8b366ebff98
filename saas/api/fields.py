"""Input fields shared by the API's serializers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Programmes, deadlines and payments of a public-service platform fall in this range. Far
# earlier moments also cannot be written back as valid ISO 8601: before 1901 the Asia/Shanghai
# zone has a local-mean-time offset in seconds (+08:05:43), which no date-time format allows.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


class MomentField(serializers.DateTimeField):
    """A date and time between 1990 and 2100; others are a 400 naming the range."""

    default_error_messages = {
        "out_of_range": _("Give a date between {first} and {last}."),
    }

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            self.fail("out_of_range", first=EARLIEST_YEAR, last=LATEST_YEAR)
        return moment


class DayField(serializers.DateField):
    """A date between 1990 and 2100."""

    default_error_messages = MomentField.default_error_messages

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            self.fail("out_of_range", first=EARLIEST_YEAR, last=LATEST_YEAR)
        return day
