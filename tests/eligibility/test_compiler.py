"""Rules compiled to SQL give the park the same answer as Python, enterprise by enterprise.

The database now decides who qualifies (push, 免申即享, the qualifying page and API, the
overview), while the match report and the words on the page come from tenant_schema.eligibility.rules. If
the two disagreed, an enterprise would be pushed a programme its own report says it does
not qualify for. So every field and operator, all / any, missing data and the arithmetic
edges (the R&D share's rounding, calendar months) are compared on hand-made enterprises,
and random rule sets on random enterprises.
"""

import datetime as dt
import itertools
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from every_schema.accounts import roles
from tenant_schema.eligibility import compiler
from tenant_schema.eligibility.rules import CANNOT_TELL, DOES_NOT_QUALIFY, QUALIFIES, facts_of, rules_evaluate
from tenant_schema.eligibility.selectors import (
    enterprises_for_matching,
    programme_qualifying_ids,
    programmes_outcome_counts,
    programmes_qualifying_ids,
)
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.services import enterprise_create, figures_upsert, tag_get_or_create

from ..conftest import make_user
from ..enterprises.conftest import new_credit_code, register
from .conftest import make_programme

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_OUTCOMES = (QUALIFIES, CANNOT_TELL, DOES_NOT_QUALIFY)
TAGS = ["专精特新", "高新技术企业", "瞪羚企业"]
# Moments the park looks from: a month's last day, a 31st late in the UTC evening, and a
# Shanghai midnight that is still the previous day in UTC (Python reads `now` as given).
NOWS = [
    dt.datetime(2026, 2, 28, 12, 0, tzinfo=UTC),
    dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
    dt.datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI),
]


def enterprise(name, *, tags=(), figures=None, registered=None, **profile) -> Enterprise:
    """A verified enterprise added by the park, with its figures; `registered` backdates it."""
    admin = make_user(connection.schema_name, role=roles.PARK_ADMIN)
    made = enterprise_create(
        actor=admin,
        credit_code=new_credit_code(),
        name=name,
        tags=[tag_get_or_create(name=tag) for tag in tags],
        **profile,
    )
    for year, values in (figures or {}).items():
        figures_upsert(
            enterprise=made,
            year=year,
            **{k: None if v is None else Decimal(str(v)) for k, v in values.items()},
        )
    if registered is not None:
        Enterprise.objects.filter(pk=made.pk).update(created_at=registered)  # registered back then
    return made


def sql_outcomes(rules, now) -> dict[int, str]:
    return dict(compiler.outcome_page(rules, outcomes=ALL_OUTCOMES, offset=0, limit=100_000, now=now))


def python_outcomes(rules, now) -> dict[int, str]:
    return {
        e.pk: rules_evaluate(rules, facts_of(e, now=now), explain=False).outcome
        for e in enterprises_for_matching()
    }


def assert_sql_matches_python(rules, now):
    expected = python_outcomes(rules, now)
    names = dict(Enterprise.objects.values_list("pk", "name"))
    got = sql_outcomes(rules, now)
    wrong = {names[pk]: (got.get(pk), outcome) for pk, outcome in expected.items() if got.get(pk) != outcome}
    assert not wrong, f"{rules} at {now}: (sql, python) {wrong}"
    assert set(got) == set(expected)
    assert compiler.qualifying_ids(rules, now=now) == sorted(
        pk for pk, outcome in expected.items() if outcome == QUALIFIES
    )


