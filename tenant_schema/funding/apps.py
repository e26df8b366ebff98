from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "tenant_schema.funding"
    verbose_name = _("Programmes")

    def ready(self):
        from . import handoff_receivers  # noqa: F401  (registers the kinds this app receives)
