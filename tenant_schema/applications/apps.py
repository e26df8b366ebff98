from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "tenant_schema.applications"
    verbose_name = _("Applications")

    def ready(self):
        from saas.workdays import calendar_changed

        calendar_changed.connect(_calendar_changed, dispatch_uid="applications_deadlines_recount")


def _calendar_changed(sender, year, previous, **kwargs):
    from django.db import connection

    if connection.schema_name == "public":
        return  # applications live in the tenants' schemas
    from .services import application_deadlines_recount

    application_deadlines_recount(previous=previous)
