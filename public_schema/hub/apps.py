from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "public_schema.hub"
    verbose_name = _("City hub")

    def ready(self):
        from django.db.models.signals import post_save

        post_save.connect(_demand_filed, sender="demands.Demand", dispatch_uid="hub_rollup_demand_filed")

        from saas.workdays import calendar_changed

        calendar_changed.connect(_calendar_changed, dispatch_uid="hub_working_calendar_refresh")


def _calendar_changed(sender, year, previous, **kwargs):
    """The hub counts working days in SQL from its own day table: rewrite it when a year changes,
    and refresh each tenant's rollups, which store working days to decision."""
    from django.db import connection

    if connection.schema_name != "public":
        from .rollups import rollup_touch

        rollup_touch()
        return
    from .services import working_calendar_refresh

    working_calendar_refresh()


def _demand_filed(sender, instance, created, raw=False, **kwargs):
    """Filing a demand is no workflow transition (saas.workflow.transition_apply touches the
    rollups for those): refresh the tenant's hub rollups after the filing commits too."""
    if created and not raw:
        from .rollups import rollup_touch

        rollup_touch()
