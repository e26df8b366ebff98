from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingUnitsConfig(AppConfig):
    """The network's handling units of demands (承办单位): sub-platforms, parks, hub desks, institutions."""

    name = "public_schema.handling_units"
    label = "handling_units"
    verbose_name = _("Handling units")

    def ready(self):
        from . import signals  # noqa: F401
