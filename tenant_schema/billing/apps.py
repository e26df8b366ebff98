from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "tenant_schema.billing"
    verbose_name = _("Value-added services")
