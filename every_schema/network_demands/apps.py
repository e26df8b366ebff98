from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkDemandsConfig(AppConfig):
    """Demands across the network's units: one copy per unit, in that unit's schema (the hub's desks too)."""

    name = "every_schema.network_demands"
    label = "network_demands"
    verbose_name = _("Network demands")

    def ready(self):
        # The receiver of "ndemand.event" registers with public_schema.network.handoffs.
        from . import handoff_receivers  # noqa: F401
