"""While the fan-out runs the hub's list says so (n of m); a programme opening later is not 申报中 in a tenant."""

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from public_schema.city_programmes.services import city_programme_publish, city_programme_reference
from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff

from ..conftest import HUB_HOST, HostClient


def _delivery_cell(client) -> str:
    html = client.get("/city-programmes/").content.decode()
    return re.search(r'data-delivery="[^"]+">([^<]+)<', html).group(1)


def test_the_list_says_delivery_is_in_progress_until_every_tenant_has_its_copy(
    db, hub_operator, tenant_a, tenant_b, client_a, park_admin_a
):
    now = timezone.now()
    city_programme = city_programme_publish(
        actor=None,
        tenants=[tenant_a, tenant_b],
        budget="200000",
        title="全市明日开放的奖励",
        category="award",
        per_enterprise_cap=Decimal("10000.00"),
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    hub = HostClient(HUB_HOST)
    hub.force_login(hub_operator)
    assert _delivery_cell(hub) == "分发中（已送达 0 / 2）"
    first, second = Handoff.objects.filter(reference=city_programme_reference(city_programme)).order_by("pk")
    handoff_deliver(handoff_id=first.pk)
    assert _delivery_cell(hub) == "分发中（已送达 1 / 2）"
    handoff_deliver(handoff_id=second.pk)
    assert _delivery_cell(hub) == "已全部送达（2 个成员单位）"

    # In the tenant, the copy opens tomorrow: the park's list says it has not started.
    client_a.force_login(park_admin_a)
    html = client_a.get("/park/programmes/").content.decode()
    row = html[html.index("全市明日开放的奖励") :]
    row = row[: row.index("</tr>")]
    assert "未开始" in row and "申报中" not in row
