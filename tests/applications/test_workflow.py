"""The application workflow: every legal move, a refusal for each illegal one, history, budget."""

import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.utils import ProgrammingError
from django_tenants.utils import schema_context

from saas.workflow import TransitionRefused
from tenant_schema.applications.models import Application, ApplicationEvent
from tenant_schema.applications.selectors import application_timeline

from ..conftest import ALPHA
from ..enterprises.conftest import register
from ..factories import ApplicationFactory, ProgrammeFactory
from .conftest import act, draft_for, make_programme

S = Application.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_approval(application, reviewer, park_admin, amount="80000.00"):
    act(application, "submit", application.applicant)
    act(application, "advance", reviewer)  # 受理 → 初审
    act(application, "advance", reviewer)  # 初审 → 专家评审
    return act(application, "approve", park_admin, amount=amount)


def test_an_enterprise_waiting_for_verification_cannot_apply(programme, in_alpha):
    from tenant_schema.applications.services import application_create

    pending = register(ALPHA)
    with pytest.raises(ValidationError) as refused:
        application_create(
            programme_id=programme.pk,
            enterprise=pending.enterprise,
            applicant=pending.user,
            requested_amount="1000",
        )
    assert "programme" in refused.value.message_dict


def test_the_whole_way_from_draft_to_disbursed(programme, enterprise_x, reviewer, park_admin):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    assert application.status == S.IN_REVIEW and application.current_stage.name == "受理"
    assert application.stage_due_at is not None
    application = act(application, "advance", reviewer)
    assert application.current_stage.name == "初审"
    application = act(application, "advance", reviewer)
    assert application.current_stage.name == "专家评审"
    application = act(application, "approve", park_admin, amount="80000.00")
    assert application.status == S.APPROVED and application.current_stage.name == "公示"
    assert application.approved_amount == Decimal("80000.00")
    application = act(application, "advance", park_admin)
    assert application.current_stage.name == "拨付"
    application = act(application, "disburse", park_admin)
    assert application.status == S.DISBURSED and application.disbursed_amount == Decimal("80000.00")
    actions = list(
        ApplicationEvent.objects.filter(application=application).values_list("action", "to_status")
    )
    assert actions == [
        ("submit", "in_review"),
        ("advance", "in_review"),
        ("advance", "in_review"),
        ("approve", "approved"),
        ("advance", "approved"),
        ("disburse", "disbursed"),
    ]


def test_return_needs_a_reason_and_resubmission_goes_back_to_the_same_stage(
    programme, enterprise_x, reviewer
):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    act(application, "advance", reviewer)
    with pytest.raises(ValidationError) as refused:
        act(application, "return", reviewer, comment="  ")
    assert "comment" in refused.value.message_dict
    returned = act(application, "return", reviewer, comment="请补充2025年度审计报告")
    assert returned.status == S.RETURNED and returned.stage_due_at is None
    again = act(application, "submit", enterprise_x.user)
    assert again.status == S.IN_REVIEW and again.current_stage.name == "初审"


@pytest.mark.parametrize(
    ("setup", "action", "who"),
    [
        ([], "advance", "reviewer"),  # a draft cannot be advanced
        ([], "approve", "park_admin"),
        ([], "return", "reviewer"),
        ([], "disburse", "park_admin"),
        (["submit"], "submit", "owner"),  # already in review
        (["submit"], "approve", "park_admin"),  # approval only at the last review stage
        (["submit"], "disburse", "park_admin"),
        (["submit", "reject"], "advance", "reviewer"),
        (["submit", "reject"], "submit", "owner"),
        (["submit", "withdraw"], "submit", "owner"),
    ],
)
def test_illegal_moves_are_refused_with_a_message(
    programme, enterprise_x, reviewer, park_admin, setup, action, who
):
    people = {"owner": enterprise_x.user, "reviewer": reviewer, "park_admin": park_admin}
    application = draft_for(enterprise_x, programme)
    for step in setup:
        actor = enterprise_x.user if step in ("submit", "withdraw") else reviewer
        act(application, step, actor, comment="理由")
    before = Application.objects.get(pk=application.pk)
    with pytest.raises((TransitionRefused, ValidationError)):
        act(application, action, people[who], comment="理由", amount="1000.00")
    after = Application.objects.get(pk=application.pk)
    assert (after.status, after.current_stage_id) == (before.status, before.current_stage_id)


def test_a_role_acting_outside_its_stage_is_refused(programme, enterprise_x, reviewer, park_admin):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    with pytest.raises(TransitionRefused):
        act(application, "advance", enterprise_x.user)  # the enterprise cannot move its own file
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    with pytest.raises(TransitionRefused):
        act(application, "approve", reviewer, amount="1000.00")  # 专家评审 belongs to the park administrator
    other = register(ALPHA)
    with pytest.raises(TransitionRefused):
        act(application, "withdraw", other.user)  # another enterprise cannot withdraw it


