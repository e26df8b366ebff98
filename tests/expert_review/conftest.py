"""A programme whose 专家评审 stage has a score sheet, an expert pool, and applications at that stage."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.expert_review.services import expert_add, score_sheet_create

from ..applications.conftest import act, draft_for, make_programme
from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register
from ..factories import verified

CRITERIA = [
    {"name": "技术创新性", "weight": "40", "max_points": 10},
    {"name": "市场前景", "weight": "35", "max_points": 20},
    {"name": "财务状况", "weight": "25", "max_points": 5},
]


@pytest.fixture
def in_alpha(db, tenant_a):
    with schema_context(ALPHA):
        yield


@pytest.fixture
def admin(in_alpha):
    return make_user(ALPHA, role=roles.PARK_ADMIN)


@pytest.fixture
def reviewer(in_alpha):
    return make_user(ALPHA, role=roles.REVIEWER)


def expert_stage(programme):
    return programme.stages.get(name="专家评审")


def make_sheet(programme, admin, **options):
    fields = {"experts_per_application": 3, "rule": "threshold", "threshold": "60", "fields": ["智能制造"]}
    fields.update(options)
    return score_sheet_create(actor=admin, stage=expert_stage(programme), criteria=CRITERIA, **fields)


def make_experts(admin, count, *, field="智能制造", employer=""):
    return [
        expert_add(
            actor=admin,
            email=f"expert{n}-{field}@experts.test",
            full_name=f"专家{n}号",
            fields=[field],
            employer=employer,
        )
        for n in range(1, count + 1)
    ]


def at_expert_stage(registration, programme, reviewer, amount="100000.00"):
    """An application passed by 受理 and 初审, now at 专家评审."""
    application = draft_for(registration, programme, amount=amount)
    act(application, "submit", registration.user)
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    application.refresh_from_db()
    assert application.current_stage.name == "专家评审"
    return application


@pytest.fixture
def world(admin, reviewer):
    programme = make_programme(budget="1000000.00", cap="200000.00")
    sheet = make_sheet(programme, admin)
    experts = make_experts(admin, 5)
    x = verified(register(ALPHA, name="青岛星海机械有限公司"))
    y = verified(register(ALPHA, name="青岛远洋食品有限公司"))
    return {
        "programme": programme,
        "sheet": sheet,
        "experts": experts,
        "x": x,
        "y": y,
        "app_x": at_expert_stage(x, programme, reviewer),
        "app_y": at_expert_stage(y, programme, reviewer, amount="80000.00"),
    }


def full_marks_share(share: Decimal) -> dict:
    """Scores worth `share` (0..1) of each criterion's maximum."""
    return {c["name"]: share * c["max_points"] for c in CRITERIA}