@pytest.fixture
def catalogue(db, in_alpha):
    """Enterprises at the edges: complete, blank, zero revenue, shares on rounding ties, month ends."""
    return {
        "complete": enterprise(
            "青岛资料齐全有限公司",
            size_class="medium",
            industry="C",
            above_designated_size=True,
            employees=120,
            tags=["专精特新", "高新技术企业"],
            figures={
                2025: {"revenue": 10_000_000, "tax_paid": 600_000, "rd_spend": 400_000, "output_value": None},
                2024: {
                    "revenue": 8_000_000,
                    "tax_paid": 500_000,
                    "rd_spend": 80_000,
                    "output_value": 9_000_000,
                },
            },
            registered=dt.datetime(2025, 1, 15, 3, 0, tzinfo=UTC),
        ),
        "blank": enterprise("青岛资料空白有限公司"),
        "zero_revenue": enterprise(
            "青岛零收入有限公司",
            size_class="small",
            employees=0,
            figures={2025: {"revenue": 0, "rd_spend": 5_000, "tax_paid": 0}},
        ),
        # 2.985% rounds half-even to 2.98 (rounding half up would say 2.99); 2.995% to 3.00.
        "share_2_985": enterprise(
            "青岛二点九八五有限公司", figures={2025: {"revenue": 100_000, "rd_spend": 2_985}}
        ),
        "share_2_995": enterprise(
            "青岛二点九九五有限公司", figures={2025: {"revenue": 100_000, "rd_spend": 2_995}}
        ),
        "share_third": enterprise("青岛三分之一有限公司", figures={2025: {"revenue": 300, "rd_spend": 10}}),
        "share_huge": enterprise(
            "青岛巨额研发有限公司", figures={2025: {"revenue": "0.01", "rd_spend": "99999999999999.99"}}
        ),
        "spend_missing": enterprise("青岛研发未报有限公司", figures={2025: {"revenue": 1_000_000}}),
        "registered_jan_31": enterprise(
            "青岛一月末有限公司", registered=dt.datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
        ),
        "registered_feb_28": enterprise(
            "青岛二月末有限公司", registered=dt.datetime(2026, 2, 28, 23, 59, tzinfo=UTC)
        ),
        # The 28th in UTC, already the 29th in Shanghai: Python counts on the UTC date.
        "registered_utc_28th": enterprise(
            "青岛时区边界有限公司", registered=dt.datetime(2026, 1, 28, 17, 0, tzinfo=UTC)
        ),
        "registered_later": enterprise(
            "青岛未来注册有限公司", registered=dt.datetime(2026, 12, 1, tzinfo=UTC)
        ),
    }


def conditions_of(field: str) -> list[dict]:
    """Every operator of `field`, with values on and around the catalogue's edges."""
    numbers = {
        "employees": [0, 120, Decimal("120.5"), 121],
        "revenue": [0, 8_000_000, 10_000_000],
        "tax_paid": [0, 600_000],
        "rd_spend": [2_985, 400_000],
        "output_value": [0, 9_000_000],
        "rd_share": [
            0,
            Decimal("2.98"),
            Decimal("2.985"),
            Decimal("2.99"),
            3,
            Decimal("3.005"),
            Decimal("3.33"),
            4,
        ],
        "registered_months": [0, 1, Decimal("1.5"), 2, 13],
    }
    if field in ("size_class", "industry"):
        one, other = ("medium", "small") if field == "size_class" else ("C", "I")
        return [
            {"field": field, "op": "eq", "value": one},
            {"field": field, "op": "ne", "value": one},
            {"field": field, "op": "in", "value": [one, other]},
            {"field": field, "op": "not_in", "value": [one, other]},
        ]
    if field == "above_designated_size":
        return [{"field": field, "op": op, "value": value} for op in ("eq", "ne") for value in (True, False)]
    if field == "tags":
        return [
            {"field": field, "op": "has_tag", "value": "专精特新"},
            {"field": field, "op": "has_tag", "value": "没人有的标签"},
            {"field": field, "op": "in", "value": ["瞪羚企业", "高新技术企业"]},
            {"field": field, "op": "not_in", "value": ["专精特新"]},
            {"field": field, "op": "not_in", "value": ["没人有的标签"]},
        ]
    years = [2025, 2024] if field not in ("employees", "registered_months") else [None]
    conditions = []
    for year in years:
        for op in ("eq", "ne", "gte", "lte", "gt", "lt"):
            for value in numbers[field]:
                condition = {
                    "field": field,
                    "op": op,
                    "value": float(value) if isinstance(value, Decimal) else value,
                }
                if year:
                    condition["year"] = year
                conditions.append(condition)
    return conditions


