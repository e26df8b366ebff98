"""Demo network demands: demands in every network state across units, made by the real services.

Filed on several sub-platforms (online, and taken by phone, at the hall, on WeChat), handled
at home or dispatched to the hub's desks, to another sub-platform or to an admitted
institution; transferred twice, sent back, extended (and refused), supervised, reopened after
an unsatisfied rating. About 96.6% of them end resolved, like Jiaozhou's 627 of 649.

`network_demands_seed_demo(password=...)` is called by seed_demo once the tenants (and the
institutions, if any) exist. Safe to run again: with demo demands already on the hub it does
nothing. The desks' staff sign in on the hub as desk-<code>@parkhub.demo.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.services import user_create
from public_schema.handling_units.models import HandlingUnit
from public_schema.handling_units.services import desk_staff_add, desks_ensure_defaults, supervision_unit
from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff, InstitutionProfile
from public_schema.tenants.models import Tenant

from . import workflow as wf
from .models import NetworkDemand
from .services import demand_file, demand_step, unit_for_tenant

TOTAL = 88  # 85 resolved: 96.6%
OPEN_AT_END = 3
TITLES = {
    "land": ("扩建厂房用地规划调整", "我司在本街道的扩建项目需要调整用地规划，需自然资源局确认。"),
    "financing": ("流动资金贷款对接", "订单增长，需要300万元流动资金，希望对接合作银行。"),
    "technology": ("高新技术企业认定咨询", "准备申报高新技术企业，需要科技局指导材料准备。"),
    "labour": ("技术工人招聘困难", "急需数控技工20名，希望人社局协助组织专场招聘。"),
    "permits": ("环评审批进度", "新产线环评提交已一个月，希望了解审批进度。"),
    "utilities": ("厂区道路积水", "雨季厂区门口道路积水严重，影响货车进出。"),
    "market": ("参加进博会展位申请", "希望通过平台申请进博会展位。"),
}
DESK_FOR = {
    "land": "desk-ziranziyuan",
    "financing": "desk-jinrong",
    "technology": "desk-keji",
    "labour": "desk-renshe",
    "permits": "desk-gongxin",
}


def _deliver_pending() -> None:
    connection.set_schema_to_public()
    for _round in range(5):
        pending = list(
            Handoff.objects.filter(state="pending", kind="ndemand.event").values_list("pk", flat=True)
        )
        if not pending:
            return
        for pk in pending:
            try:
                handoff_deliver(handoff_id=pk)
            except Exception:  # noqa: BLE001 - one out of order: the next round applies it
                pass


def _hub_desk_staff(password: str) -> dict[int, object]:
    User = get_user_model()
    staff = {}
    for desk in desks_ensure_defaults():
        email = f"{desk.code}@parkhub.demo"
        user = User.objects.filter(email=email).first() or user_create(
            email=email, full_name=f"{desk.name}专员", password=password
        )
        desk_staff_add(unit=desk, user=user)
        staff[desk.pk] = user
    return staff


def _site_staff(schema: str, role=roles.PARK_ADMIN):
    User = get_user_model()
    with schema_context(schema):
        return User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()


def _enterprise_owner(schema: str):
    from tenant_schema.enterprises.models import Enterprise, Membership

    with schema_context(schema):
        membership = (
            Membership.objects.filter(enterprise__status=Enterprise.Status.VERIFIED, user__is_active=True)
            .select_related("user", "enterprise")
            .order_by("pk")
            .first()
        )
        return membership.user if membership else None


class _Walk:
    """One demand taken along its path, each step at the unit whose turn it is."""

    def __init__(self, demand, actors):
        self.reference = demand.reference
        self.actors = actors  # unit id -> (schema, user)

    def __call__(self, unit: HandlingUnit, action: str, actor=None, **fields):
        schema, user = self.actors[unit.pk]
        with schema_context(schema):
            copy = NetworkDemand.objects.get(reference=self.reference, unit_id=unit.pk)
            demand_step(demand=copy, action=action, actor=actor or user, **fields)
        _deliver_pending()


def network_demands_seed_demo(  # noqa: C901 - one flat list of the demo's paths reads best
    *, password: str, rng: random.Random | None = None, total: int = TOTAL
) -> int:
    """Demands in every network state; returns how many were filed (0 when the demo has them already)."""
    rng = rng or random.Random("parkhub-demo-network-demands")
    connection.set_schema_to_public()
    watch = supervision_unit()
    if NetworkDemand.objects.filter(unit_id=watch.pk).exists():
        return 0
    desk_staff = _hub_desk_staff(password)
    desks = {u.code: u for u in HandlingUnit.objects.filter(kind=HandlingUnit.Kind.DESK)}
    hub_operator = get_user_model().objects.filter(groups__name=roles.HUB_OPERATOR).order_by("pk").first()
    actors = {pk: ("public", user) for pk, user in desk_staff.items()}
    actors[watch.pk] = ("public", hub_operator)
    sites = []
    for tenant in Tenant.objects.live().exclude(kind=Tenant.Kind.INSTITUTION).order_by("pk")[:8]:
        staff, owner = _site_staff(tenant.schema_name), _enterprise_owner(tenant.schema_name)
        if staff is None or owner is None:
            continue
        unit = unit_for_tenant(tenant=tenant)
        actors[unit.pk] = (tenant.schema_name, staff)
        sites.append((tenant, unit, owner))
    if len(sites) < 2 or hub_operator is None:
        return 0
    institutions = []
    for profile in InstitutionProfile.objects.filter(
        status=InstitutionProfile.Status.ADMITTED
    ).select_related("tenant"):
        staff = _site_staff(profile.tenant.schema_name, roles.INSTITUTION_ADMIN) or _site_staff(
            profile.tenant.schema_name, roles.INSTITUTION_STAFF
        )
        if staff is not None:
            unit = unit_for_tenant(tenant=profile.tenant)
            actors[unit.pk] = (profile.tenant.schema_name, staff)
            institutions.append(unit)
    filed = 0
    for number in range(total):
        tenant, home, owner = sites[number % len(sites)]
        neighbour = sites[(number + 1) % len(sites)][1]
        category = rng.choice(list(TITLES))
        title, description = TITLES[category]
        with schema_context(tenant.schema_name):
            if number % 4 == 3:  # taken by phone, at the hall or on WeChat, recorded by the staff
                demand = demand_file(
                    actor=actors[home.pk][1],
                    unit=home,
                    channel=("phone", "hall", "wechat")[number % 3],
                    title=title,
                    description=description,
                    enterprise_name=f"胶州演示企业{number:03d}有限公司",
                    contact_phone="0532-8888" + f"{number:04d}",
                )
            else:
                demand = demand_file(actor=owner, title=title, description=description)
        filed += 1
        _deliver_pending()
        walk = _Walk(demand, actors)
        desk = desks.get(DESK_FOR.get(category, ""), desks["desk-gongxin"])
        scenario = number % 11
        online = demand.channel == "online"
        # The paths, one per scenario; the last OPEN_AT_END demands stay open, overdue or supervised.
        if number >= total - OPEN_AT_END:
            walk(home, wf.DISPATCH, category=category, to_unit=desk.pk, comment="属市级部门职责，派单办理")
            if number == total - 1:
                walk(desk, wf.SIGN)
                walk(watch, wf.SUPERVISE, deadline=_in_days(3), comment="已超期，请于期限内办结并反馈")
            _backdate(demand.reference, working_days=20)
            continue
        if scenario in (0, 1, 2):  # handled at home
            walk(home, wf.HANDLE, category=category)
            walk(home, wf.ANSWER, comment="经街道协调，问题已解决，并已与企业联系人确认。")
        elif scenario == 3:  # transferred twice
            walk(home, wf.DISPATCH, category=category, to_unit=desk.pk, comment="需市级部门协调")
            walk(desk, wf.SIGN)
            other = desks["desk-gongxin"] if desk.code != "desk-gongxin" else desks["desk-keji"]
            walk(desk, wf.TRANSFER, to_unit=other.pk, comment="涉及产业政策，转工信局办理")
            walk(other, wf.SIGN)
            walk(other, wf.TRANSFER, to_unit=neighbour.pk, comment="需属地街道现场核实")
            walk(neighbour, wf.SIGN)
            walk(neighbour, wf.ANSWER, comment="已现场核实并协调解决。")
        elif scenario == 4:  # sent back, then dispatched to the right desk
            wrong = desks["desk-keji"] if desk.code != "desk-keji" else desks["desk-jinrong"]
            walk(home, wf.DISPATCH, category=category, to_unit=wrong.pk, comment="派单")
            walk(wrong, wf.SEND_BACK, comment="不属于本部门职责，请改派")
            walk(home, wf.DISPATCH, to_unit=desk.pk, comment="改派主管部门")
            walk(desk, wf.SIGN)
            walk(desk, wf.ANSWER, comment="已按政策答复企业。")
        elif scenario == 5:  # extended
            walk(home, wf.DISPATCH, category=category, to_unit=desk.pk, comment="派单")
            walk(desk, wf.SIGN)
            walk(desk, wf.REQUEST_EXTENSION, extension_days=10, comment="需多部门会商，申请延期")
            walk(home, wf.APPROVE_EXTENSION)
            walk(desk, wf.ANSWER, comment="会商完成，已出具办理意见。")
        elif scenario == 6:  # extension refused
            walk(home, wf.DISPATCH, category=category, to_unit=desk.pk, comment="派单")
            walk(desk, wf.SIGN)
            walk(desk, wf.REQUEST_EXTENSION, extension_days=5, comment="材料不全")
            walk(home, wf.REFUSE_EXTENSION, comment="材料可由街道协助补齐，请按期办结")
            walk(desk, wf.ANSWER, comment="已按期办结。")
        elif scenario == 7:  # supervised, then answered
            walk(home, wf.DISPATCH, category=category, to_unit=desk.pk, comment="派单")
            walk(watch, wf.SUPERVISE, deadline=_in_days(2), comment="超时未签收，请立即签收办理")
            walk(desk, wf.SIGN)
            walk(desk, wf.ANSWER, comment="收到督办后已加快办理并答复。")
        elif scenario == 8 and institutions:  # to a service institution
            walk(
                home,
                wf.DISPATCH,
                category=category,
                to_unit=institutions[number % len(institutions)].pk,
                comment="由服务机构提供专业服务",
            )
            unit = institutions[number % len(institutions)]
            walk(unit, wf.SIGN)
            walk(unit, wf.ANSWER, comment="已上门对接并提供服务方案。")
        elif scenario == 9:  # to another sub-platform
            walk(home, wf.DISPATCH, category=category, to_unit=neighbour.pk, comment="企业生产地址在邻近街道")
            walk(neighbour, wf.SIGN)
            walk(neighbour, wf.ANSWER, comment="已协调解决。")
        else:  # reopened after an unsatisfied rating, answered again
            walk(home, wf.DISPATCH, category=category, to_unit=desk.pk, comment="派单")
            walk(desk, wf.SIGN)
            walk(desk, wf.ANSWER, comment="已答复。")
            _rate(walk, home, owner if online else None, "unsatisfied")
            walk(desk, wf.ANSWER, comment="重办：已再次协调，问题彻底解决。")
        _rate(
            walk,
            home,
            owner if online else None,
            rng.choice(("satisfied", "satisfied", "satisfied", "basically_satisfied")),
        )
    connection.set_schema_to_public()
    return filed


def _rate(walk, home, owner, rating: str) -> None:
    """The enterprise rates online; a demand taken by phone is rated on the dispatcher's return visit."""
    if owner is not None:
        walk(home, wf.RATE, owner, rating=rating)
    else:
        walk(home, wf.RETURN_VISIT, rating=rating, comment="电话回访：企业反馈办理情况。")


def _in_days(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def _backdate(reference: str, *, working_days: int) -> None:
    """Demo only: move an open demand's clock back so the board shows it overdue (every copy alike)."""
    from django.utils import timezone

    shift = dt.timedelta(days=working_days * 7 // 5 + 1)
    schemas = ["public", *Tenant.objects.live().values_list("schema_name", flat=True)]
    for schema in schemas:
        with schema_context(schema):
            for copy in NetworkDemand.objects.filter(reference=reference):
                NetworkDemand.objects.filter(pk=copy.pk).update(
                    filed_at=copy.filed_at - shift,
                    due_at=min(copy.due_at - shift, timezone.now() - dt.timedelta(days=1)),
                    max_due_at=copy.max_due_at - shift,
                )
