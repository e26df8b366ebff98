"""A demand crosses the network's units: dispatched, signed for, transferred, sent back, extended,
answered, rated; each unit's copy in its own schema, once per step however often delivered."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.network_demands import workflow as wf
from every_schema.network_demands.handoff_receivers import demand_event_received
from every_schema.network_demands.models import NetworkDemand, NetworkDemandHistory
from every_schema.network_demands.services import OutOfOrder, demand_file, demand_step
from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff
from public_schema.network.tasks import handoff_deliver_task
from saas.workflow import StaleAction, TransitionRefused

from ..conftest import ALPHA
from .conftest import copy_at, deliver_all, schema_of

S = NetworkDemand.Status


def file_online(firm, **fields) -> NetworkDemand:
    with schema_context(ALPHA):
        return demand_file(
            actor=firm.user,
            enterprise=firm.enterprise,
            title=fields.pop("title", "厂房用地审批迟迟没有答复"),
            description="我们在胶东街道的扩建用地需要自然资源局确认规划。",
            **fields,
        )


def step(unit, demand, action, actor, **fields):
    with schema_context(schema_of(unit)):
        copy = NetworkDemand.objects.get(reference=demand.reference, unit_id=unit.pk)
        saved = demand_step(demand=copy, action=action, actor=actor, **fields)
    deliver_all(demand.reference)
    return saved


def test_filing_makes_the_origin_copy_and_the_supervision_copy(net, firm_a):
    demand = file_online(firm_a)

    assert demand.status == S.RECEIVED and demand.holder_unit_id == net.alpha.pk
    assert demand.enterprise_id == firm_a.enterprise.pk and demand.channel == "online"
    (envelope,) = Handoff.objects.filter(reference=demand.reference)
    assert envelope.kind == "ndemand.event" and envelope.receiver.schema_name == "public"
    assert "enterprise_id" not in envelope.payload["snapshot"]  # the id is the sub-platform's own
    assert deliver_all(demand.reference) == 1
    watch = copy_at(net.supervision, demand.reference)
    assert watch.enterprise_id is None and watch.enterprise_name == firm_a.enterprise.name
    assert watch.due_at == demand.due_at


def test_dispatch_sign_transfer_sendback_extension_answer_rate(net, firm_a):
    demand = file_online(firm_a)
    deliver_all(demand.reference)
    step(
        net.alpha,
        demand,
        wf.DISPATCH,
        net.alpha_staff,
        category="land",
        to_unit=net.tech.pk,
        comment="涉及规划",
    )
    tech = copy_at(net.tech, demand.reference)
    assert tech.status == S.DISPATCHED and tech.is_held_here and tech.sign_due_at is not None
    # Not theirs: the tech desk sends it back; the park re-dispatches it to the land desk.
    step(net.tech, demand, wf.SEND_BACK, net.tech_staff, comment="不属于科技局职责")
    assert copy_at(net.alpha, demand.reference).status == S.RETURNED
    step(net.alpha, demand, wf.DISPATCH, net.alpha_staff, to_unit=net.land.pk, comment="改派自然资源局")
    step(net.land, demand, wf.SIGN, net.land_staff)
    land = copy_at(net.land, demand.reference)
    assert land.status == S.HANDLING and land.dispatcher_unit_id == net.alpha.pk
    # Transfer to beta: the clock does not restart.
    step(net.land, demand, wf.TRANSFER, net.land_staff, to_unit=net.beta.pk, comment="需属地街道现场核实")
    beta = copy_at(net.beta, demand.reference)
    assert beta.due_at == demand.due_at and beta.transfer_count == 1
    step(net.beta, demand, wf.SIGN, net.beta_staff)
    step(net.beta, demand, wf.REQUEST_EXTENSION, net.beta_staff, extension_days=10, comment="需现场测绘")
    assert copy_at(net.alpha, demand.reference).extension == "requested"
    step(net.alpha, demand, wf.APPROVE_EXTENSION, net.alpha_staff)
    beta = copy_at(net.beta, demand.reference)
    assert beta.extension == "approved" and demand.due_at < beta.due_at <= beta.max_due_at
    step(net.beta, demand, wf.ANSWER, net.beta_staff, comment="已现场核实，规划调整已报批。")
    origin = copy_at(net.alpha, demand.reference)
    assert (
        origin.status == S.ANSWERED and origin.answered_by_unit_id == net.beta.pk and origin.answered_on_time
    )
    # The enterprise is unsatisfied: 重办 at beta, counted against it.
    step(net.alpha, demand, wf.RATE, firm_a.user, rating="unsatisfied")
    beta = copy_at(net.beta, demand.reference)
    assert beta.status == S.HANDLING and beta.reopen_count == 1 and beta.reopened_unit_id == net.beta.pk
    step(net.beta, demand, wf.ANSWER, net.beta_staff, comment="规划调整已批复。")
    step(net.alpha, demand, wf.RATE, firm_a.user, rating="satisfied")
    for unit in (net.alpha, net.beta, net.supervision):
        copy = copy_at(unit, demand.reference)
        assert copy.status == S.CLOSED and copy.rating == "satisfied", unit
    # The land desk passed it on: its copy stops at its own transfer, read-only.
    land = copy_at(net.land, demand.reference)
    assert land.status == S.DISPATCHED and land.holder_unit_id == net.beta.pk
    with schema_context("public"):
        actions = list(NetworkDemandHistory.objects.filter(demand=land).values_list("action", flat=True))
    assert actions == [wf.DISPATCH, wf.SIGN, wf.TRANSFER]
    # The enterprise's copy heard every step, in order.
    with schema_context(ALPHA):
        timeline = list(
            NetworkDemandHistory.objects.filter(demand__pk=origin.pk).values_list("action", flat=True)
        )
    assert timeline == [
        wf.FILE,
        wf.DISPATCH,
        wf.SEND_BACK,
        wf.DISPATCH,
        wf.SIGN,
        wf.TRANSFER,
        wf.SIGN,
        wf.REQUEST_EXTENSION,
        wf.APPROVE_EXTENSION,
        wf.ANSWER,
        wf.RATE,
        wf.ANSWER,
        wf.RATE,
    ]
    assert Handoff.objects.filter(reference=demand.reference).exclude(state="delivered").count() == 0


def test_each_unit_takes_only_its_own_steps(net, firm_a):
    demand = file_online(firm_a)
    step(
        net.alpha, demand, wf.DISPATCH, net.alpha_staff, category="land", to_unit=net.land.pk, comment="派单"
    )
    with schema_context("public"):
        land = NetworkDemand.objects.get(reference=demand.reference, unit_id=net.land.pk)
        with pytest.raises(TransitionRefused):  # the tech desk's staff are not the land desk's
            demand_step(demand=land, action=wf.SIGN, actor=net.tech_staff)
        with pytest.raises(TransitionRefused):  # nor is the supervisor a holder
            demand_step(demand=land, action=wf.SIGN, actor=net.supervisor)
        demand_step(demand=land, action=wf.SIGN, actor=net.land_staff, expected_status="dispatched")
        with pytest.raises(StaleAction):  # a double click
            demand_step(demand=land, action=wf.SIGN, actor=net.land_staff, expected_status="dispatched")
        with pytest.raises(ValidationError):  # a transfer needs a reason
            demand_step(demand=land, action=wf.TRANSFER, actor=net.land_staff, to_unit=net.beta.pk)
        with pytest.raises(ValidationError):  # an extension beyond 30 working days from filing
            demand_step(
                demand=land, action=wf.REQUEST_EXTENSION, actor=net.land_staff, extension_days=20, comment="x"
            )


def test_supervision_notice_reaches_the_holder_with_its_deadline(net, firm_a):
    demand = file_online(firm_a)
    step(
        net.alpha, demand, wf.DISPATCH, net.alpha_staff, category="land", to_unit=net.land.pk, comment="派单"
    )
    step(net.supervision, demand, wf.SUPERVISE, net.supervisor, deadline="2099-01-05", comment="请尽快签收")
    land = copy_at(net.land, demand.reference)
    assert land.supervision_count == 1 and land.supervised_due_at.year == 2099
    with schema_context(ALPHA):
        origin = NetworkDemand.objects.get(reference=demand.reference)
        row = origin.history.get(action=wf.SUPERVISE)
    assert row.comment == "请尽快签收" and row.due_at.year == 2099


def test_replaying_each_envelope_five_times_applies_it_once(net, firm_a):
    demand = file_online(firm_a)
    deliver_all(demand.reference)
    with schema_context(ALPHA):
        copy = NetworkDemand.objects.get(reference=demand.reference)
        demand_step(
            demand=copy,
            action=wf.DISPATCH,
            actor=net.alpha_staff,
            category="land",
            to_unit=net.land.pk,
            comment="派单",
        )
    connection.set_schema_to_public()
    envelopes = list(Handoff.objects.filter(reference=demand.reference, state="pending"))
    assert {e.payload["to_unit_id"] for e in envelopes} == {net.land.pk, net.supervision.pk}
    for envelope in envelopes:
        results = [handoff_deliver(handoff_id=envelope.pk) for _ in range(5)]
        results += [handoff_deliver_task.apply(kwargs={"handoff_id": envelope.pk}).get() for _ in range(5)]
        assert results == [True] + [False] * 9
        with schema_context("public"):
            for _ in range(5):  # even the receiver called again by hand
                demand_event_received(Handoff.objects.get(pk=envelope.pk))
    with schema_context("public"):
        assert NetworkDemand.objects.filter(reference=demand.reference).count() == 2  # land + supervision
        land = NetworkDemand.objects.get(reference=demand.reference, unit_id=net.land.pk)
        watch = NetworkDemand.objects.get(reference=demand.reference, unit_id=net.supervision.pk)
        assert land.history.count() == 1 and watch.history.count() == 2
        assert watch.status == S.DISPATCHED and watch.seq == 2


def test_a_step_that_arrives_before_its_predecessor_waits(net, firm_a):
    demand = file_online(firm_a)
    deliver_all(demand.reference)
    with schema_context(ALPHA):
        copy = NetworkDemand.objects.get(reference=demand.reference)
        demand_step(demand=copy, action=wf.HANDLE, actor=net.alpha_staff, category="land")
        copy.refresh_from_db()
        demand_step(demand=copy, action=wf.ANSWER, actor=net.alpha_staff, comment="已答复")
    connection.set_schema_to_public()
    handle, answer = Handoff.objects.filter(reference=demand.reference, state="pending").order_by("pk")
    with pytest.raises(OutOfOrder):
        handoff_deliver(handoff_id=answer.pk)
    answer.refresh_from_db()
    assert answer.state == "pending" and answer.attempts == 1
    assert handoff_deliver(handoff_id=handle.pk) and handoff_deliver(handoff_id=answer.pk)
    assert copy_at(net.supervision, demand.reference).status == S.ANSWERED


def test_staff_record_a_phone_demand_at_a_hub_desk(net):
    with schema_context("public"):
        demand = demand_file(
            actor=net.land_staff,
            unit=net.land,
            channel="phone",
            title="土地证办理咨询",
            description="电话反映",
            enterprise_name="青岛某机械有限公司",
        )
        with pytest.raises(ValidationError):  # the tech desk's staff cannot record at the land desk
            demand_file(
                actor=net.tech_staff,
                unit=net.land,
                channel="phone",
                title="x",
                description="y",
                enterprise_name="z",
            )
    assert demand.origin_unit_id == net.land.pk and demand.channel == "phone" and demand.enterprise_id is None
