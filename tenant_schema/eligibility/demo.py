"""Eligibility rules for the demo (seed_demo): every demo login sees all three outcomes.

Runs after tenant_schema.applications.demo, in the current tenant's schema. It gives the
demo programmes real rules and adds two open programmes nobody has applied to, so that
qiye1 (verified) and qiye2 (pending) each find, on "Programmes for me", one they qualify
for, one they do not, and one the park cannot tell yet (their 2026 figures are not
reported). Which of two realistic rules goes to which programme depends on whether
qiye1's enterprise is above designated size, so "does not qualify" shows for it either
way. Safe to run again: programmes are found by title and rules set to the same values.
"""

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from tenant_schema.enterprises.models import Enterprise
from tenant_schema.funding.models import Programme
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

from .rules import ALL
from .services import programme_rules_set

# (title, category, budget, cap, policy document, description): open, and applied to by nobody.
EXTRA_PROGRAMMES = [
    (
        "2026年度高新技术企业培育奖励",
        Programme.Category.AWARD,
        "1500000.00",
        "100000.00",
        "胶科发〔2026〕9号",
        "对已认定的高新技术企业中的制造业企业给予培育奖励，支持其扩大研发和生产。",
    ),
    (
        "2026年度数字化转型专项补助",
        Programme.Category.SUBSIDY,
        "2000000.00",
        "200000.00",
        "胶工信发〔2026〕4号",
        "对2026年营业收入达到500万元的企业实施数字化改造给予补助，按年度营业收入核定。",
    ),
]
QUALIFIES_RULES = {
    "combine": ALL,
    "conditions": [
        {"field": "tags", "op": "has_tag", "value": "高新技术企业"},
        {"field": "industry", "op": "eq", "value": "C"},
    ],
}
# The 2026 figures are reported next year: "cannot tell" until then, for every enterprise.
CANNOT_TELL_RULES = {
    "combine": ALL,
    "conditions": [{"field": "revenue", "op": "gte", "value": 5000000, "year": 2026}],
}
ABOVE_SIZE_ONLY = {
    "combine": ALL,
    "conditions": [{"field": "above_designated_size", "op": "eq", "value": True}],
}
SMALL_ONLY = {
    "combine": ALL,
    "conditions": [
        {"field": "above_designated_size", "op": "eq", "value": False},
        {"field": "size_class", "op": "in", "value": ["small", "micro"]},
    ],
}
# The demo programmes of tenant_schema.funding.demo that get rules here.
AWARD_TITLE = "2026年度专精特新企业奖励"
RD_TITLE = "2026年度企业研发投入补助"
RD_RULES = {
    "combine": ALL,
    "conditions": [{"field": "rd_share", "op": "gte", "value": 3, "year": 2025}],
}


def _extra_programmes() -> list[Programme]:
    now = timezone.now()
    programmes = []
    for title, category, budget, cap, policy, description in EXTRA_PROGRAMMES:
        programme = Programme.objects.filter(title=title).first()
        if programme is None:
            programme = programme_open(
                programme=programme_create(
                    actor=None,
                    guide=demo_guide(),
                    title=title,
                    category=category,
                    description=description,
                    policy_document=policy,
                    budget=Decimal(budget),
                    per_enterprise_cap=Decimal(cap),
                    opens_at=now - dt.timedelta(days=7),
                    closes_at=now + dt.timedelta(days=45),
                    required_documents=[],
                )
            )
        programmes.append(programme)
    return programmes


def eligibility_seed_demo() -> int:
    """Rules on the demo programmes and two open programmes nobody applied to; returns how many got rules."""
    schema = connection.schema_name
    qiye1 = Enterprise.objects.filter(memberships__user__email=f"qiye1@{schema}.demo").first()
    with transaction.atomic():
        qualifies, cannot_tell = _extra_programmes()
        rules = {qualifies: QUALIFIES_RULES, cannot_tell: CANNOT_TELL_RULES}
        award = Programme.objects.filter(title=AWARD_TITLE).first()
        rd = Programme.objects.filter(title=RD_TITLE).first()
        # "Does not qualify" for qiye1 whichever it is: a 规上 enterprise fails "small only".
        above = qiye1 is not None and qiye1.above_designated_size
        if award is not None:
            rules[award] = SMALL_ONLY if above else ABOVE_SIZE_ONLY
        if rd is not None:
            rules[rd] = RD_RULES
        for programme, rule_set in rules.items():
            programme_rules_set(programme=programme, rules=rule_set)
    return len(rules)
