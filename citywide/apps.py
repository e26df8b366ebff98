from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitywideConfig(AppConfig):
    name = "citywide"
    verbose_name = _("City-wide programmes")
