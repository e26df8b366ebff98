from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """The network between tenants: envelopes (handoffs), the institution pool, the network catalogue."""

    name = "public_schema.network"
    label = "network"
    verbose_name = _("Service network")
