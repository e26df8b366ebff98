"""Illustrative applications for the Jiaozhou demo network (seed_demo), with real history.

Every application is made by `application_create` and moved by `application_transition`,
the same service the pages and API use, so history rows, due dates and the enterprise's
in-app notifications are exactly what the product would have written. To give them a
past, `backdated_clock` temporarily replaces django.utils.timezone.now while the seed
runs: each step happens at a chosen working-day office hour in the last weeks, and the
last one is placed so that some stages are on time, some due soon and some overdue.

Covered in every tenant: a draft, each review stage (on time and overdue), returned with
a reason, returned and resubmitted, rejected with a reason, approved on public notice
(公示), awaiting disbursement, disbursed, and withdrawn. The demo login qiye1@<schema>.demo
owns a returned, a disbursed and an in-review application.

Demo mail is never sent: the email task that notification_send queues on commit is
suppressed while the seed runs (the in-app notifications are kept, unread).
"""

import contextlib
import datetime as dt
import itertools
import random
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from every_schema.accounts import roles
from saas.workdays import SHANGHAI, is_working_day
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.funding.demo import programmes_seed_demo

from . import workflow as wf
from .models import Application
from .services import application_create, application_transition

RETURN_REASONS = (
    "请补充2025年度研发费用专项审计报告。",
    "申报表中的从业人数与社保缴纳人数不一致，请核对后修改。",
    "请上传加盖公章的贷款合同及付息凭证。",
    "专精特新认定文件为复印件，请上传清晰的扫描件。",
)
REJECT_REASONS = (
    "经评审，企业研发投入占比未达到申报条件（不低于3%）。",
    "企业上年度存在环保行政处罚记录，不符合申报条件。",
    "同一事项已获得市级财政资金支持，不得重复申报。",
)
PASS_COMMENTS = ("", "", "材料齐全，予以受理。", "初审通过。", "")

# What happens to an application, as steps of (action, who); "owner" is the enterprise.
_TO_EXPERT = [(wf.SUBMIT, "owner"), (wf.ADVANCE, "reviewer"), (wf.ADVANCE, "reviewer")]
SCENARIOS: dict[str, list[tuple[str, str]]] = {
    "draft": [],
    "intake": [(wf.SUBMIT, "owner")],
    "intake_overdue": [(wf.SUBMIT, "owner")],
    "preliminary": _TO_EXPERT[:2],
    "preliminary_overdue": _TO_EXPERT[:2],
    "expert": _TO_EXPERT,
    "expert_overdue": _TO_EXPERT,
    "returned": _TO_EXPERT[:2] + [(wf.RETURN, "reviewer")],
    "resubmitted": _TO_EXPERT[:2] + [(wf.RETURN, "reviewer"), (wf.SUBMIT, "owner")],
    "rejected": _TO_EXPERT + [(wf.REJECT, "admin")],
    "notice": _TO_EXPERT + [(wf.APPROVE, "admin")],
    "disbursement": _TO_EXPERT + [(wf.APPROVE, "admin"), (wf.ADVANCE, "admin")],
    "disbursed": _TO_EXPERT + [(wf.APPROVE, "admin"), (wf.ADVANCE, "admin"), (wf.DISBURSE, "admin")],
    "withdrawn": [(wf.SUBMIT, "owner"), (wf.WITHDRAW, "owner")],
}
SCENARIO_ORDER = list(SCENARIOS)
QIYE1_SCENARIOS = ("returned", "disbursed", "expert")
APPLICATIONS_PER_PROGRAMME = 9
PROGRAMMES_BY_KIND = {"park": 2}  # parks run fewer programmes than the town sub-platforms
DEFAULT_PROGRAMMES = 3


@contextlib.contextmanager
def backdated_clock():
    """While inside, timezone.now() returns `clock["at"]` when set (else the real time).

    Everything that stamps time through django.utils.timezone.now — the services, the
    auto_now fields, timezone.localdate() — sees the seed's chosen moment. The patch is
    process-wide, so it is for this single-threaded seed only. The email task queued on
    commit by notification_send is replaced by a no-op for the same span: demo mail never
    goes out.
    """
    real_now = timezone.now
    clock: dict[str, dt.datetime | None] = {"at": None}
    with (
        mock.patch("django.utils.timezone.now", lambda: clock["at"] or real_now()),
        mock.patch("tenant_schema.notifications.services.send_on_commit", lambda task, /, **kwargs: None),
    ):
        yield clock


def _working_day_back(day: dt.date, count: int) -> dt.date:
    """The working day `count` working days before `day` (0: `day` itself, or the working day before it)."""
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    while count > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def _office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    minutes = rng.randint(8 * 60 + 40, 16 * 60 + 50)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=SHANGHAI)


def _step_times(
    rng: random.Random, scenario: str, steps: list, limits: list[int], today: dt.date
) -> list[dt.datetime]:
    """When each step happened, oldest first; the last one decides whether the current stage is late.

    `limits[i]` is the time limit of the stage the application is in after step i.
    """
    if not steps:
        return []
    last_limit = limits[-1]
    if scenario.endswith("_overdue"):
        back = last_limit + rng.randint(1, 4)  # entered more than its limit ago
    elif scenario in ("intake", "preliminary", "expert", "resubmitted", "notice", "disbursement"):
        back = rng.randint(1, max(1, last_limit - 1))  # still on time; some due by the next working day
    else:
        back = rng.randint(1, 12)  # finished or with the enterprise: no clock
    days = [_working_day_back(today, back)]
    for limit in reversed(limits[:-1]):
        # Earlier steps: mostly within the stage's limit, now and then a little late.
        gap = rng.randint(1, limit + (2 if rng.random() < 0.15 else 0))
        days.append(_working_day_back(days[-1], gap))
    return [_office_time(rng, day) for day in reversed(days)]


