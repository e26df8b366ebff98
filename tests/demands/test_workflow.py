"""The demand workflow: deadlines in working days, extension, rating, reopening, silence, history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from saas.workflow import TransitionRefused
from tenant_schema.demands.models import Demand, DemandEvent
from tenant_schema.demands.selectors import demand_get_for_user, demand_supervision_list, demand_timeline
from tenant_schema.demands.services import category_policy_set, demands_close_unrated

from .conftest import act, at, file_for

S = Demand.Status


def test_the_whole_way_from_filing_to_a_satisfied_close(clock, enterprise_x, reviewer, park_admin):
    demand = file_for(enterprise_x)
    assert demand.status == S.SUBMITTED and demand.first_reply_due_at is None  # no clock before acceptance
    demand = act(demand, "accept", park_admin, handler_id=reviewer.pk, department="市政公用事业科")
    assert (demand.status, demand.handler, demand.department) == (S.ACCEPTED, reviewer, "市政公用事业科")
    demand = act(demand, "reply", reviewer, comment="已联系市政部门，明天现场查看。")
    assert demand.status == S.IN_PROGRESS and demand.first_replied_at == clock.now
    demand = act(demand, "answer", reviewer, comment="排水管道已疏通，道路已修复。")
    assert demand.status == S.ANSWERED and demand.answer == "排水管道已疏通，道路已修复。"
    demand = act(demand, "rate", enterprise_x.user, rating="satisfied", comment="处理及时")
    assert (
        demand.status == S.CLOSED
        and not demand.closed_without_rating
        and str(demand.status_label) == "已关闭"
    )
    assert list(
        DemandEvent.objects.filter(demand=demand).values_list("action", "from_status", "to_status")
    ) == [
        ("file", "", "submitted"),
        ("accept", "submitted", "accepted"),
        ("reply", "accepted", "in_progress"),
        ("answer", "in_progress", "answered"),
        ("rate", "answered", "closed"),
    ]


def test_deadlines_count_working_days_across_mid_autumn_national_day_and_a_make_up_saturday(
    clock, enterprise_x, park_admin
):
    # Accepted on Thursday 24 September 2026. 25–27 September are the Mid-Autumn holiday (27th a
    # Sunday), 1–7 October National Day; Saturday 10 October is a make-up workday.
    clock.set(at(2026, 9, 24, 10))
    demand = act(file_for(enterprise_x), "accept", park_admin)
    # First reply, 3 working days: 28, 29, 30 September.
    assert demand.first_reply_due_at == at(2026, 9, 30, 17, 30)
    # Resolution, 15 working days: 28–30 Sep (3), 8, 9, 10 Oct (6), 12–16 Oct (11), 19–22 Oct (15).
    assert demand.resolution_due_at == at(2026, 10, 22, 17, 30)

    # A park that wants financing demands answered faster: first reply in 1 working day.
    category_policy_set(category="financing", first_reply_days=1, resolution_days=3)
    clock.set(at(2026, 9, 30, 16))
    financing = act(file_for(enterprise_x, category="financing", title="流动资金贷款"), "accept", park_admin)
    assert financing.first_reply_due_at == at(2026, 10, 8, 17, 30)  # over the whole National Day week
    assert financing.resolution_due_at == at(2026, 10, 10, 17, 30)  # 8, 9 and the make-up Saturday
    clock.set(at(2026, 10, 9, 11))
    friday = act(file_for(enterprise_x, category="financing", title="贴息申请"), "accept", park_admin)
    assert friday.first_reply_due_at == at(2026, 10, 10, 17, 30)  # Saturday 10 October is a workday


def test_one_extension_with_a_reason_and_never_beyond_thirty_working_days(clock, enterprise_x, reviewer):
    clock.set(at(2026, 3, 2, 9))  # Monday
    demand = act(file_for(enterprise_x), "accept", reviewer)
    assert demand.resolution_due_at == at(2026, 3, 23, 17, 30)  # 15 working days
    with pytest.raises(ValidationError) as refused:
        act(demand, "extend", reviewer, extension_days=5, comment="")
    assert "comment" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        act(demand, "extend", reviewer, extension_days=16, comment="需要等待供电公司排期")
    assert (
        "extension_days" in refused.value.message_dict
        and "15" in refused.value.message_dict["extension_days"][0]
    )
    assert Demand.objects.get(pk=demand.pk).resolution_due_at == at(2026, 3, 23, 17, 30)  # unchanged

    demand = act(demand, "extend", reviewer, extension_days=15, comment="需要等待供电公司排期")
    assert demand.resolution_due_at == at(2026, 4, 14, 17, 30)  # 30 working days (Qingming: 6 April is off)
    assert demand.extension_reason == "需要等待供电公司排期"
    with pytest.raises(ValidationError) as refused:
        act(demand, "extend", reviewer, extension_days=1, comment="再延一次")
    assert "extension_days" in refused.value.message_dict
    event = DemandEvent.objects.filter(demand=demand, action="extend").get()
    assert event.due_at == at(2026, 4, 14, 17, 30) and event.comment == "需要等待供电公司排期"


def test_unsatisfied_reopens_with_a_fresh_resolution_deadline(clock, enterprise_x, reviewer):
    clock.set(at(2026, 3, 2, 9))
    demand = act(file_for(enterprise_x), "accept", reviewer)
    demand = act(demand, "answer", reviewer, comment="已转交供电公司。")
    with pytest.raises(ValidationError) as refused:
        act(demand, "rate", enterprise_x.user, rating="unsatisfied")
    assert "comment" in refused.value.message_dict  # the park must know what is still wrong
    clock.set(at(2026, 3, 4, 10))
    demand = act(demand, "rate", enterprise_x.user, rating="unsatisfied", comment="仍然停电，问题没有解决。")
    assert demand.status == S.REOPENED and demand.reopen_count == 1
    assert demand.resolution_due_at == at(2026, 3, 25, 17, 30)  # 15 working days from the reopening
    assert demand.rating == "unsatisfied"
    demand = act(demand, "answer", reviewer, comment="已更换变压器，恢复供电。")
    assert demand.status == S.ANSWERED and demand.rating == ""  # the new answer waits for a new rating
    demand = act(demand, "rate", enterprise_x.user, rating="basically_satisfied")
    assert demand.status == S.CLOSED
    ratings = list(
        DemandEvent.objects.filter(demand=demand, action="rate").values_list("rating", "to_status")
    )
    assert ratings == [("unsatisfied", "reopened"), ("basically_satisfied", "closed")]


def test_silence_for_five_working_days_closes_as_unrated(clock, enterprise_x, reviewer):
    clock.set(at(2026, 9, 29, 10))
    demand = act(act(file_for(enterprise_x), "accept", reviewer), "answer", reviewer, comment="已处理。")
    # 5 working days after 29 September: 30 Sep, 8, 9, 10 (make-up Saturday), 12 October.
    assert demand.rating_due_at == at(2026, 10, 12, 17, 30)
    clock.set(at(2026, 10, 12, 17, 0))
    assert demands_close_unrated() == 0
    clock.set(at(2026, 10, 12, 17, 31))
    assert demands_close_unrated() == 1
    assert demands_close_unrated() == 0  # a second run finds nothing left
    demand = Demand.objects.get(pk=demand.pk)
    assert demand.status == S.CLOSED and demand.closed_without_rating and demand.rating == ""
    assert str(demand.status_label) == "未评价自动办结" and demand.status_key == "closed_unrated"
    event = DemandEvent.objects.filter(demand=demand).last()
    assert (event.action, event.actor, event.to_status) == ("close_unrated", None, "closed")
    with pytest.raises(TransitionRefused):
        act(demand, "rate", enterprise_x.user, rating="satisfied")  # too late to rate


def test_history_rows_cannot_be_updated_or_deleted_even_with_raw_sql(enterprise_x, reviewer):
    demand = act(file_for(enterprise_x), "accept", reviewer)
    event = DemandEvent.objects.filter(demand=demand, action="accept").get()
    for statement in (
        f"UPDATE demands_demandevent SET comment = 'forged', actor_id = NULL WHERE id = {event.pk}",
        f"DELETE FROM demands_demandevent WHERE id = {event.pk}",
        f"DELETE FROM demands_demandevent WHERE demand_id = {demand.pk}",
    ):
        with (
            pytest.raises(ProgrammingError, match="pgtrigger"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert DemandEvent.objects.filter(demand=demand).count() == 2
    assert DemandEvent.objects.get(pk=event.pk).actor == reviewer


@pytest.mark.parametrize(
    ("setup", "action", "who"),
    [
        ([], "answer", "reviewer"),  # not accepted yet
        ([], "rate", "owner"),
        (["accept"], "accept", "reviewer"),
        (["accept"], "rate", "owner"),  # nothing to rate before an answer
        (["accept"], "answer", "owner"),  # the enterprise does not answer its own demand
        (["accept"], "answer", "other_reviewer"),  # a reviewer acts on demands that are theirs
        (["accept", "answer"], "rate", "reviewer"),  # only the enterprise rates
        (["accept", "answer"], "rate", "outsider"),  # and only its own demand
        (["accept", "answer"], "extend", "reviewer"),
        (["accept", "answer", "rate"], "answer", "reviewer"),  # closed is closed
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(
    enterprise_x, enterprise_y, reviewer, other_reviewer, setup, action, who
):
    people = {
        "owner": enterprise_x.user,
        "reviewer": reviewer,
        "other_reviewer": other_reviewer,
        "outsider": enterprise_y.user,
    }
    demand = file_for(enterprise_x)
    for step in setup:
        actor = enterprise_x.user if step == "rate" else reviewer
        act(demand, step, actor, comment="处理意见", rating="satisfied")
    before = Demand.objects.get(pk=demand.pk)
    events = DemandEvent.objects.filter(demand=demand).count()
    with pytest.raises((TransitionRefused, ValidationError)):
        act(demand, action, people[who], comment="处理意见", rating="satisfied", extension_days=3)
    after = Demand.objects.get(pk=demand.pk)
    assert (after.status, after.resolution_due_at) == (before.status, before.resolution_due_at)
    assert DemandEvent.objects.filter(demand=demand).count() == events


def test_the_administrator_reassigns_and_the_new_handler_takes_over(
    enterprise_x, park_admin, reviewer, other_reviewer
):
    demand = act(file_for(enterprise_x), "accept", reviewer)
    with pytest.raises(TransitionRefused):
        act(demand, "assign", other_reviewer, handler_id=other_reviewer.pk)  # not theirs to take
    with pytest.raises(ValidationError):
        act(demand, "assign", park_admin, handler_id=enterprise_x.user.pk)  # handlers are park staff
    demand = act(demand, "assign", park_admin, handler_id=other_reviewer.pk, department="人社局")
    assert (demand.handler, demand.department, demand.status) == (other_reviewer, "人社局", S.ACCEPTED)
    with pytest.raises(TransitionRefused):
        act(demand, "answer", reviewer, comment="答复")
    assert act(demand, "answer", other_reviewer, comment="答复").status == S.ANSWERED


def test_red_amber_green_against_the_next_deadline_and_the_supervision_list(clock, enterprise_x, reviewer):
    clock.set(at(2026, 3, 2, 9))  # Monday; first reply due Thursday 5 March 17:30
    demand = act(file_for(enterprise_x), "accept", reviewer)
    assert demand_get_for_user(user=reviewer, pk=demand.pk).rag == "green"
    clock.set(at(2026, 3, 3, 9))  # due within 2 working days
    assert demand_get_for_user(user=reviewer, pk=demand.pk).rag == "amber"
    clock.set(at(2026, 3, 5, 17, 31))
    overdue = demand_get_for_user(user=reviewer, pk=demand.pk)
    assert overdue.rag == "red" and overdue.next_due_at == at(2026, 3, 5, 17, 30)
    assert list(demand_supervision_list()) == [overdue]
    act(
        demand, "reply", reviewer, comment="已受理，正在协调。"
    )  # late, but the next deadline is the resolution
    replied = demand_get_for_user(user=reviewer, pk=demand.pk)
    assert replied.rag == "green" and replied.next_due_at == at(2026, 3, 23, 17, 30)
    assert list(demand_supervision_list()) == []
    timeline = demand_timeline(demand=replied)
    first_reply = next(m for m in timeline.milestones if m.key == "first_reply")
    assert first_reply.state == "done" and first_reply.late
    answer = next(m for m in timeline.milestones if m.key == "resolution")
    assert answer.state == "current" and answer.working_days_left == 12
