"""City-wide programmes, published by the hub and copied into each chosen tenant (public schema).

A share names a tenant and its part of the budget, and the envelope (public_schema.network's
Handoff) that carries the programme into the tenant's schema: the envelope's state is the
share's delivery (pending until the tenant's copy exists, then delivered with the copy's id).
One envelope per share (its idempotency key) and one copy per city programme in a tenant
(a unique key there) make the fan-out happen once per tenant however often it runs.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CityProgramme(models.Model):
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, default="subsidy")
    description = models.TextField(_("description"), blank=True)
    policy_document = models.CharField(_("policy document"), max_length=300, blank=True)
    per_enterprise_cap = models.DecimalField(
        _("cap per enterprise (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    stages = models.JSONField(_("stages"), default=list, blank=True)
    eligibility_rules = models.JSONField(_("eligibility rules"), default=dict, blank=True)
    no_application_needed = models.BooleanField(_("no application needed (免申即享)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("city-wide programme")
        verbose_name_plural = _("city-wide programmes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def delivered_count(self) -> int:
        """Tenants whose copy exists (uses the prefetched shares and envelopes of the list page)."""
        return sum(share.is_delivered for share in self.shares.all())


class CityProgrammeShare(models.Model):
    """A tenant chosen to receive the programme, with its share of the budget."""

    city_programme = models.ForeignKey(CityProgramme, on_delete=models.CASCADE, related_name="shares")
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="city_programme_shares"
    )
    budget = models.DecimalField(_("budget share (CNY)"), max_digits=16, decimal_places=2)
    # The envelope that carries the copy into the tenant: pending, delivered (result: programme_id) or refused.
    handoff = models.OneToOneField(
        "network.Handoff",
        verbose_name=_("handoff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="city_programme_share",
    )

    class Meta:
        verbose_name = _("budget share")
        verbose_name_plural = _("budget shares")
        constraints = [
            models.UniqueConstraint(fields=["city_programme", "tenant"], name="one_share_per_tenant")
        ]

    def __str__(self):
        return f"{self.city_programme} → {self.tenant}"

    @property
    def is_delivered(self) -> bool:
        return self.handoff is not None and self.handoff.state == "delivered"

    @property
    def programme_id(self) -> int | None:
        """The tenant's copy, once delivered."""
        return self.handoff.result.get("programme_id") if self.is_delivered else None


class CityProgrammeDelivery(models.Model):
    """Before handoffs: the tenant's own copy exists (its Programme id in the tenant's schema).

    No longer written: the share's envelope is the delivery now (migration 0002 copied these
    rows into delivered envelopes). Kept while the previous release may still run; the
    contract step of the next release deletes it.
    """

    city_programme = models.ForeignKey(CityProgramme, on_delete=models.CASCADE, related_name="deliveries")
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="city_programme_deliveries"
    )
    programme_id = models.PositiveIntegerField(_("programme in the tenant"))
    delivered_at = models.DateTimeField(_("delivered"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["city_programme", "tenant"], name="one_delivery_per_tenant")
        ]

    def __str__(self):
        return f"{self.city_programme} → {self.tenant} #{self.programme_id}"
