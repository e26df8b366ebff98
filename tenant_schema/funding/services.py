"""Writes for programmes and their stages."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from tenant_schema.programme_forms.services import guide_require, guide_save

from .models import Programme, Stage

# 受理 intake → 初审 preliminary review → 专家评审 expert review → 公示 public notice → 拨付 disbursement
DEFAULT_STAGES = [
    {
        "name": "受理",
        "public_name": "受理",
        "kind": Stage.Kind.REVIEW,
        "role": Stage.Role.REVIEWER,
        "office": "园区企业服务中心",
        "time_limit_days": 3,
    },
    {
        "name": "初审",
        "public_name": "初审",
        "kind": Stage.Kind.REVIEW,
        "role": Stage.Role.REVIEWER,
        "office": "园区经济发展部",
        "time_limit_days": 5,
    },
    {
        "name": "专家评审",
        "public_name": "专家评审",
        "kind": Stage.Kind.REVIEW,
        "role": Stage.Role.PARK_ADMIN,
        "office": "评审委员会",
        "time_limit_days": 10,
    },
    {
        "name": "公示",
        "public_name": "公示",
        "kind": Stage.Kind.NOTICE,
        "role": Stage.Role.PARK_ADMIN,
        "office": "园区管委会",
        "time_limit_days": 5,
    },
    {
        "name": "拨付",
        "public_name": "资金拨付",
        "kind": Stage.Kind.DISBURSEMENT,
        "role": Stage.Role.PARK_ADMIN,
        "office": "财政所",
        "time_limit_days": 10,
    },
]


def _require_park_admin_or_system(actor) -> None:
    """A person must be a park administrator; None is the system (a city programme's delivery, the demo seed)."""
    if actor is None:
        return
    if not (actor.is_authenticated and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN))):
        raise PermissionDenied(_("Only a park administrator can create a programme."))


def programme_create(
    *, actor, stages: list[dict] | None = None, guide: dict | None = None, **fields
) -> Programme:
    """Create a programme with its stages (the five default ones unless given) and, if given, its guide.

    `actor` is a park administrator, or None for the system (PermissionDenied otherwise).
    `guide` is the 申兑指南 (tenant_schema.programme_forms.services.GUIDE_FIELDS); it is needed to open.
    """
    _require_park_admin_or_system(actor)
    programme = Programme(created_by=actor, **fields)
    _programme_check(programme)
    with transaction.atomic():
        programme.save()
        _stages_write(programme, stages or DEFAULT_STAGES)
        if guide:
            guide_save(programme=programme, actor=actor, **guide)
    return programme


def _programme_check(programme: Programme) -> None:
    errors = {}
    if programme.budget is None or Decimal(programme.budget) <= 0:
        errors["budget"] = _("The budget must be more than zero.")
    if programme.per_enterprise_cap is not None and programme.per_enterprise_cap > (programme.budget or 0):
        errors["per_enterprise_cap"] = _("The cap per enterprise cannot exceed the budget.")
    if programme.opens_at and programme.closes_at and programme.closes_at <= programme.opens_at:
        errors["closes_at"] = _("The closing time must be after the opening time.")
    if errors:
        raise ValidationError(errors)
    programme.full_clean(exclude=["created_by"])


def _stages_write(programme: Programme, stages: list[dict]) -> None:
    if not stages:
        raise ValidationError({"stages": _("A programme needs at least one stage.")})
    kinds = [stage.get("kind", Stage.Kind.REVIEW) for stage in stages]
    if kinds[0] != Stage.Kind.REVIEW:
        raise ValidationError({"stages": _("The first stage must be a review stage.")})
    order = {Stage.Kind.REVIEW: 0, Stage.Kind.NOTICE: 1, Stage.Kind.DISBURSEMENT: 2}
    if (
        [order[kind] for kind in kinds] != sorted(order[kind] for kind in kinds)
        or kinds.count(Stage.Kind.NOTICE) > 1
        or kinds.count(Stage.Kind.DISBURSEMENT) > 1
    ):
        raise ValidationError(
            {
                "stages": _(
                    "Put review stages first, then at most one public notice, then at most one disbursement."
                )
            }
        )
    objects = []
    for position, stage in enumerate(stages, start=1):
        limit = int(stage.get("time_limit_days", 5))
        if not 1 <= limit <= 60:
            raise ValidationError({"stages": _("A time limit is 1 to 60 working days.")})
        objects.append(Stage(programme=programme, position=position, **{**stage, "time_limit_days": limit}))
    Stage.objects.bulk_create(objects)


def programme_stages_replace(*, programme: Programme, stages: list[dict]) -> Programme:
    """Change the stage list, which is allowed only until the first application arrives."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if programme.applications.exclude(status="draft").exists():
            raise ValidationError(
                {"stages": _("Applications have been submitted: the stages can no longer change.")}
            )
        programme.stages.all().delete()
        _stages_write(programme, stages)
        programme.save(update_fields=["updated_at"])  # the stages are part of the programme API clients sync
    return programme


def programme_update(*, programme: Programme, **fields) -> Programme:
    for name, value in fields.items():
        setattr(programme, name, value)
    _programme_check(programme)
    programme.save()
    return programme


def programme_open(*, programme: Programme) -> Programme:
    """Open for applications; refused (field `guide`) until the programme's guide (申兑指南) is written.

    A park's copy of a city-wide programme is opened by its delivery: the hub's programme
    carries no guide yet, so the copy opens without one (its page says to ask the park).
    """
    if programme.city_programme_id is None:
        guide_require(programme)
    programme.status = Programme.Status.OPEN
    programme.save(update_fields=["status", "updated_at"])
    return programme


def programme_close(*, programme: Programme) -> Programme:
    programme.status = Programme.Status.CLOSED
    programme.save(update_fields=["status", "updated_at"])
    return programme
