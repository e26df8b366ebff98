from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeFormsConfig(AppConfig):
    name = "tenant_schema.programme_forms"
    label = "programme_forms"
    verbose_name = _("Programme forms and guides")