def _limits_after(steps: list, stages: list) -> list[int]:
    """The time limit of the stage the application sits in after each step."""
    position, limits = 0, []
    for action, _who in steps:
        if action == wf.SUBMIT and position == 0:
            position = 1
        elif action in (wf.ADVANCE, wf.APPROVE):
            position += 1
        stage = stages[min(max(position, 1), len(stages)) - 1]
        limits.append(stage.time_limit_days)
    return limits


def _owners_ensure(enterprises: list[Enterprise], schema: str) -> dict[int, object]:
    """An owner account for each enterprise that has none (bulk; no password, so no sign-in)."""
    User = get_user_model()
    owners = {
        m.enterprise_id: m.user
        for m in Membership.objects.filter(
            enterprise__in=enterprises, role=Membership.Role.OWNER
        ).select_related("user")
    }
    missing = [e for e in enterprises if e.pk not in owners]
    if missing:
        unusable = make_password(None)
        users = User.objects.bulk_create(
            [
                User(email=f"owner-{e.pk}@{schema}.demo", full_name=e.contact_name, password=unusable)
                for e in missing
            ]
        )
        from django.contrib.auth.models import Group

        group = Group.objects.get(name=roles.ENTERPRISE_USER)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, enterprise=e, role=Membership.Role.OWNER)
                for u, e in zip(users, missing, strict=True)
            ]
        )
        owners.update({e.pk: u for u, e in zip(users, missing, strict=True)})
    return owners


def applications_seed_demo(*, rng: random.Random) -> int:
    """Demo programmes and applications in every state for the current schema; returns how many it made.

    Does nothing (returns 0) when the demo programmes already have applications, or when
    the tenant has no verified enterprise, reviewer or administrator to act. All or nothing.
    """
    from public_schema.tenants.models import Tenant

    schema = connection.schema_name
    User = get_user_model()
    tenant = Tenant.objects.filter(schema_name=schema).only("kind").first()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"applications_seed_demo:{schema}"])
        programmes = programmes_seed_demo(
            count=PROGRAMMES_BY_KIND.get(tenant.kind if tenant else "", DEFAULT_PROGRAMMES)
        )
        if Application.objects.filter(programme__in=programmes).exists():
            return 0
        reviewer = User.objects.filter(groups__name=roles.REVIEWER, is_active=True).order_by("pk").first()
        admin = User.objects.filter(groups__name=roles.PARK_ADMIN, is_active=True).order_by("pk").first()
        verified = list(Enterprise.objects.filter(status=Enterprise.Status.VERIFIED).order_by("pk"))
        needed = len(programmes) * APPLICATIONS_PER_PROGRAMME
        if reviewer is None or admin is None or len(verified) < APPLICATIONS_PER_PROGRAMME:
            return 0
        qiye1 = Enterprise.objects.filter(memberships__user__email=f"qiye1@{schema}.demo").first()
        others = [e for e in verified if qiye1 is None or e.pk != qiye1.pk]
        chosen = rng.sample(others, min(len(others), needed))
        owners = _owners_ensure(chosen + ([qiye1] if qiye1 else []), schema)
        people = {"reviewer": reviewer, "admin": admin}
        today = timezone.localdate()

        plans = []  # (programme, enterprise, scenario)
        pool, turn = iter(chosen), itertools.count()
        for p_index, programme in enumerate(programmes):
            for a_index in range(APPLICATIONS_PER_PROGRAMME):
                if qiye1 is not None and a_index == 0 and p_index < len(QIYE1_SCENARIOS):
                    plans.append((programme, qiye1, QIYE1_SCENARIOS[p_index]))
                    continue
                enterprise = next(pool, None)
                if enterprise is None:
                    break
                # One counter over the tenant, so even two programmes cover every scenario.
                plans.append((programme, enterprise, SCENARIO_ORDER[next(turn) % len(SCENARIO_ORDER)]))

        made = 0
        with backdated_clock() as clock:
            for programme, enterprise, scenario in plans:
                stages = list(programme.stages.all())
                steps = SCENARIOS[scenario]
                times = _step_times(rng, scenario, steps, _limits_after(steps, stages), today)
                owner = owners[enterprise.pk]
                cap = programme.per_enterprise_cap or programme.budget
                requested = Decimal(rng.randint(int(cap) // 5000, int(cap) // 1000) * 1000).quantize(
                    Decimal("0.01")
                )
                first = times[0] if times else _office_time(rng, _working_day_back(today, rng.randint(1, 5)))
                clock["at"] = first - dt.timedelta(hours=rng.randint(2, 72))
                application = application_create(
                    programme_id=programme.pk,
                    enterprise=enterprise,
                    applicant=owner,
                    requested_amount=requested,
                    answers={"项目简介": f"{enterprise.name}申报{programme.title}。"},
                )
                for (action, who), at in zip(steps, times, strict=True):
                    clock["at"] = at
                    kwargs = {}
                    if action == wf.RETURN:
                        kwargs["comment"] = rng.choice(RETURN_REASONS)
                    elif action == wf.REJECT:
                        kwargs["comment"] = rng.choice(REJECT_REASONS)
                    elif action == wf.ADVANCE and who == "reviewer":
                        kwargs["comment"] = rng.choice(PASS_COMMENTS)
                    elif action == wf.APPROVE:
                        kwargs["amount"] = (requested * Decimal(rng.choice(("1", "0.9", "0.8")))).quantize(
                            Decimal("1000")
                        )
                    application_transition(
                        application_id=application.pk,
                        action=action,
                        actor=owner if who == "owner" else people[who],
                        **kwargs,
                    )
                made += 1
    return made
