from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "public_schema.hub"
    verbose_name = _("City hub")

    def ready(self):
        # The kernel announces committed changes and knows nothing of the hub: the hub listens.
        from saas.signals import record_committed, transition_committed

        transition_committed.connect(_tenant_changed, dispatch_uid="hub_rollup_transition_committed")
        record_committed.connect(_tenant_changed, dispatch_uid="hub_rollup_record_committed")

        from saas.workdays import calendar_changed

        calendar_changed.connect(_calendar_changed, dispatch_uid="hub_working_calendar_refresh")


def _tenant_changed(sender, **kwargs):
    """A change committed in a tenant (a workflow move, an enterprise written, a demand filed):
    refresh the tenant's rollups (debounced) when a figure reads the model's table."""
    from .figures import tables_read
    from .rollups import rollup_touch

    if sender._meta.db_table in tables_read():
        rollup_touch()


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
