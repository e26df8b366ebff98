"""Offered ⇔ accepted for the workflows after an award: tranche, award_report, award, recovery.

Every state × every person × every action: the object is put in the state in the database,
`actions_for` is asked, and the service applies each action inside a rolled-back savepoint.
"""

from decimal import Decimal

from tenant_schema.awards import workflow as wf
from tenant_schema.awards.models import Award, Recovery, Report, Tranche
from tenant_schema.awards.services import (
    award_transition,
    recovery_open,
    recovery_transition,
    report_review,
    report_submit,
    tranche_pay,
)

from ..awards.conftest import (  # noqa: F401
    award,
    days,
    enterprise_x,
    in_alpha,
    park_admin,
    programme,
    reviewer,
)
from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register
from .test_offered_equals_accepted import _walk


def _people(award, reviewer, park_admin):  # noqa: F811
    expert = make_user(ALPHA)
    award.acceptance_reviewers.set([expert])
    return {
        "owner": award.application.applicant,
        "other enterprise": register(ALPHA).user,
        "reviewer": reviewer,
        "park administrator": park_admin,
        "acceptance reviewer": expert,
    }


def test_tranches_offer_exactly_what_the_service_accepts(award, reviewer, park_admin):  # noqa: F811
    people = _people(award, reviewer, park_admin)
    disagreements = []
    situations = {
        "ready": lambda: None,
        "report overdue": lambda: Report.objects.filter(award=award, kind="midterm").update(due_on=days(-1)),
        "award failed": lambda: Award.objects.filter(pk=award.pk).update(status=Award.Status.FAILED),
    }
    for situation, arrange in situations.items():
        Report.objects.filter(award=award).update(due_on=days(30))
        Award.objects.filter(pk=award.pk).update(status=Award.Status.ACTIVE)
        arrange()
        for position in (1, 2, 3):
            for status in Tranche.Status.values:
                Tranche.objects.filter(award=award, position=position).update(status=status)
                tranche = Tranche.objects.get(award=award, position=position)
                disagreements += _walk(
                    wf.TRANCHE_WORKFLOW,
                    f"{situation} #{position} {status}",
                    tranche,
                    people,
                    lambda action, user, tranche=tranche: tranche_pay(
                        tranche_id=tranche.pk, actor=user, reference="BANK-1"
                    ),
                )
            Tranche.objects.filter(award=award, position=position).update(status=Tranche.Status.PLANNED)
    assert disagreements == []


def test_reports_offer_exactly_what_the_service_accepts(award, reviewer, park_admin):  # noqa: F811
    people = _people(award, reviewer, park_admin)
    report = award.reports.get(kind="midterm")

    def apply(action, user):
        if action == wf.SUBMIT:
            return report_submit(report_id=report.pk, actor=user, text="进展顺利")
        return report_review(report_id=report.pk, action=action, actor=user, comment="请补充发票")

    disagreements = []
    for award_status in Award.Status.values:
        Award.objects.filter(pk=award.pk).update(status=award_status)
        for status in Report.Status.values:
            Report.objects.filter(pk=report.pk).update(status=status)
            obj = Report.objects.get(pk=report.pk)
            disagreements += _walk(wf.REPORT_WORKFLOW, f"{award_status}/{status}", obj, people, apply)
    assert disagreements == []


def test_awards_offer_exactly_what_the_service_accepts(award, reviewer, park_admin):  # noqa: F811
    people = _people(award, reviewer, park_admin)
    disagreements = []
    for reports in ("owed", "accepted"):
        Report.objects.filter(award=award).update(
            status=Report.Status.DUE if reports == "owed" else Report.Status.ACCEPTED
        )
        for status in Award.Status.values:
            Award.objects.filter(pk=award.pk).update(status=status)
            obj = Award.objects.get(pk=award.pk)
            disagreements += _walk(
                wf.AWARD_WORKFLOW,
                f"reports {reports}, {status}",
                obj,
                people,
                lambda action, user: award_transition(
                    award_id=award.pk, action=action, actor=user, comment="验收意见"
                ),
            )
    assert disagreements == []


def test_recoveries_offer_exactly_what_the_service_accepts(award, reviewer, park_admin):  # noqa: F811
    people = _people(award, reviewer, park_admin)
    tranche_pay(tranche_id=award.tranches.get(position=1).pk, actor=park_admin, reference="BANK-1")
    recovery = recovery_open(
        award_id=award.pk,
        actor=park_admin,
        reason="relocation",
        explanation="企业迁出本区",
        amount_due="30000",
        deadline=days(30),
    )
    disagreements = []
    for status in Recovery.Status.values:
        Recovery.objects.filter(pk=recovery.pk).update(status=status, repaid_amount=Decimal("0"))
        obj = Recovery.objects.get(pk=recovery.pk)
        disagreements += _walk(
            wf.RECOVERY_WORKFLOW,
            status,
            obj,
            people,
            lambda action, user: recovery_transition(
                recovery_id=recovery.pk,
                action=action,
                actor=user,
                comment="原因",
                amount="1000",
                reference="R-1",
            ),
        )
    assert disagreements == []
