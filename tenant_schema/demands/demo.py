"""Illustrative demands for the Jiaozhou demo network (seed_demo), in the current tenant's schema.

Unlike the enterprise seed, demands are not bulk-inserted: their history is append-only
and must read like the real thing, so the seed replays each demand's months through the
real services (demand_file, demand_transition, demands_close_unrated) on a simulated
clock. Nothing is sent for the past: in-app notices and mail are switched off while it
replays. Every tenant gets some overdue and some reopened demands. Safe to run again: a
tenant that already has demands gets none.
"""

import datetime as dt
import random
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from every_schema.accounts import roles
from every_schema.accounts.services import user_create
from tenant_schema.enterprises.models import Enterprise, Membership

from . import workflow as wf
from .models import Demand, Rating
from .services import demand_file, demand_transition, demands_close_unrated

DEMO_DEMANDS_PER_TENANT = 30  # 15 tenants: 450 demands over the network
DEMO_ENTERPRISES_FILING = 8
DAYS_BACK = 180

# (category, title, description, department) — illustrative problems of the kinds seeds/002 lists.
PROBLEMS = [
    (
        "financing",
        "流动资金贷款额度不足",
        "订单增长较快，现有授信额度不够，希望对接银行提高授信或申请应急转贷资金。",
        "金融服务中心",
    ),
    (
        "financing",
        "申请贷款贴息需要哪些材料",
        "想申请今年的中小企业贷款贴息，不清楚需要准备哪些材料、何时截止。",
        "金融服务中心",
    ),
    (
        "labour",
        "急需招聘熟练焊工",
        "新生产线投产，缺少持证焊工约20名，希望协助对接职业院校和人力资源市场。",
        "人力资源和社会保障所",
    ),
    (
        "labour",
        "高层次人才住房补贴咨询",
        "公司引进两名博士，想了解人才住房补贴的申报条件和流程。",
        "人才工作办公室",
    ),
    ("land", "扩建厂房用地指标", "计划扩建二期厂房约30亩，希望了解用地指标和规划条件。", "自然资源所"),
    (
        "land",
        "标准厂房租赁需求",
        "因产能扩张需租赁3000平方米左右标准厂房，希望园区推荐合适房源。",
        "招商服务中心",
    ),
    (
        "utilities",
        "厂区门口道路积水",
        "雨后厂区门口道路积水严重，货车无法进出，请协调市政部门处理。",
        "市政公用事业科",
    ),
    ("utilities", "用电增容审批缓慢", "新增设备需要增容至2000千伏安，报装已一个月仍未答复。", "供电服务站"),
    (
        "utilities",
        "天然气管道接入",
        "新厂区尚未接通天然气，影响锅炉调试，希望协调燃气公司尽快接入。",
        "市政公用事业科",
    ),
    ("permits", "环评手续办理咨询", "技改项目需要办理环评，想了解是否可以简化流程及办理时限。", "生态环境所"),
    ("permits", "消防验收预约", "新建仓库已完工，需要预约消防验收，希望尽快安排。", "行政审批服务中心"),
    (
        "technology",
        "申报高新技术企业辅导",
        "计划今年申报高新技术企业，希望获得申报辅导和研发费用归集指导。",
        "科技创新服务中心",
    ),
    (
        "technology",
        "对接高校联合研发",
        "希望与高校合作开发新材料配方，请帮助对接相关院系和专家。",
        "科技创新服务中心",
    ),
    ("market", "参加境外展会补贴", "计划参加广交会和德国展会，想了解展位费补贴政策。", "商务服务中心"),
    ("market", "产品进入政府采购目录", "公司节能产品希望进入政府采购目录，请指导办理流程。", "商务服务中心"),
    ("other", "企业门前公交站点设置", "园区员工通勤不便，建议在企业门前增设公交站点。", "综合协调办公室"),
]
ANSWERS = [
    "已与相关部门现场对接，问题已协调解决，后续如有需要请随时联系。",
    "已按政策为企业办理，相关材料清单和办理流程已发送至企业联系人。",
    "已协调相关单位制定方案并落实，预计本周内完成。",
    "已组织银行、职能部门上门服务，企业需求已对接落实。",
]
REPLIES = [
    "已受理，已联系相关部门了解情况。",
    "已安排专人对接，将尽快现场查看。",
    "已转相关科室办理，正在协调。",
]
REOPEN_COMMENTS = ["问题仍未解决，希望进一步协调。", "答复不够具体，仍不清楚如何办理。"]


@contextmanager
def _replay(clock: dict):
    """Services read the simulated clock; notices about the past are not sent."""
    with (
        mock.patch("django.utils.timezone.now", side_effect=lambda: clock["now"]),
        mock.patch("tenant_schema.demands.notices.notification_send", return_value=0),
    ):
        yield


def _filers(rng: random.Random) -> list:
    """Enterprise people who file: the demo owner (qiye1) and a contact of a few other verified enterprises."""
    schema = connection.schema_name
    filers = [
        m.user for m in Membership.objects.select_related("user").filter(user__email=f"qiye1@{schema}.demo")
    ]
    others = list(
        Enterprise.objects.filter(status=Enterprise.Status.VERIFIED, memberships__isnull=True).order_by("pk")[
            :200
        ]
    )
    rng.shuffle(others)
    for index, enterprise in enumerate(others[: DEMO_ENTERPRISES_FILING - len(filers)]):
        with transaction.atomic():
            user = user_create(
                email=f"lianxiren{index + 1}@{schema}.demo",
                full_name=enterprise.contact_name or "联系人",
                role=roles.ENTERPRISE_USER,
            )  # no password: a filer of the demo's past, not a login
            Membership.objects.create(user=user, enterprise=enterprise, role=Membership.Role.OWNER)
        filers.append(user)
    return filers


