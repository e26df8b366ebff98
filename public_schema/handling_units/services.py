"""Writes of the unit registry: the hub's desks, their staff, and each tenant's own unit."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from public_schema.tenants.models import Tenant

from .models import DeskStaff, HandlingUnit

# The hub's desks a fresh network starts with (seeds 002: the departments gathered on one stop);
# the hub adds or retires desks on its units page.
DEFAULT_DESKS = (
    ("desk-gongxin", "工信局服务窗口"),
    ("desk-keji", "科技局服务窗口"),
    ("desk-jinrong", "金融服务窗口"),
    ("desk-renshe", "人社局服务窗口"),
    ("desk-ziranziyuan", "自然资源局服务窗口"),
)


def hub_tenant() -> Tenant:
    return Tenant.objects.get(schema_name="public")


def supervision_unit() -> HandlingUnit:
    """The hub's supervision office (督办): made the first time it is needed."""
    unit = HandlingUnit.objects.filter(kind=HandlingUnit.Kind.SUPERVISION).first()
    if unit is not None:
        return unit
    try:
        with transaction.atomic():
            return HandlingUnit.objects.create(
                kind=HandlingUnit.Kind.SUPERVISION,
                code="hub-supervision",
                name="市级平台督办",
                tenant=hub_tenant(),
            )
    except IntegrityError:
        return HandlingUnit.objects.get(kind=HandlingUnit.Kind.SUPERVISION)


def unit_for_tenant(*, tenant: Tenant) -> HandlingUnit:
    """A sub-platform's, park's or institution's own unit, made the first time it is needed."""
    kind = (
        HandlingUnit.Kind.INSTITUTION
        if tenant.kind == Tenant.Kind.INSTITUTION
        else HandlingUnit.Kind.SUBPLATFORM
    )
    unit = HandlingUnit.objects.filter(tenant=tenant, kind=kind).first()
    if unit is not None:
        return unit
    # A deleted tenant's unit keeps its history under its tombstone, and gives up the code: a
    # tenant restored (or made anew) under the same slug is a unit of its own.
    HandlingUnit.objects.filter(code=tenant.schema_name).exclude(tenant__slot=Tenant.Slot.LIVE).update(
        code=Concat(F("code"), Value("-deleted-"), Cast(F("pk"), CharField()))
    )
    try:
        with transaction.atomic():
            return HandlingUnit.objects.create(
                kind=kind, code=tenant.schema_name, name=tenant.name, tenant=tenant
            )
    except IntegrityError:
        return HandlingUnit.objects.get(tenant=tenant, kind=kind)


def desk_create(*, name: str, code: str = "") -> HandlingUnit:
    """A new department desk on the hub; its code is made from the name when none is given."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the desk.")})
    code = slugify(code or "") or f"desk-{HandlingUnit.objects.count() + 1}"
    if HandlingUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Another unit already uses this code.")})
    return HandlingUnit.objects.create(kind=HandlingUnit.Kind.DESK, code=code, name=name, tenant=hub_tenant())


def desks_ensure_defaults() -> list[HandlingUnit]:
    hub = hub_tenant()
    return [
        HandlingUnit.objects.get_or_create(
            code=code, defaults={"kind": HandlingUnit.Kind.DESK, "name": name, "tenant": hub}
        )[0]
        for code, name in DEFAULT_DESKS
    ]


def desk_staff_add(*, unit: HandlingUnit, user) -> DeskStaff:
    """Seat a hub account at a desk (or the supervision office); a second seat is the same one."""
    if not unit.is_on_hub:
        raise ValidationError(
            _("Only the hub's desks have staff seats; a site's staff are its own accounts.")
        )
    return DeskStaff.objects.get_or_create(unit=unit, user=user)[0]
