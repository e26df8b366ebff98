from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CityProgrammesConfig(AppConfig):
    name = "public_schema.city_programmes"
    # The label keeps its first name so tables and migration history keep theirs.
    label = "citywide"
    verbose_name = _("City-wide programmes")
