"""The network demands API: the same operations as the pages, and an outsider of every unit kind
(another sub-platform, another hub desk, a service institution, another enterprise) gets a 404."""

from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.network_demands import workflow as wf
from public_schema.handling_units.services import unit_for_tenant
from public_schema.network.models import InstitutionProfile
from public_schema.tenants.models import Tenant

from ..conftest import ALPHA, BETA, HUB_HOST, INST_A, HostClient, host_of, make_user
from ..factories import EnterpriseFactory
from .conftest import copy_at, deliver_all

API = "/api/v1/network-demands/"


def api_client(user, host):
    client = HostClient(host)
    client.force_login(user)
    return client


def test_the_whole_way_through_the_api_and_outsiders_get_404(net, firm_a):
    enterprise = api_client(firm_a.user, host_of(ALPHA))
    created = enterprise.post(
        API, {"title": "用地规划", "description": "需要自然资源局确认"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["holder_unit_name"] == net.alpha.name and body["actions"] == []
    reference, origin_pk = body["reference"], body["id"]
    deliver_all(reference)

    park = api_client(net.alpha_staff, host_of(ALPHA))
    assert "dispatch" in park.get(f"{API}{origin_pk}/").json()["actions"]
    moved = park.post(
        f"{API}{origin_pk}/dispatch/",
        {
            "category": "land",
            "to_unit": net.land.pk,
            "comment": "派往自然资源局",
            "expected_status": "received",
        },
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "dispatched"
    again = park.post(
        f"{API}{origin_pk}/dispatch/",
        {"category": "land", "to_unit": net.land.pk, "comment": "x", "expected_status": "received"},
        content_type="application/json",
    )
    assert again.status_code == 409
    deliver_all(reference)
    land_pk = copy_at(net.land, reference).pk
    desk = api_client(net.land_staff, HUB_HOST)
    assert desk.post(f"{API}{land_pk}/sign/", {}, content_type="application/json").status_code == 200
    answer = desk.post(f"{API}{land_pk}/answer/", {"comment": ""}, content_type="application/json")
    assert answer.status_code == 400

    # Outsiders of every unit kind: the same 404 as a demand that does not exist.
    tech = api_client(net.tech_staff, HUB_HOST)
    assert tech.get(f"{API}{land_pk}/").status_code == 404
    assert (
        tech.post(f"{API}{land_pk}/transfer/", {"comment": "x"}, content_type="application/json").status_code
        == 404
    )
    beta = api_client(net.beta_staff, host_of(BETA))
    assert beta.get(f"{API}{origin_pk}/").status_code == 404
    institution = Tenant.objects.get(schema_name=INST_A)
    InstitutionProfile.objects.update_or_create(
        tenant=institution, defaults={"status": InstitutionProfile.Status.ADMITTED}
    )
    unit_for_tenant(tenant=institution)
    inst_staff = api_client(make_user(INST_A, role=roles.INSTITUTION_STAFF), host_of(INST_A))
    assert inst_staff.get(API).status_code == 200 and inst_staff.get(API).json()["results"] == []
    assert inst_staff.get(f"{API}{origin_pk}/").status_code == 404
    with schema_context(ALPHA):
        neighbour = EnterpriseFactory(verified=True)
    assert api_client(neighbour.user, host_of(ALPHA)).get(f"{API}{origin_pk}/").status_code == 404
    # The enterprise follows who holds it now, with the reason of every move.
    deliver_all(reference)
    followed = enterprise.get(f"{API}{origin_pk}/").json()
    assert followed["holder_unit_name"] == net.land.name and followed["status"] == "handling"
    assert [row["action"] for row in followed["timeline"]] == [wf.FILE, wf.DISPATCH, wf.SIGN]
    # The hub's board and figures are the supervision office's.
    assert tech.get(f"{API}supervision/").status_code == 404
    supervisor = api_client(net.supervisor, HUB_HOST)
    assert supervisor.get(f"{API}supervision/").status_code == 200
    by_unit = supervisor.get(f"{API}figures/?by=unit").json()
    assert any(row["name"] == net.land.name for row in by_unit)
    assert supervisor.get(f"{API}figures/?by=nonsense").status_code == 400


def test_an_institution_handles_a_demand_dispatched_to_it(net, firm_a):
    institution = Tenant.objects.get(schema_name=INST_A)
    InstitutionProfile.objects.update_or_create(
        tenant=institution, defaults={"status": InstitutionProfile.Status.ADMITTED}
    )
    unit = unit_for_tenant(tenant=institution)
    enterprise = api_client(firm_a.user, host_of(ALPHA))
    body = enterprise.post(
        API, {"title": "融资对接", "description": "需要金融服务"}, content_type="application/json"
    ).json()
    park = api_client(net.alpha_staff, host_of(ALPHA))
    park.post(
        f"{API}{body['id']}/dispatch/",
        {"category": "financing", "to_unit": unit.pk, "comment": "派往服务机构"},
        content_type="application/json",
    )
    deliver_all(body["reference"])
    staff = api_client(make_user(INST_A, role=roles.INSTITUTION_STAFF), host_of(INST_A))
    (row,) = staff.get(API).json()["results"]
    assert row["held_here"] and row["status"] == "dispatched"
    assert staff.post(f"{API}{row['id']}/sign/", {}, content_type="application/json").status_code == 200
