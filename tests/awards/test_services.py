"""Tranches, reports, final acceptance and recovery, through the services and their workflows."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from public_schema.hub.awards import open_recoveries_for
from public_schema.hub.models import AwardRecord
from saas.workflow import StaleAction, TransitionRefused
from tenant_schema.applications.models import Application
from tenant_schema.awards import workflow as wf
from tenant_schema.awards.models import Award, Recovery, Report, Tranche, TrancheHistory
from tenant_schema.awards.selectors import award_summary, programme_money
from tenant_schema.awards.services import (
    award_acceptance_reviewers_set,
    award_plan,
    award_transition,
    recovery_open,
    recovery_transition,
    report_review,
    report_submit,
    tranche_pay,
)

from ..conftest import ALPHA, make_user
from .conftest import approved_at_disbursement, days, three_tranches


def pay(tranche, admin, reference="BANK-001"):
    return tranche_pay(tranche_id=tranche.pk, actor=admin, reference=reference)


def test_tranches_must_add_up_to_the_award(in_alpha, enterprise_x, programme, reviewer, park_admin):
    application = approved_at_disbursement(enterprise_x, programme, reviewer, park_admin)
    with pytest.raises(ValidationError) as error:
        award_plan(
            application_id=application.pk, actor=park_admin, tranches=three_tranches((30000, 50000, 10000))
        )
    assert "90000.00" in str(error.value) and "100000.00" in str(error.value)
    with pytest.raises(ValidationError) as error:
        award_plan(
            application_id=application.pk,
            actor=park_admin,
            tranches=[{"amount": "x", "condition": "later", "due_on": "soon"}],
        )
    assert set(error.value.message_dict) == {"tranches.0.amount", "tranches.0.condition", "tranches.0.due_on"}
    award = award_plan(application_id=application.pk, actor=park_admin, tranches=three_tranches())
    assert sum(t.amount for t in award.tranches.all()) == award.amount == Decimal("100000.00")
    with pytest.raises(ValidationError):  # once per award
        award_plan(application_id=application.pk, actor=park_admin, tranches=three_tranches())


def test_enterprise_sees_what_is_paid_and_what_is_next(award, park_admin):
    first, second, _third = award.tranches.all()
    pay(first, park_admin)
    summary = award_summary(award=award)
    assert summary["paid"] == Decimal("30000.00") and summary["left"] == Decimal("70000.00")
    assert summary["next"] == second and summary["next_hold"] is None
    application = Application.objects.get(pk=award.application_id)
    assert application.status == Application.Status.DISBURSED
    assert application.disbursed_amount == Decimal("30000.00")
    pay(second, park_admin, "BANK-002")
    application.refresh_from_db()
    assert application.disbursed_amount == Decimal("80000.00")
    money = programme_money(programme_id=application.programme_id)
    assert (money["committed"], money["paid"], money["recovered"]) == (
        Decimal("100000.00"),
        Decimal("80000.00"),
        Decimal("0"),
    )


def test_a_tranche_is_paid_once_and_needs_a_reference(award, park_admin):
    first = award.tranches.get(position=1)
    with pytest.raises(ValidationError) as error:
        tranche_pay(tranche_id=first.pk, actor=park_admin, reference=" ")
    assert "reference" in error.value.message_dict
    pay(first, park_admin)
    with pytest.raises(TransitionRefused):
        pay(first, park_admin)
    with pytest.raises(StaleAction):
        tranche_pay(tranche_id=first.pk, actor=park_admin, reference="X", expected_status="planned")
    assert TrancheHistory.objects.filter(tranche=first).count() == 1


def test_an_overdue_report_holds_the_next_tranche(award, park_admin, enterprise_x):
    first, second, _ = award.tranches.all()
    pay(first, park_admin)
    midterm = award.reports.get(kind="midterm")
    Report.objects.filter(pk=midterm.pk).update(due_on=days(-1))  # the due date has passed
    with pytest.raises(TransitionRefused) as error:
        pay(second, park_admin)
    assert "Mid-term report" in str(error.value) or "中期" in str(error.value)
    assert not wf.TRANCHE_WORKFLOW.actions_for(park_admin, Tranche.objects.get(pk=second.pk))
    report_submit(report_id=midterm.pk, actor=enterprise_x.user, text="设备已到厂，安装完成60%。")
    assert pay(second, park_admin).status == Tranche.Status.PAID


def test_tranches_are_paid_in_order_and_the_last_on_acceptance(award, park_admin):
    first, second, third = award.tranches.all()
    with pytest.raises(TransitionRefused):
        pay(second, park_admin)
    pay(first, park_admin)
    pay(second, park_admin)
    with pytest.raises(TransitionRefused) as error:
        pay(third, park_admin)
    assert "acceptance" in str(error.value) or "验收" in str(error.value)


def _through_reports(award, owner, staff):
    for report in award.reports.all():
        report_submit(report_id=report.pk, actor=owner.user, text="按计划完成。")
        report_review(report_id=report.pk, action="accept", actor=staff)


def test_acceptance_passes_and_releases_the_last_tranche(award, park_admin, reviewer, enterprise_x):
    expert = make_user(ALPHA)
    with pytest.raises(ValidationError):  # no reviewers yet
        award_transition(award_id=award.pk, action="open_acceptance", actor=park_admin)
    award_acceptance_reviewers_set(award=award, actor=park_admin, reviewer_ids=[expert.pk])
    with pytest.raises(ValidationError) as error:  # the reports first
        award_transition(award_id=award.pk, action="open_acceptance", actor=park_admin)
    assert "reports" in error.value.message_dict
    _through_reports(award, enterprise_x, reviewer)
    award_transition(award_id=award.pk, action="open_acceptance", actor=park_admin)
    with pytest.raises(TransitionRefused):  # not one of its reviewers
        award_transition(award_id=award.pk, action="pass", actor=park_admin)
    award = award_transition(award_id=award.pk, action="pass", actor=expert)
    assert award.status == Award.Status.ACCEPTED
    for tranche in award.tranches.all():
        pay(tranche, park_admin)
    assert award_summary(award=award)["left"] == 0


def test_acceptance_fails_with_a_reason_and_nothing_more_is_paid(award, park_admin, reviewer, enterprise_x):
    expert = make_user(ALPHA)
    award_acceptance_reviewers_set(award=award, actor=park_admin, reviewer_ids=[expert.pk])
    pay(award.tranches.get(position=1), park_admin)
    _through_reports(award, enterprise_x, reviewer)
    award_transition(award_id=award.pk, action="open_acceptance", actor=park_admin)
    with pytest.raises(ValidationError):
        award_transition(award_id=award.pk, action="fail", actor=expert)
    award = award_transition(award_id=award.pk, action="fail", actor=expert, comment="产能未达到申报目标")
    assert award.status == Award.Status.FAILED
    with pytest.raises(TransitionRefused):
        pay(award.tranches.get(position=2), park_admin)


def test_recovery_lifecycle_and_the_city_register(award, park_admin, enterprise_x):
    with pytest.raises(ValidationError):  # nothing paid yet
        recovery_open(
            award_id=award.pk,
            actor=park_admin,
            reason="false_claim",
            explanation="虚报",
            amount_due="1000",
            deadline=days(30),
        )
    pay(award.tranches.get(position=1), park_admin)
    with pytest.raises(ValidationError) as error:
        recovery_open(
            award_id=award.pk,
            actor=park_admin,
            reason="nope",
            explanation="",
            amount_due="40000",
            deadline=days(-1),
        )
    assert set(error.value.message_dict) == {"reason", "explanation", "deadline"}
    with pytest.raises(ValidationError):  # more than was paid
        recovery_open(
            award_id=award.pk,
            actor=park_admin,
            reason="false_claim",
            explanation="虚报",
            amount_due="40000",
            deadline=days(30),
        )
    recovery = recovery_open(
        award_id=award.pk,
        actor=park_admin,
        reason="false_claim",
        explanation="申报材料中的销售合同系伪造",
        amount_due="30000",
        deadline=days(30),
    )
    record = AwardRecord.objects.get(application_id=award.application_id, tenant__schema_name=ALPHA)
    assert record.recovery_open
    assert [r.pk for r in open_recoveries_for(credit_code=enterprise_x.enterprise.credit_code)] == [record.pk]
    assert (
        "recovery" in award_summary(award=award)["next_hold"]
        or "追回" in award_summary(award=award)["next_hold"]
    )
    with pytest.raises(ValidationError):  # more than is due
        recovery_transition(
            recovery_id=recovery.pk, action="repay", actor=park_admin, amount="30000.01", reference="R1"
        )
    recovery = recovery_transition(
        recovery_id=recovery.pk, action="repay", actor=park_admin, amount="10000", reference="R1"
    )
    assert (recovery.status, recovery.outstanding) == (Recovery.Status.OPEN, Decimal("20000.00"))
    recovery = recovery_transition(
        recovery_id=recovery.pk, action="repay", actor=park_admin, amount="20000", reference="R2"
    )
    assert recovery.status == Recovery.Status.REPAID and recovery.closed_at is not None
    record.refresh_from_db()
    assert not record.recovery_open and record.recovered_amount == Decimal("30000.00")
    assert programme_money(programme_id=award.application.programme_id)["recovered"] == Decimal("30000.00")
    assert [h.action for h in recovery.history.all()] == ["open", "repay", "repay"]


def test_history_rows_cannot_be_changed(award, park_admin):
    pay(award.tranches.get(position=1), park_admin)
    row = TrancheHistory.objects.get()
    with pytest.raises(ProgrammingError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TrancheHistory._meta.db_table} SET comment = 'x' WHERE id = %s", [row.pk]
            )
