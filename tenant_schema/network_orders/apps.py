from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkOrdersConfig(AppConfig):
    """Orders from a sub-platform's enterprises to the network's institutions, one row per side."""

    name = "tenant_schema.network_orders"
    label = "network_orders"
    verbose_name = _("Network orders")

    def ready(self):
        # The receivers of "order.placed" and "order.event" register with public_schema.network.handoffs.
        from . import dashboard, handoff_receivers  # noqa: F401
