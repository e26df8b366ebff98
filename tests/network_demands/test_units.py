"""The unit registry: desks are configured on the hub's admin; every live tenant is a unit."""

from public_schema.handling_units.models import HandlingUnit
from public_schema.handling_units.selectors import units_dispatchable

from ..conftest import HUB_HOST, HostClient, make_user


def test_the_hub_adds_a_desk_and_seats_its_staff_in_the_admin(net):
    root = make_user("public")
    root.is_superuser = root.is_staff = True
    root.save(update_fields=["is_superuser", "is_staff"])
    client = HostClient(HUB_HOST)
    client.force_login(root)
    response = client.post(
        "/admin/handling_units/handlingunit/add/",
        {
            "name": "商务局服务窗口",
            "code": "desk-shangwu",
            "is_active": "on",
            "sort_order": "100",
            "staff-TOTAL_FORMS": "1",
            "staff-INITIAL_FORMS": "0",
            "staff-0-user": str(net.tech_staff.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    desk = HandlingUnit.objects.get(code="desk-shangwu")
    assert desk.kind == "desk" and desk.tenant.schema_name == "public"
    assert list(desk.staff.values_list("user_id", flat=True)) == [net.tech_staff.pk]
    assert desk in units_dispatchable()
    assert client.get(f"/admin/handling_units/handlingunit/{desk.pk}/change/").status_code == 200


def test_every_live_tenant_is_a_unit_and_the_supervision_office_takes_no_demand(net, tenant_a, tenant_b):
    units = units_dispatchable()
    assert net.alpha in units and net.beta in units and net.supervision not in units
