"""Awards after approval for the demo (seed_demo): one programme paid in tranches, four projects.

Made by the services the pages use, with a past (applications.demo.backdated_clock):
- the demo login qiye1's project: tranche 1 paid, its mid-term report overdue, tranche 2 held;
- a project whose reports were accepted and which passed its final acceptance, paid in full;
- a project that failed its acceptance, with a recovery (追回) open and one repayment made;
- a project with its mid-term report sent and waiting for the park, tranche 2 due later.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from every_schema.accounts import roles
from saas.workdays import SHANGHAI
from tenant_schema.applications.demo import backdated_clock
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.funding.models import Programme
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

from .models import Award
from .services import (
    award_acceptance_reviewers_set,
    award_plan,
    award_transition,
    recovery_open,
    recovery_transition,
    report_review,
    report_submit,
    tranche_pay,
)

TITLE = "2026年度技术改造项目分期补助"
AMOUNT = Decimal("200000.00")


def _at(clock, days_ago: int, hour: int = 10) -> dt.date:
    """Move the seed's clock to `days_ago` days before the real today (kept in the clock as "today")."""
    day = clock["today"] - dt.timedelta(days=days_ago)
    clock["at"] = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)
    return day


def awards_seed_demo() -> int:
    """The demo's awards in the current schema; returns how many projects it made (0 if already there)."""
    User = get_user_model()
    schema = connection.schema_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"awards_seed_demo:{schema}"])
        if Programme.objects.filter(title=TITLE).exists():
            return 0
        reviewer = User.objects.filter(groups__name=roles.REVIEWER, is_active=True).order_by("pk").first()
        admin = User.objects.filter(groups__name=roles.PARK_ADMIN, is_active=True).order_by("pk").first()
        owners = list(
            Membership.objects.filter(
                role=Membership.Role.OWNER, enterprise__status=Enterprise.Status.VERIFIED
            )
            .select_related("user", "enterprise")
            .order_by("pk")
        )
        qiye1 = [m for m in owners if m.user.email == f"qiye1@{schema}.demo"]
        owners = (qiye1 + [m for m in owners if m not in qiye1])[:4]
        if reviewer is None or admin is None or len(owners) < 4:
            return 0
        real_today = timezone.localdate()
        with backdated_clock() as clock:
            clock["today"] = real_today
            _at(clock, 150)
            programme = programme_open(
                programme=programme_create(
                    actor=None,
                    title=TITLE,
                    category="subsidy",
                    description="对完成设备更新、智能化改造的企业分期拨付补助：签约、里程碑、验收后各付一笔。",
                    budget=Decimal("2000000.00"),
                    per_enterprise_cap=AMOUNT,
                    opens_at=clock["at"],
                    closes_at=clock["at"] + dt.timedelta(days=180),
                    required_documents=[],
                    guide=demo_guide(),
                )
            )
            awards = []
            for index, membership in enumerate(owners):
                _at(clock, 140 - index)
                application = application_create(
                    programme_id=programme.pk,
                    enterprise=membership.enterprise,
                    applicant=membership.user,
                    requested_amount=AMOUNT,
                )
                steps = [
                    ("submit", membership.user, {}),
                    ("advance", reviewer, {}),
                    ("advance", reviewer, {}),
                    ("approve", admin, {"amount": AMOUNT}),
                    ("advance", admin, {}),
                ]
                for step, (action, actor, extra) in enumerate(steps):
                    _at(clock, 138 - index - step * 3)
                    application_transition(application_id=application.pk, action=action, actor=actor, **extra)
                _at(clock, 118 - index)
                today = timezone.localdate()
                awards.append(
                    award_plan(
                        application_id=application.pk,
                        actor=admin,
                        tranches=[
                            {
                                "amount": "60000",
                                "condition": "signing",
                                "due_on": today + dt.timedelta(days=10),
                            },
                            {
                                "amount": "100000",
                                "condition": "milestone",
                                "milestone": "生产线设备安装调试完成",
                                "due_on": today + dt.timedelta(days=80),
                            },
                            {
                                "amount": "40000",
                                "condition": "acceptance",
                                "due_on": today + dt.timedelta(days=140),
                            },
                        ],
                        reports=[
                            {"kind": "midterm", "due_on": today + dt.timedelta(days=60 + index * 25)},
                            {"kind": "final", "due_on": today + dt.timedelta(days=100 + index * 10)},
                        ],
                    )
                )
            for index, award in enumerate(awards):
                _at(clock, 110 - index)
                first = award.tranches.get(position=1)
                tranche_pay(tranche_id=first.pk, actor=admin, reference=f"GK2026{award.pk:04d}01")
            overdue, accepted, failed, waiting = awards
            _projects_finish(clock, admin, reviewer, accepted, failed, waiting)
        return len(awards)


def _reports_accepted(clock, award, reviewer, days_ago: int) -> None:
    owner = award.application.applicant
    for offset, report in enumerate(award.reports.all()):
        _at(clock, days_ago - offset * 2)
        report_submit(
            report_id=report.pk, actor=owner, text="项目按计划推进：设备已到厂并安装调试，资金使用见附表。"
        )
        report_review(report_id=report.pk, action="accept", actor=reviewer)


def _projects_finish(clock, admin, reviewer, accepted: Award, failed: Award, waiting: Award) -> None:
    # Accepted: reports accepted, the milestone paid, acceptance passed, the last tranche paid.
    _reports_accepted(clock, accepted, reviewer, 60)
    _at(clock, 50)
    tranche_pay(
        tranche_id=accepted.tranches.get(position=2).pk, actor=admin, reference=f"GK2026{accepted.pk:04d}02"
    )
    award_acceptance_reviewers_set(award=accepted, actor=admin, reviewer_ids=[reviewer.pk])
    _at(clock, 40)
    award_transition(award_id=accepted.pk, action="open_acceptance", actor=admin)
    _at(clock, 35)
    award_transition(
        award_id=accepted.pk,
        action="pass",
        actor=reviewer,
        comment="现场核查：产线已投产，指标达到申报目标。",
    )
    _at(clock, 30)
    tranche_pay(
        tranche_id=accepted.tranches.get(position=3).pk, actor=admin, reference=f"GK2026{accepted.pk:04d}03"
    )
    # Failed: the acceptance found the claimed capacity false; the first tranche is recovered.
    _reports_accepted(clock, failed, reviewer, 58)
    award_acceptance_reviewers_set(award=failed, actor=admin, reviewer_ids=[reviewer.pk])
    _at(clock, 38)
    award_transition(award_id=failed.pk, action="open_acceptance", actor=admin)
    _at(clock, 33)
    award_transition(
        award_id=failed.pk,
        action="fail",
        actor=reviewer,
        comment="现场核查：新增产能不足申报的三成，设备发票与实物不符。",
    )
    _at(clock, 30)
    recovery = recovery_open(
        award_id=failed.pk,
        actor=admin,
        reason="failed_acceptance",
        explanation="项目未通过验收，依据资金管理办法追回已拨付的签约款。",
        amount_due="60000",
        deadline=timezone.localdate() + dt.timedelta(days=60),
    )
    _at(clock, 12)
    recovery_transition(
        recovery_id=recovery.pk,
        action="repay",
        actor=admin,
        amount="20000",
        reference=f"TH2026{recovery.pk:04d}01",
    )
    # Waiting: the mid-term report sent, for the park to read.
    _at(clock, 8)
    midterm = waiting.reports.get(kind="midterm")
    report_submit(
        report_id=midterm.pk, actor=waiting.application.applicant, text="设备采购合同已签订，首批设备到厂。"
    )
