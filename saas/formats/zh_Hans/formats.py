"""Chinese number formats as our users read money: 1,334,567.89 rather than 1334567.89.

Django's zh_Hans locale has no thousands separator, so `floatformat:"2g"` printed budgets
and awards as one long run of digits. Government and bank statements in China group
amounts in threes with commas; the rest of the locale (dates, input formats) is Django's.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
