from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalendarConfig(AppConfig):
    name = "public_schema.workcalendar"
    verbose_name = _("Working-day calendar")

    def ready(self):
        from saas import workdays

        from .selectors import entered_schedules

        # The kernel counts working days; this app tells it the years the hub entered.
        workdays.calendar_provider_set(entered_schedules)
