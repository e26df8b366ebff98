from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "tenant_schema.demands"
    verbose_name = _("Demands")

    def ready(self):
        from saas.workdays import calendar_changed

        calendar_changed.connect(_calendar_changed, dispatch_uid="demands_deadlines_recount")


def _calendar_changed(sender, year, previous, **kwargs):
    from django.db import connection

    if connection.schema_name == "public":
        return  # demands live in the tenants' schemas
    from .services import demand_deadlines_recount

    demand_deadlines_recount(previous=previous)
