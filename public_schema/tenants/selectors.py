"""Reads of the tenant registry."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Tenant


def tenant_list_live(*, kind: str | None = None, status: str | None = None) -> QuerySet[Tenant]:
    tenants = Tenant.objects.live().prefetch_related("domains").order_by("kind", "created_at")
    if kind:
        tenants = tenants.filter(kind=kind)
    if status:
        tenants = tenants.filter(status=status)
    return tenants


def tenant_schema_names_live() -> list[str]:
    """The schema of every live tenant, for the beat tasks that fan a job out to each one."""
    return list(Tenant.objects.live().order_by("pk").values_list("schema_name", flat=True))


def tenant_get_live(*, slug: str) -> Tenant:
    """A live tenant by slug; spares, the template and the hub are a 404 like any unknown slug."""
    try:
        return Tenant.objects.live().get(schema_name=slug)
    except Tenant.DoesNotExist:
        raise Http404("No such tenant") from None


def spare_pool_size() -> int:
    return Tenant.objects.spares().count()


def tenant_status_history(*, tenant: Tenant, limit: int = 20) -> list:
    """The latest suspensions and reactivations of `tenant`, newest first, with who made them."""
    return list(tenant.status_history.select_related("actor").order_by("-created_at", "-pk")[:limit])


def tenant_export_get(*, tenant: Tenant, pk: int):
    """One export of `tenant`; another tenant's export, or none, is the same 404."""
    from .models import TenantExport

    try:
        return TenantExport.objects.get(tenant=tenant, pk=pk)
    except TenantExport.DoesNotExist:
        raise Http404("No such export") from None


def tenant_export_list(*, tenant: Tenant, limit: int = 50) -> list:
    return list(tenant.exports.order_by("-created_at", "-pk")[:limit])
