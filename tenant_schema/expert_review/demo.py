"""The expert review of the demo (seed_demo): a programme scored by a panel, a recusal, a confirmed outcome.

In the current schema, through the same services the pages call: five experts
(zhuanjia1..5@<schema>.demo, the demo password), one with a declared tie to an applicant (kept
off its case), a score sheet on the 专家评审 stage (three experts, pass mark 70), four
applications passed by 受理 and 初审; on one of them an expert declares a conflict and the
case goes to another; three panels finish and the administrator confirms (two pass to 公示
with their scores shown there, one fails), the fourth is still being scored. qiye1's
enterprise is one of the applicants, so its login shows the outcome and the public comments.
Safe to run again: nothing is done once the programme exists.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from every_schema.accounts import roles
from tenant_schema.applications.models import Application
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.enterprises.demo import _password_hash
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.funding.models import Programme
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

from . import workflow as wf
from .models import Assignment, ExpertProfile
from .services import (
    assignment_move,
    assignments_make,
    expert_tie_declare,
    review_confirm,
    score_sheet_create,
)

TITLE = "2026年度智能制造技术改造项目（专家评审）"
EXPERTS = [
    ("王建国", "教授", "青岛科技大学", ["智能制造", "新材料"]),
    ("李海燕", "高级工程师", "青岛市工业技术研究院", ["智能制造"]),
    ("张明", "注册会计师", "山东正源会计师事务所", ["财务", "智能制造"]),
    ("刘芳", "研究员", "中国海洋大学", ["智能制造", "海洋经济"]),
    ("陈志强", "高级经济师", "胶州市科技咨询中心", ["智能制造", "财务"]),
]
CRITERIA = [
    {"name": "技术先进性与创新性", "weight": "35", "max_points": 10},
    {"name": "项目实施方案与可行性", "weight": "25", "max_points": 10},
    {"name": "经济与社会效益", "weight": "25", "max_points": 10},
    {"name": "企业财务与配套能力", "weight": "15", "max_points": 10},
]
COMMENTS = [
    "技术路线清晰，改造后产能提升测算依据充分。",
    "建议细化设备采购清单并补充节能测算。",
    "项目与企业主营业务契合度高，配套资金落实。",
    "创新点不够突出，效益测算偏乐观。",
]


def _experts(schema: str, password: str) -> list[ExpertProfile]:
    User = get_user_model()
    group = Group.objects.get(name=roles.EXPERT)
    profiles = []
    for n, (name, title, employer, fields) in enumerate(EXPERTS, start=1):
        user, _created = User.objects.get_or_create(
            email=f"zhuanjia{n}@{schema}.demo",
            defaults={"full_name": name, "password": _password_hash(password)},
        )
        user.groups.add(group)
        profile, _created = ExpertProfile.objects.get_or_create(
            user=user, defaults={"fields": fields, "employer": employer, "title": title}
        )
        profiles.append(profile)
    return profiles


def _scores(sheet, rng: random.Random, level: float) -> dict:
    return {
        c.pk: Decimal(str(max(0, min(c.max_points, round(level * c.max_points + rng.uniform(-0.6, 0.6))))))
        for c in sheet.criteria.all()
    }


def expert_review_seed_demo(*, rng: random.Random, password: str) -> int:
    """Seed the current schema's expert-review demo; returns the number of applications scored (0: already there)."""
    schema = connection.schema_name
    User = get_user_model()
    if Programme.objects.filter(title=TITLE).exists():
        return 0
    reviewer = User.objects.filter(groups__name=roles.REVIEWER, is_active=True).order_by("pk").first()
    admin = User.objects.filter(groups__name=roles.PARK_ADMIN, is_active=True).order_by("pk").first()
    qiye1 = (
        Membership.objects.filter(user__email=f"qiye1@{schema}.demo")
        .select_related("user", "enterprise")
        .first()
    )
    others = list(
        Membership.objects.filter(role=Membership.Role.OWNER, enterprise__status=Enterprise.Status.VERIFIED)
        .exclude(user__email=f"qiye1@{schema}.demo")
        .select_related("user", "enterprise")
        .order_by("pk")[:40]
    )
    if reviewer is None or admin is None or qiye1 is None or len(others) < 3:
        return 0
    seats = [qiye1, *rng.sample(others, 3)]
    now = timezone.now()
    with transaction.atomic():
        programme = programme_open(
            programme=programme_create(
                actor=None,
                title=TITLE,
                category=Programme.Category.SUBSIDY,
                description="支持规上工业企业实施智能化、数字化技术改造，按设备投资额给予补助，经专家评审择优支持。",
                policy_document="胶政办发〔2026〕8号",
                budget=Decimal("3000000.00"),
                per_enterprise_cap=Decimal("500000.00"),
                opens_at=now - dt.timedelta(days=40),
                closes_at=now + dt.timedelta(days=30),
                required_documents=[],
                guide=demo_guide(),
            )
        )
        stage = programme.stages.get(name="专家评审")
        sheet = score_sheet_create(
            actor=None,
            stage=stage,
            criteria=CRITERIA,
            experts_per_application=3,
            fields=["智能制造"],
            rule="threshold",
            threshold="70",
            show_on_notice=True,
        )
        experts = _experts(schema, password)
        # A declared tie: the fifth expert served the second applicant last year, so is never asked on its case.
        expert_tie_declare(
            actor=None,
            expert=experts[4],
            enterprise=seats[1].enterprise,
            kind="service",
            note="2025年为该企业提供过项目申报咨询服务",
            ended_on=timezone.localdate() - dt.timedelta(days=200),
        )
        applications = []
        for seat, amount in zip(seats, ("420000.00", "300000.00", "260000.00", "380000.00"), strict=True):
            application = application_create(
                programme_id=programme.pk,
                enterprise=seat.enterprise,
                applicant=seat.user,
                requested_amount=amount,
                answers={
                    "summary": f"{seat.enterprise.name}拟实施生产线智能化改造，购置工业机器人及MES系统。",
                    "use_of_funds": "设备购置70%，软件系统20%，人员培训10%。",
                },
            )
            application_transition(application_id=application.pk, action="submit", actor=seat.user)
            application_transition(application_id=application.pk, action="advance", actor=reviewer)
            application_transition(application_id=application.pk, action="advance", actor=reviewer)
            applications.append(Application.objects.get(pk=application.pk))
        panels = [assignments_make(sheet=sheet, application=a, actor=None) for a in applications]
        # The recusal (回避): the first expert of the third application declares a conflict; the case is reassigned.
        recusing = panels[2][0]
        assignment_move(
            assignment_id=recusing.pk,
            action=wf.DECLARE_CONFLICT,
            actor=recusing.expert.user,
            comment="本人近三年曾担任该企业技术顾问，申请回避。",
        )
        levels = (0.85, 0.78, 0.55, 0.8)
        scored = 0
        for index, application in enumerate(applications):
            live = list(Assignment.objects.filter(sheet=sheet, application=application, status="invited"))
            for position, assignment in enumerate(live):
                user = assignment.expert.user
                assignment_move(assignment_id=assignment.pk, action=wf.DECLARE_NONE, actor=user)
                if index == 3 and position == len(live) - 1:
                    continue  # the fourth panel is still scoring: one expert has declared, not yet submitted
                assignment_move(
                    assignment_id=assignment.pk,
                    action=wf.SUBMIT,
                    actor=user,
                    scores=_scores(sheet, rng, levels[index]),
                    public_comment=COMMENTS[(index + position) % len(COMMENTS)],
                    internal_comment="财务数据已与审计报告核对。" if position == 0 else "",
                )
            scored += 1
        review_confirm(sheet=sheet, actor=admin)
    return scored
