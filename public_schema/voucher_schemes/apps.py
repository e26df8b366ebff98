from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoucherSchemesConfig(AppConfig):
    """Network vouchers (创新券 / 服务券): schemes, grants, spending on orders and claims for settlement."""

    name = "public_schema.voucher_schemes"
    label = "voucher_schemes"
    verbose_name = _("Network vouchers")

    def ready(self):
        # The institution dashboard's card of claims (public_schema.network.dashboard_sections).
        from . import dashboard  # noqa: F401
