"""The pages of network demands on a sub-platform's site and on the hub: the enterprise's one
timeline, each unit's own copies, read-only once passed on, a 404 for every other unit."""

from django_tenants.utils import schema_context

from every_schema.network_demands import workflow as wf
from every_schema.network_demands.models import NetworkDemand

from ..conftest import ALPHA, BETA, HUB_HOST, HostClient, host_of
from .conftest import copy_at, deliver_all
from .test_crossing import file_online, step


def client_for(user, host):
    client = HostClient(host)
    client.force_login(user)
    return client


def test_the_enterprise_files_and_reads_one_timeline_across_units(net, firm_a):
    client = client_for(firm_a.user, host_of(ALPHA))
    response = client.post(
        "/network-demands/new/",
        {
            "title": "厂房用地规划",
            "description": "需要自然资源局确认",
            "reference": "2b1f4c7e-6a51-4f0e-9d55-0c1c7a3b9e10",
        },
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        demand = NetworkDemand.objects.get(reference="2b1f4c7e-6a51-4f0e-9d55-0c1c7a3b9e10")
    deliver_all(demand.reference)
    step(
        net.alpha,
        demand,
        wf.DISPATCH,
        net.alpha_staff,
        category="land",
        to_unit=net.land.pk,
        comment="派往自然资源局",
    )
    step(net.land, demand, wf.SIGN, net.land_staff)
    step(net.land, demand, wf.TRANSFER, net.land_staff, to_unit=net.beta.pk, comment="属地核实")
    page = client.get(f"/network-demands/{demand.pk}/").content.decode()
    # Who holds it now, and every dispatch and transfer with its reason.
    assert net.beta.name in page and "派往自然资源局" in page and "属地核实" in page
    assert page.count('data-action="') == 4


def test_bad_filing_is_a_400_with_the_fields(net, firm_a):
    client = client_for(firm_a.user, host_of(ALPHA))
    response = client.post("/network-demands/new/", {"title": "", "description": ""})
    assert response.status_code == 400


def test_a_unit_that_passed_it_on_reads_only_and_others_see_nothing(net, firm_a):
    demand = file_online(firm_a)
    step(
        net.alpha, demand, wf.DISPATCH, net.alpha_staff, category="land", to_unit=net.land.pk, comment="派单"
    )
    step(net.land, demand, wf.SIGN, net.land_staff)
    step(net.land, demand, wf.TRANSFER, net.land_staff, to_unit=net.beta.pk, comment="转办乙园")
    land_copy = copy_at(net.land, demand.reference)
    land = client_for(net.land_staff, HUB_HOST)
    page = land.get(f"/network-demands/{land_copy.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "转办乙园" in text and 'name="action"' not in text  # read-only: no step offered
    # What happened after the land desk let go is not in its copy.
    step(net.beta, demand, wf.SIGN, net.beta_staff)
    step(net.beta, demand, wf.ANSWER, net.beta_staff, comment="乙园的答复内容")
    assert "乙园的答复内容" not in land.get(f"/network-demands/{land_copy.pk}/").content.decode()
    # The tech desk (same hub schema) never held it: 404, and it is not in its list.
    tech = client_for(net.tech_staff, HUB_HOST)
    assert tech.get(f"/network-demands/{land_copy.pk}/").status_code == 404
    assert demand.title not in tech.get("/network-demands/").content.decode()
    # Beta's staff see beta's copy; its pk on alpha's site means nothing to them.
    beta_copy = copy_at(net.beta, demand.reference)
    beta = client_for(net.beta_staff, host_of(BETA))
    assert beta.get(f"/network-demands/{beta_copy.pk}/").status_code == 200
    assert "乙园的答复内容" in beta.get(f"/network-demands/{beta_copy.pk}/").content.decode()


def test_the_holder_acts_from_its_page_and_a_repeat_is_a_409(net, firm_a):
    demand = file_online(firm_a)
    step(
        net.alpha, demand, wf.DISPATCH, net.alpha_staff, category="land", to_unit=net.land.pk, comment="派单"
    )
    land_copy = copy_at(net.land, demand.reference)
    land = client_for(net.land_staff, HUB_HOST)
    assert 'value="sign"' in land.get(f"/network-demands/{land_copy.pk}/").content.decode()
    url = f"/network-demands/{land_copy.pk}/act/"
    assert land.post(url, {"action": "sign", "expected_status": "dispatched"}).status_code == 302
    assert land.post(url, {"action": "sign", "expected_status": "dispatched"}).status_code == 409
    assert land.post(url, {"action": "answer", "expected_status": "handling"}).status_code == 400  # no answer


def test_the_supervision_board_ranking_and_figures(net, firm_a):
    demand = file_online(firm_a)
    step(
        net.alpha, demand, wf.DISPATCH, net.alpha_staff, category="land", to_unit=net.land.pk, comment="派单"
    )
    with schema_context("public"):  # the time limit passed (as if 16 working days went by)
        NetworkDemand.objects.filter(reference=demand.reference).update(
            due_at="2020-01-01T09:00:00+08:00", max_due_at="2020-02-01T09:00:00+08:00"
        )
    hub = client_for(net.supervisor, HUB_HOST)
    board = hub.get("/network-demands/supervision/").content.decode()
    assert demand.title in board and net.land.name in board
    figures = hub.get("/network-demands/figures/?by=unit")
    assert figures.status_code == 200 and net.land.name in figures.content.decode()
    csv = hub.get("/network-demands/figures.csv?by=category")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    # A desk's staff are no supervisors: the board is not there for them.
    assert client_for(net.land_staff, HUB_HOST).get("/network-demands/supervision/").status_code == 404
