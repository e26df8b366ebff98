"""The official working-day schedule of each year, as the hub entered it (public schema).

The State Council publishes next year's holidays and make-up workdays each November.
Until the pinned `chinesecalendar` package carries them, the hub operator enters them
here; an entered year takes precedence over the package's data for that year.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    notice = models.TextField(
        _("schedule as entered"), help_text=_("The lines as the operator entered them.")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Day off")
        WORKDAY = "workday", _("Make-up workday")

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("holiday"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.kind}"


class CalendarExpiryNotice(models.Model):
    """The operators were told by e-mail that the calendar ends with `last_year` (once per year)."""

    last_year = models.PositiveSmallIntegerField(primary_key=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self):
        return str(self.last_year)


class CalendarRecount(models.Model):
    """A schema's deadlines were recounted for one entry of a year (so a redelivered task does nothing).

    Written in the same transaction as the recount in that schema: the public table is on
    every tenant's search path, so both commit or neither does.
    """

    schema_name = models.CharField(max_length=63)
    year = models.PositiveSmallIntegerField()
    entry = models.CharField(max_length=40, help_text="When the year was entered (its version).")
    recounted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schema_name", "year", "entry"], name="one_recount_per_schema_and_entry"
            )
        ]

    def __str__(self):
        return f"{self.schema_name} {self.year} {self.entry}"