def test_history_rows_cannot_be_updated_or_deleted_even_with_raw_sql(programme, enterprise_x):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    event = ApplicationEvent.objects.get(application=application)
    for statement in (
        f"UPDATE applications_applicationevent SET comment = 'forged' WHERE id = {event.pk}",
        f"DELETE FROM applications_applicationevent WHERE id = {event.pk}",
    ):
        with (
            pytest.raises(ProgrammingError, match="pgtrigger"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert ApplicationEvent.objects.get(pk=event.pk).comment == ""


def test_an_award_never_exceeds_the_cap_or_the_requested_amount(
    programme, enterprise_x, reviewer, park_admin
):
    application = ApplicationFactory(
        registration=enterprise_x, programme=programme, requested_amount="150000.00", submitted=True
    )
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    with pytest.raises(ValidationError) as refused:
        act(application, "approve", park_admin, amount="150000.01")
    assert "amount" in refused.value.message_dict
    assert act(application, "approve", park_admin, amount="150000.00").status == S.APPROVED


def test_the_timeline_of_a_returned_and_resubmitted_application_across_national_day(
    in_alpha, enterprise_x, reviewer, monkeypatch
):
    clock = {"now": dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])
    programme = make_programme(title="国庆节前开放的项目")
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    # 受理 has 3 working days: 1–7 October are holidays; 8 and 9 October count, and
    # Saturday 10 October is a make-up workday, so it is due then at 17:30.
    assert Application.objects.get(pk=application.pk).stage_due_at == dt.datetime(
        2026, 10, 10, 17, 30, tzinfo=SHANGHAI
    )
    clock["now"] = dt.datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI)
    act(application, "advance", reviewer)  # 初审: 5 working days → 10, 12, 13, 14, 15 October
    assert Application.objects.get(pk=application.pk).stage_due_at == dt.datetime(
        2026, 10, 15, 17, 30, tzinfo=SHANGHAI
    )
    clock["now"] = dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
    act(application, "return", reviewer, comment="请补充营业执照副本")
    clock["now"] = dt.datetime(2026, 10, 13, 9, 0, tzinfo=SHANGHAI)
    act(application, "submit", enterprise_x.user)
    clock["now"] = dt.datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI)
    timeline = application_timeline(application=Application.objects.get(pk=application.pk))
    assert [(e.action, e.comment) for e in timeline.events] == [
        ("submit", ""),
        ("advance", ""),
        ("return", "请补充营业执照副本"),
        ("submit", ""),
    ]
    intake, preliminary = timeline.stages[0], timeline.stages[1]
    assert intake.state == "done" and intake.done_at == dt.datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI)
    assert preliminary.state == "current"
    # Resubmitted on 13 October: 5 working days again → 14, 15, 16, 19, 20 October.
    assert preliminary.due_at == dt.datetime(2026, 10, 20, 17, 30, tzinfo=SHANGHAI)
    assert preliminary.working_days_left == 4
    assert [c.comment for c in preliminary.comments] == ["请补充营业执照副本"]
    assert [row.state for row in timeline.stages[2:]] == ["waiting", "waiting", "waiting"]


def test_twenty_concurrent_approvals_against_a_budget_for_ten(committed_db, dropped_after):
    """Committed rows and real concurrent transactions, in a throwaway tenant dropped afterwards
    (history rows are append-only, so the test cannot clean up row by row)."""
    from every_schema.accounts import roles
    from public_schema.tenants.services import tenant_provision

    from ..conftest import make_user

    dropped_after.append("budgetrace")
    tenant_provision(name="并发预算", slug="budgetrace", kind="park", admin_email="admin@budgetrace.cn")
    with schema_context("budgetrace"):
        programme = make_programme(budget="100000.00", cap="10000.00", title="并发预算测试")
        admin = make_user("budgetrace", role=roles.PARK_ADMIN)
        reviewer = make_user("budgetrace", role=roles.REVIEWER)
        applications = []
        for _ in range(20):
            registration = register("budgetrace")
            application = ApplicationFactory(
                registration=registration, programme=programme, requested_amount="10000.00", submitted=True
            )
            act(application, "advance", reviewer)
            act(application, "advance", reviewer)
            applications.append(application.pk)
    results, barrier = [], threading.Barrier(20)

    def approve(pk):
        try:
            with schema_context("budgetrace"):
                barrier.wait()
                act(Application(pk=pk), "approve", admin, amount="10000.00")
                results.append("approved")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(pk,)) for pk in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with schema_context("budgetrace"):
        approved = Application.objects.filter(programme=programme, status=S.APPROVED)
        assert results.count("approved") == 10 and results.count("refused") == 10
        assert approved.count() == 10
        assert sum(a.approved_amount for a in approved) == Decimal("100000.00")


def test_a_programme_without_notice_or_disbursement_stages_can_still_be_paid(
    in_alpha, enterprise_x, reviewer, park_admin
):
    from django.utils import timezone

    programme = ProgrammeFactory(
        title="单环节项目",
        category="subsidy",
        budget=Decimal("50000"),
        per_enterprise_cap=None,
        closes_at=timezone.now() + dt.timedelta(days=5),
        stages=[
            {
                "name": "审核",
                "public_name": "审核",
                "kind": "review",
                "role": "park_admin",
                "time_limit_days": 5,
            }
        ],
    )
    application = ApplicationFactory(
        registration=enterprise_x, programme=programme, requested_amount="20000", submitted=True
    )
    approved = act(application, "approve", park_admin, amount="20000")
    assert approved.status == S.APPROVED and approved.current_stage is None
    with pytest.raises(TransitionRefused):
        act(application, "disburse", reviewer)
    assert act(application, "disburse", park_admin).status == S.DISBURSED
