"""Rules compiled to SQL narrow the list without changing the answer: the same qualifying set as Python alone."""

import random

import pytest

from matching.rules import QUALIFIES, facts_of, rules_evaluate
from matching.selectors import enterprises_for_matching, programme_matches

from .conftest import make_programme, profiled

TAGS = ["专精特新", "高新技术企业", "瞪羚企业"]
FIELD_VALUES = {
    "size_class": ["large", "medium", "small", "micro"],
    "industry": ["C", "I", "M"],
}


def _random_condition(rng):
    field = rng.choice(
        [
            "size_class",
            "industry",
            "above_designated_size",
            "tags",
            "employees",
            "revenue",
            "rd_share",
            "registered_months",
            "tax_paid",
        ]
    )
    if field in FIELD_VALUES:
        op = rng.choice(["eq", "ne", "in", "not_in"])
        values = FIELD_VALUES[field]
        return {
            "field": field,
            "op": op,
            "value": rng.sample(values, 2) if op in ("in", "not_in") else rng.choice(values),
        }
    if field == "above_designated_size":
        return {"field": field, "op": rng.choice(["eq", "ne"]), "value": rng.choice([True, False])}
    if field == "tags":
        op = rng.choice(["has_tag", "in", "not_in"])
        return {
            "field": field,
            "op": op,
            "value": rng.choice(TAGS) if op == "has_tag" else rng.sample(TAGS, 2),
        }
    op = rng.choice(["eq", "ne", "gte", "lte", "gt", "lt"])
    if field == "employees":
        return {"field": field, "op": op, "value": rng.choice([10, 50, 100])}
    if field == "registered_months":
        return {"field": field, "op": op, "value": rng.choice([0, 1])}
    if field == "rd_share":
        return {"field": field, "op": op, "value": rng.choice([1, 3, 5]), "year": 2025}
    return {"field": field, "op": op, "value": rng.choice([1_000_000, 5_000_000]), "year": 2025}


@pytest.fixture
def varied_park(db, in_alpha):
    rng = random.Random(8)
    for n in range(14):
        figures = {}
        if rng.random() < 0.8:
            revenue = rng.choice([1_000_000, 5_000_000, 10_000_000])
            figures[2025] = {
                "revenue": revenue,
                "rd_spend": revenue * rng.choice([0, 1, 3, 5, 7]) // 100,
                "tax_paid": rng.choice([0, 1_000_000]),
            }
        profile = {"above_designated_size": rng.random() < 0.5}
        if rng.random() < 0.8:
            profile["size_class"] = rng.choice(FIELD_VALUES["size_class"])
        if rng.random() < 0.8:
            profile["industry"] = rng.choice(FIELD_VALUES["industry"])
        if rng.random() < 0.7:
            profile["employees"] = rng.choice([5, 10, 50, 100, 300])
        profiled(
            f"青岛样本{n:02d}有限公司", tags=rng.sample(TAGS, rng.randint(0, 2)), figures=figures, **profile
        )


def test_sql_narrowing_gives_the_same_qualifying_set_as_python_alone(varied_park):
    rng = random.Random(2026)
    programme = make_programme()
    enterprises = list(enterprises_for_matching())
    for _ in range(60):
        rules = {
            "combine": rng.choice(["all", "any"]),
            "conditions": [_random_condition(rng) for _ in range(rng.randint(1, 3))],
        }
        programme.eligibility_rules = rules
        expected = {
            e.pk
            for e in enterprises
            if rules_evaluate(rules, facts_of(e), explain=False).outcome == QUALIFIES
        }
        assert {e.pk for e, _ in programme_matches(programme=programme)} == expected, rules
