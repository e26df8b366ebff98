from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "public_schema.tenants"
    verbose_name = _("Tenants")

    def ready(self):
        # The kernel's checks (saas is no app of its own); tenants is installed everywhere.
        from saas import static_checks  # noqa: F401
