"""Illustrative programmes (政策) for the Jiaozhou demo network (seed_demo).

Titles, budgets and policy references are plausible but made up. Each programme has the
five default stages (受理 → 初审 → 专家评审 → 公示 → 拨付) and is open for applications,
so tenant_schema.applications.demo can apply to it. Runs in the current tenant's schema.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tenant_schema.programme_forms.demo import demo_guide

from .models import Programme
from .services import programme_create, programme_open

# (title, category, budget, cap per enterprise, policy document, description)
DEMO_PROGRAMMES = [
    (
        "2026年度专精特新企业奖励",
        Programme.Category.AWARD,
        "3000000.00",
        "300000.00",
        "胶政办发〔2026〕8号",
        "对新认定的省级专精特新中小企业、国家级专精特新“小巨人”企业给予一次性奖励。",
    ),
    (
        "2026年度企业研发投入补助",
        Programme.Category.SUBSIDY,
        "5000000.00",
        "500000.00",
        "胶科发〔2026〕3号",
        "按企业上年度研发费用加计扣除额的一定比例给予补助，重点支持制造业企业。",
    ),
    (
        "2026年度中小微企业贷款贴息",
        Programme.Category.LOAN_INTEREST,
        "2000000.00",
        "200000.00",
        "胶财发〔2026〕15号",
        "对中小微企业用于生产经营的银行贷款，按贷款市场报价利率的50%给予贴息。",
    ),
]
# Long enough before "now" for the demo applications' backdated history to fit in.
OPEN_FOR_DAYS_BEFORE = 150
CLOSE_AFTER_DAYS = 60


def programmes_seed_demo(*, count: int) -> list[Programme]:
    """The first `count` demo programmes of the current schema, created (open) if missing.

    Safe to run again: a programme whose title already exists is kept as it is.
    """
    now = timezone.now()
    programmes = []
    for title, category, budget, cap, policy, description in DEMO_PROGRAMMES[:count]:
        programme = Programme.objects.filter(title=title).first()
        if programme is None:
            programme = programme_create(
                actor=None,
                guide=demo_guide(cap=Decimal(cap)),
                title=title,
                category=category,
                description=description,
                policy_document=policy,
                budget=Decimal(budget),
                per_enterprise_cap=Decimal(cap),
                opens_at=now - dt.timedelta(days=OPEN_FOR_DAYS_BEFORE),
                closes_at=now + dt.timedelta(days=CLOSE_AFTER_DAYS),
                # No required documents: the demo attaches no files, and submission checks them.
                required_documents=[],
            )
            programme = programme_open(programme=programme)
        programmes.append(programme)
    return programmes
