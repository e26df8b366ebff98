from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstallationConfig(AppConfig):
    """What makes one city's installation its own: the hub's and the platform's names, the contact."""

    name = "public_schema.installation"
    verbose_name = _("Installation")