def _staff() -> list:
    User = get_user_model()
    reviewers = list(User.objects.filter(groups__name=roles.REVIEWER, is_active=True).order_by("pk"))
    admins = list(User.objects.filter(groups__name=roles.PARK_ADMIN, is_active=True).order_by("pk"))
    return reviewers + admins[:1]


def demands_seed_demo(
    *, rng: random.Random, count: int = DEMO_DEMANDS_PER_TENANT, now: dt.datetime | None = None
) -> int:
    """Seed `count` demands in the current tenant over the last six months; returns how many were made."""
    if Demand.objects.exists():
        return 0
    now = now or timezone.now()
    filers, staff = _filers(rng), _staff()
    if not filers or not staff:
        return 0
    clock = {"now": now}
    made = 0
    with _replay(clock):
        for index in range(count):
            # The first ones are the cases a demo must show: two neglected (overdue), two reopened.
            scenario = ("neglected", "neglected", "reopened", "reopened")[index] if index < 4 else None
            _replay_one(rng, clock, now, filers, staff, scenario)
            made += 1
        clock["now"] = now
        demands_close_unrated()  # answers left unrated for 5 working days
    return made


class _Replay:
    """One demand's replayed life: a clock that only moves forward, and the steps taken on it."""

    def __init__(self, clock, now, moment):
        self.clock, self.now, self.moment = clock, now, moment
        self.demand = None
        clock["now"] = moment

    def at(self, delay_hours: float) -> bool:
        """Advance the clock; False when that moment has not come yet (the demand stops there)."""
        self.moment = self.moment + dt.timedelta(hours=delay_hours)
        if self.moment >= self.now:
            return False
        self.clock["now"] = self.moment
        return True

    def step(self, action, actor, **kwargs):
        return demand_transition(demand_id=self.demand.pk, action=action, actor=actor, **kwargs)


def _replay_start(rng, now, scenario) -> dt.datetime:
    if scenario == "neglected":
        start = now - dt.timedelta(days=rng.uniform(12, 40))
    elif scenario == "reopened":
        start = now - dt.timedelta(days=rng.uniform(8, 14))
    else:
        start = now - dt.timedelta(days=rng.uniform(0.1, DAYS_BACK))
    moment = timezone.localtime(start).replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
    return now - dt.timedelta(minutes=30) if moment >= now else moment


def _replay_one(rng, clock, now, filers, staff, scenario):
    category, title, description, department = rng.choice(PROBLEMS)
    filer = rng.choice(filers)
    handler = rng.choice(staff)
    replay = _Replay(clock, now, _replay_start(rng, now, scenario))
    replay.demand = demand_file(
        enterprise=filer.membership.enterprise,
        filer=filer,
        category=category,
        title=title,
        description=description,
    )
    if not replay.at(rng.uniform(0.5, 20)):
        return
    replay.step(wf.ACCEPT, handler, department=department)
    if scenario == "neglected":
        return
    late_reply = rng.random() < 0.08
    if not replay.at(rng.uniform(80, 150) if late_reply else rng.uniform(1, 40)):
        return
    replay.step(wf.REPLY, handler, comment=rng.choice(REPLIES))
    answer_after = _replay_answer_delay(rng, replay, handler, scenario)
    if answer_after is None or not replay.at(answer_after):
        return
    replay.step(wf.ANSWER, handler, comment=rng.choice(ANSWERS))
    _replay_rating(rng, replay, filer, handler, scenario)


def _replay_answer_delay(rng, replay: _Replay, handler, scenario) -> float | None:
    """Hours from the first reply to the answer: a few extended, a few late; None if the extension is still to come."""
    roll = rng.random()
    if roll < 0.06 and scenario is None:
        if not replay.at(rng.uniform(24, 120)):
            return None
        replay.step(
            wf.EXTEND,
            handler,
            extension_days=rng.randint(5, 10),
            comment="涉及多个部门联合办理，需延长办理时限。",
        )
        return rng.uniform(200, 500)
    if roll < 0.14 and scenario is None:
        return rng.uniform(500, 700)  # answered late
    return rng.uniform(10, 200 if scenario is None else 40)


def _replay_rating(rng, replay: _Replay, filer, handler, scenario) -> None:
    """The enterprise rates the answer: mostly satisfied, some reopen it, some stay silent."""
    rating_roll = rng.random()
    if scenario == "reopened" or rating_roll < 0.07:
        if not replay.at(rng.uniform(4, 60)):
            return
        replay.step(wf.RATE, filer, rating=Rating.UNSATISFIED, comment=rng.choice(REOPEN_COMMENTS))
        if scenario == "reopened":
            return
        if not replay.at(rng.uniform(24, 200)):
            return
        replay.step(wf.ANSWER, handler, comment="经再次协调，" + rng.choice(ANSWERS))
        rating_roll = 0.5
    if rating_roll > 0.93:
        return  # silence: closed without rating once 5 working days pass
    if not replay.at(rng.uniform(2, 80)):
        return
    rating = Rating.SATISFIED if rating_roll < 0.75 else Rating.BASICALLY_SATISFIED
    replay.step(wf.RATE, filer, rating=rating, comment="")
