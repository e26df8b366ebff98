from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "tenant_schema.eligibility"
    # The label keeps its first name so tables and migration history keep theirs.
    label = "matching"
    verbose_name = _("Policy matching")

    def ready(self):
        from . import signals  # noqa: F401  (免申即享 when a programme opens)
