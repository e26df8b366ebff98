"""Every live sub-platform, park and institution is a handling unit from the moment it goes live."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from public_schema.tenants.models import Tenant

from .services import unit_for_tenant


@receiver(post_save, sender=Tenant, dispatch_uid="handling_unit_for_live_tenant")
def handling_unit_for_live_tenant(sender, instance: Tenant, **kwargs) -> None:
    if instance.slot == Tenant.Slot.LIVE and instance.kind != Tenant.Kind.HUB and instance.pk:
        unit_for_tenant(tenant=instance)