@pytest.mark.parametrize(
    "field",
    [
        "size_class",
        "industry",
        "above_designated_size",
        "tags",
        "employees",
        "revenue",
        "tax_paid",
        "rd_spend",
        "output_value",
        "rd_share",
        "registered_months",
    ],
)
def test_every_operator_of_every_field_gives_pythons_outcome(catalogue, field):
    for now in NOWS:
        for condition in conditions_of(field):
            assert_sql_matches_python({"combine": "all", "conditions": [condition]}, now)


def _outcome(rules, who, now=NOWS[0]):
    return sql_outcomes(rules, now)[who.pk]


def test_rd_share_is_rounded_half_even_like_the_enterprises_report(catalogue):
    def share(op, value):
        return {"conditions": [{"field": "rd_share", "op": op, "value": value, "year": 2025}]}

    assert _outcome(share("eq", 2.98), catalogue["share_2_985"]) == QUALIFIES
    assert _outcome(share("gte", 2.99), catalogue["share_2_985"]) == DOES_NOT_QUALIFY
    assert _outcome(share("gte", 3), catalogue["share_2_995"]) == QUALIFIES
    assert _outcome(share("eq", 3.33), catalogue["share_third"]) == QUALIFIES
    assert _outcome(share("gte", 1000), catalogue["share_huge"]) == QUALIFIES
    # No revenue, or no R&D spend: the share is unknown, not zero.
    assert _outcome(share("lt", 1), catalogue["zero_revenue"]) == CANNOT_TELL
    assert _outcome(share("lt", 1), catalogue["spend_missing"]) == CANNOT_TELL


def test_months_registered_are_calendar_months_on_the_utc_date(catalogue):
    def months(op, value):
        return {"conditions": [{"field": "registered_months", "op": op, "value": value}]}

    feb_28 = dt.datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    mar_31 = dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    # 31 January to 28 February: the 31st has not come round, so not a month yet.
    assert _outcome(months("eq", 0), catalogue["registered_jan_31"], feb_28) == QUALIFIES
    assert _outcome(months("eq", 2), catalogue["registered_jan_31"], mar_31) == QUALIFIES
    # 28 January 17:00 UTC is the 29th in Shanghai; Python counts the UTC 28th, so a month on 28 February.
    assert _outcome(months("gte", 1), catalogue["registered_utc_28th"], feb_28) == QUALIFIES
    # Registered after `now`: 0 months, not a negative number.
    assert _outcome(months("eq", 0), catalogue["registered_later"], feb_28) == QUALIFIES


def test_missing_data_cannot_tell_even_for_not_equal_and_none_of(catalogue):
    blank = catalogue["blank"]
    for condition in (
        {"field": "size_class", "op": "ne", "value": "large"},
        {"field": "industry", "op": "not_in", "value": ["K", "J"]},
        {"field": "employees", "op": "ne", "value": 10},
        {"field": "revenue", "op": "ne", "value": 1, "year": 2025},
    ):
        assert _outcome({"conditions": [condition]}, blank) == CANNOT_TELL, condition
    # An enterprise without tags is known to have none of them.
    assert (
        _outcome({"conditions": [{"field": "tags", "op": "not_in", "value": ["专精特新"]}]}, blank)
        == QUALIFIES
    )
    assert _outcome({"conditions": [{"field": "tags", "op": "has_tag", "value": "专精特新"}]}, blank) == (
        DOES_NOT_QUALIFY
    )


MET = {"field": "employees", "op": "gte", "value": 1}
NOT_MET = {"field": "employees", "op": "gte", "value": 1000}
UNKNOWN = {"field": "revenue", "op": "gte", "value": 1, "year": 2023}


