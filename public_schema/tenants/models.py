"""The tenant registry: one row per schema, held in the public (hub) schema.

Besides live tenants (the hub itself, sub-platforms, parks, institutions) the registry
holds the template schema and the spare schemas of the provisioning pool. Those are
rows too, so that every `migrate` keeps them current; they have no domain, so no host
ever routes to them, and `Tenant.objects.live()` leaves them out of every list.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from saas.workflow import HistoryEntry, append_only_triggers


class TenantQuerySet(models.QuerySet):
    def live(self):
        """Tenants people use: sub-platforms, parks and institutions (not the hub, spares or the template)."""
        return self.filter(slot=Tenant.Slot.LIVE).exclude(kind=Tenant.Kind.HUB)

    def spares(self):
        return self.filter(slot=Tenant.Slot.SPARE)


class Tenant(TenantMixin):
    class Kind(models.TextChoices):
        HUB = "hub", _("City hub")
        DISTRICT = "district", _("Town / sub-district sub-platform")
        PARK = "park", _("Featured park")
        INSTITUTION = "institution", _("Service institution")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    class Slot(models.TextChoices):
        LIVE = "live", _("Live")
        SPARE = "spare", _("Spare (provisioning pool)")
        TEMPLATE = "template", _("Template")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    slot = models.CharField(_("slot"), max_length=20, choices=Slot.choices, default=Slot.LIVE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)

    # Schemas are created by public_schema.tenants.services (pool rename, template clone, or migrations),
    # never implicitly on save.
    auto_create_schema = False
    auto_drop_schema = False

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["slot", "created_at"])]

    def __str__(self):
        return self.name or self.schema_name

    @property
    def slug(self) -> str:
        return self.schema_name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class TenantStatusHistory(HistoryEntry):
    """Every suspension and reactivation of a tenant: who, when, why; append-only in PostgreSQL.

    `Tenant.status_reason` holds only the latest reason; this is the record a hub operator
    reads when asked why a sub-platform went offline last spring.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="status_history")

    class Meta(HistoryEntry.Meta):
        verbose_name = _("tenant status history")
        verbose_name_plural = _("tenant status history")
        triggers = append_only_triggers("tenant_status_history")
        indexes = [models.Index(fields=["tenant", "created_at"])]
