from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """After the award: tranches (分期拨付), reports, acceptance (验收) and recovery (追回)."""

    name = "tenant_schema.awards"
    label = "awards"
    verbose_name = _("Awards after approval")