@pytest.mark.parametrize(
    "combine, conditions, outcome",
    [
        ("all", [MET, MET], QUALIFIES),
        ("all", [MET, NOT_MET], DOES_NOT_QUALIFY),
        ("all", [MET, UNKNOWN], CANNOT_TELL),
        ("all", [NOT_MET, UNKNOWN], DOES_NOT_QUALIFY),
        ("any", [NOT_MET, MET], QUALIFIES),
        ("any", [UNKNOWN, MET], QUALIFIES),
        ("any", [NOT_MET, UNKNOWN], CANNOT_TELL),
        ("any", [NOT_MET, NOT_MET], DOES_NOT_QUALIFY),
        ("all", [], QUALIFIES),
        ("any", [], QUALIFIES),
    ],
)
def test_all_and_any_decide_with_three_valued_logic(catalogue, combine, conditions, outcome):
    rules = {"combine": combine, "conditions": conditions}
    assert _outcome(rules, catalogue["complete"]) == outcome
    assert_sql_matches_python(rules, NOWS[0])


def test_only_verified_enterprises_are_matched(catalogue):
    pending = register(connection.schema_name, name="青岛待审核有限公司").enterprise
    assert pending.status == Enterprise.Status.PENDING
    assert pending.pk not in sql_outcomes({}, NOWS[0])
    assert pending.pk not in compiler.qualifying_ids({}, now=NOWS[0])


def statements_of(read):
    """What `read` returns, and the SQL statements it ran (django-tenants' search_path aside)."""
    with CaptureQueriesContext(connection) as captured:
        result = read()
    return result, [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]


def test_all_open_programmes_are_matched_in_one_statement_with_the_same_answer(catalogue):
    rules_list = [
        {"conditions": [{"field": "rd_share", "op": "gte", "value": 3, "year": 2025}]},
        {"combine": "any", "conditions": [MET, UNKNOWN]},
        {"conditions": [{"field": "size_class", "op": "ne", "value": "large"}]},
        {},
    ]
    programmes = [make_programme(title=f"项目{n}") for n in range(len(rules_list))]
    for programme, rules in zip(programmes, rules_list, strict=True):
        programme.eligibility_rules = rules
    qualifying, statements = statements_of(lambda: programmes_qualifying_ids(programmes=programmes))
    assert len(statements) == 1
    counts, statements = statements_of(lambda: programmes_outcome_counts(programmes=programmes))
    assert len(statements) == 1
    for programme in programmes:
        outcomes = python_outcomes(programme.eligibility_rules, dt.datetime.now(UTC))
        assert qualifying[programme.pk] == programme_qualifying_ids(programme=programme)
        assert qualifying[programme.pk] == sorted(pk for pk, o in outcomes.items() if o == QUALIFIES)
        assert counts[programme.pk] == {o: list(outcomes.values()).count(o) for o in ALL_OUTCOMES}
    # R&D share ≥ 3% in 2025: 4%, 3.00% (2.995 rounded), 3.33% and the huge one; not 2.98%.
    assert set(qualifying[programmes[0].pk]) == {
        catalogue[key].pk for key in ("complete", "share_2_995", "share_third", "share_huge")
    }


# ---------------------------------------------------------------------------------------------
# Random enterprises against random rule sets
# ---------------------------------------------------------------------------------------------


def _random_value(rng, field):
    if field == "employees":
        return rng.choice([0, 9, 10, 10.5, 11, 50, 100])
    if field == "registered_months":
        return rng.choice([0, 1, 1.5, 2, 3, 11, 12])
    if field == "rd_share":
        return rng.choice([0, 1, 2.5, 2.98, 2.985, 3, 3.33, 5, 7.5])
    return rng.choice([0, 1, 999_999.99, 1_000_000, 5_000_000])


