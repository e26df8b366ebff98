"""Which tenants the hub's figures cover: the filters every page, export and API call share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from public_schema.tenants.models import Tenant

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUS_ALL, STATUS_ACTIVE, STATUS_SUSPENDED = "all", "active", "suspended"


@dataclass(frozen=True)
class HubFilters:
    """What every hub page, export and API call can narrow the figures to.

    date_from / date_to are inclusive calendar days in Shanghai time. status "all"
    lists suspended tenants too (marked as such); "active" leaves them out.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str | None = None
    status: str = STATUS_ALL
    slug: str | None = None  # one tenant (drill-down)

    def bounds(self) -> dict:
        start_date = self.date_from or dt.date(1970, 1, 1)
        end_date = self.date_to or dt.date(2199, 12, 31)
        return {
            "start": dt.datetime.combine(start_date, dt.time.min, tzinfo=SHANGHAI),
            "end": dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI),
            "start_date": start_date,
            "end_date": end_date,
            "now": timezone.now(),
        }


@dataclass(frozen=True, slots=True)
class HubTenant:
    """A tenant as the hub's figures name it: read with values_list, since building 1,000
    model instances costs more than the rollup statements that follow."""

    pk: int
    schema_name: str
    name: str
    kind: str
    status: str

    @property
    def id(self) -> int:
        return self.pk

    @property
    def is_suspended(self) -> bool:
        return self.status == Tenant.Status.SUSPENDED

    def get_kind_display(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    def get_status_display(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


# Lazy labels, translated when printed (Tenant.Kind.choices builds its list on every call).
KIND_LABELS = dict(Tenant.Kind.choices)
STATUS_LABELS = dict(Tenant.Status.choices)


def hub_tenants(*, filters: HubFilters) -> list[HubTenant]:
    # Sub-platforms and parks: service institutions hold no enterprises, programmes or demands,
    # and their own figures (orders, ratings, vouchers redeemed) are the network's evaluation.
    tenants = Tenant.objects.live().exclude(kind=Tenant.Kind.INSTITUTION).order_by("kind", "created_at", "pk")
    if filters.kind:
        tenants = tenants.filter(kind=filters.kind)
    if filters.status in (STATUS_ACTIVE, STATUS_SUSPENDED):
        tenants = tenants.filter(status=filters.status)
    if filters.slug:
        tenants = tenants.filter(schema_name=filters.slug)
    return [HubTenant(*row) for row in tenants.values_list("pk", "schema_name", "name", "kind", "status")]
