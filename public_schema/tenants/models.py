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

# A tombstone's schema_name (public_schema.tenants.deletion): no slug ([a-z][a-z0-9]+) starts so.
TOMBSTONE_SCHEMA_PREFIX = "_deleted_"


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
        DELETED = "deleted", _("Deleted")

    class Slot(models.TextChoices):
        LIVE = "live", _("Live")
        SPARE = "spare", _("Spare (provisioning pool)")
        TEMPLATE = "template", _("Template")
        # A deleted tenant's registry row, kept so the append-only histories that name it
        # (status history, the network's admission history) stay whole; no schema, no domain.
        TOMBSTONE = "tombstone", _("Deleted (record kept)")

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
    # Deletion after a grace period (public_schema.tenants.deletion): set when an operator
    # schedules it (the tenant is suspended then), cleared when they cancel it.
    delete_after = models.DateTimeField(_("to be deleted after"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    # The slug the tenant had, on its tombstone (whose schema_name no slug can take).
    deleted_slug = models.CharField(_("address before deletion"), max_length=63, blank=True)

    # Schemas are created by public_schema.tenants.services (pool rename, template clone, or migrations),
    # never implicitly on save.
    auto_create_schema = False
    auto_drop_schema = False

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["slot", "created_at"]),
            # The nightly sweep's question: which suspended tenants are due for deletion.
            models.Index(
                fields=["delete_after"],
                condition=models.Q(delete_after__isnull=False),
                name="tenant_deletion_due",
            ),
        ]

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


class TenantExport(models.Model):
    """One export of a tenant requested through the hub API, and how far it has got.

    The archive (public_schema.tenants.lifecycle) is kept in the public storage prefix
    under `archive_name` and leaves only through the operator's checked download. Its
    progress is counted in tables; `error` says why it stopped. Not a status workflow: a
    job's progress, written by the one task that runs it.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="exports")
    requested_by_label = models.CharField(_("requested by"), max_length=200, blank=True)
    final = models.BooleanField(_("final export before deletion"), default=False)
    tables_total = models.PositiveIntegerField(default=0)
    tables_done = models.PositiveIntegerField(default=0)
    rows = models.PositiveBigIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)
    archive_name = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tenant export")
        verbose_name_plural = _("tenant exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.tenant} #{self.pk}"

    @property
    def state(self) -> str:
        if self.error:
            return "failed"
        if self.finished_at:
            return "done"
        return "running" if self.started_at else "queued"