def random_condition(rng) -> dict:
    field = rng.choice(
        [
            "size_class",
            "industry",
            "above_designated_size",
            "tags",
            "employees",
            "revenue",
            "tax_paid",
            "rd_spend",
            "output_value",
            "rd_share",
            "registered_months",
        ]
    )
    if field in ("size_class", "industry"):
        values = ["large", "medium", "small", "micro"] if field == "size_class" else ["C", "I", "M"]
        op = rng.choice(["eq", "ne", "in", "not_in"])
        return {
            "field": field,
            "op": op,
            "value": rng.sample(values, rng.randint(1, 2)) if op in ("in", "not_in") else rng.choice(values),
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
    condition = {"field": field, "op": rng.choice(["eq", "ne", "gte", "lte", "gt", "lt"])}
    condition["value"] = _random_value(rng, field)
    if field not in ("employees", "registered_months"):
        condition["year"] = rng.choice([2024, 2025])
    return condition


@pytest.fixture
def random_park(db, in_alpha):
    rng = random.Random(8)
    for n in range(40):
        figures = {}
        for year in (2024, 2025):
            if rng.random() < 0.7:
                revenue = rng.choice([None, 0, 100, 100_000, 1_000_000, 5_000_000])
                figures[year] = {
                    "revenue": revenue,
                    # Spends that put the share on and beside the rounding ties.
                    "rd_spend": rng.choice([None, 0, 1, 2_985, 2_995, 3_000, 33_333, 75_000]),
                    "tax_paid": rng.choice([None, 0, 1_000_000]),
                    "output_value": rng.choice([None, 999_999.99, 5_000_000]),
                }
        profile = {"above_designated_size": rng.random() < 0.5}
        if rng.random() < 0.8:
            profile["size_class"] = rng.choice(["large", "medium", "small", "micro"])
        if rng.random() < 0.8:
            profile["industry"] = rng.choice(["C", "I", "M"])
        if rng.random() < 0.7:
            profile["employees"] = rng.choice([0, 10, 50, 100])
        day = rng.choice([1, 15, 28, 29, 30, 31])
        month = rng.choice([1, 3, 12])
        registered = dt.datetime(2025, month, day, rng.choice([0, 15, 23]), tzinfo=UTC)
        enterprise(
            f"青岛样本{n:02d}有限公司",
            tags=rng.sample(TAGS, rng.randint(0, 2)),
            figures=figures,
            registered=registered,
            **profile,
        )


def test_random_rule_sets_on_random_enterprises_give_pythons_outcomes(random_park):
    rng = random.Random(2026)
    now = dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    rule_sets = [
        {
            "combine": rng.choice(["all", "any"]),
            "conditions": [random_condition(rng) for _ in range(rng.randint(1, 4))],
        }
        for _ in range(150)
    ]
    seen = set()
    for rules in rule_sets:
        assert_sql_matches_python(rules, now)
        seen.update(python_outcomes(rules, now).values())
    assert seen == set(ALL_OUTCOMES)  # the sample exercises all three answers
    # Any choice of outcomes, as the page's tabs and the API's filter ask for them, in the
    # order they are listed: qualifying first, then cannot tell, then by name.
    names = dict(Enterprise.objects.values_list("pk", "name"))
    for rules in rule_sets[:20]:
        outcomes = python_outcomes(rules, now)
        for size in (1, 2, 3):
            for chosen in itertools.combinations(ALL_OUTCOMES, size):
                expected = sorted(
                    ((pk, o) for pk, o in outcomes.items() if o in chosen),
                    key=lambda row: (ALL_OUTCOMES.index(row[1]), names[row[0]], row[0]),
                )
                got = compiler.outcome_page(rules, outcomes=chosen, offset=0, limit=1000, now=now)
                assert got == expected, (rules, chosen)
    # And all of them at once, as the overview counts them.
    counts = compiler.outcome_counts(dict(enumerate(rule_sets)), now=now)
    for key, rules in enumerate(rule_sets):
        outcomes = list(python_outcomes(rules, now).values())
        assert counts[key] == {o: outcomes.count(o) for o in ALL_OUTCOMES}, rules
