from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StripeEventsConfig(AppConfig):
    """Stripe's side of payments, kept in the public schema: the one webhook endpoint and its event log.

    The webhook arrives on the hub host before anyone knows which tenant it concerns, so the
    log of events (unique by Stripe's event id) lives in a shared table. Everything a tenant
    owns — services, subscriptions, payments, vouchers — stays in the tenant's billing app.
    """

    name = "public_schema.stripe_events"
    # The label keeps its first name so tables and migration history keep theirs.
    label = "payments"
    verbose_name = _("Stripe events")
