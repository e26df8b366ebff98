"""Eligibility rules: each operator, all / any with missing data, refusals, and the words shown."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenant_schema.eligibility.rules import (
    CANNOT_TELL,
    DOES_NOT_QUALIFY,
    MET,
    NOT_MET,
    QUALIFIES,
    UNKNOWN,
    Facts,
    condition_evaluate,
    rules_evaluate,
    rules_render,
    rules_validate,
)
from tenant_schema.eligibility.selectors import match_report
from tenant_schema.eligibility.services import programme_rules_set
from tenant_schema.funding.services import programme_update

from .conftest import RD_RULES, make_programme

ENTERPRISE = Facts(
    size_class="medium",
    above_designated_size=True,
    industry="C",
    tags={"专精特新", "高新技术企业"},
    employees=120,
    figures={
        2025: {
            "revenue": Decimal("10000000"),
            "tax_paid": Decimal("600000"),
            "rd_spend": Decimal("400000"),
            "output_value": None,
            "rd_share": Decimal("4.00"),
        }
    },
    registered_months=14,
)
BLANK = Facts()


@pytest.mark.parametrize(
    "condition, outcome",
    [
        ({"field": "size_class", "op": "eq", "value": "medium"}, MET),
        ({"field": "size_class", "op": "ne", "value": "medium"}, NOT_MET),
        ({"field": "size_class", "op": "in", "value": ["small", "medium"]}, MET),
        ({"field": "size_class", "op": "not_in", "value": ["small", "medium"]}, NOT_MET),
        ({"field": "industry", "op": "eq", "value": "I"}, NOT_MET),
        ({"field": "industry", "op": "not_in", "value": ["I", "M"]}, MET),
        ({"field": "above_designated_size", "op": "eq", "value": True}, MET),
        ({"field": "above_designated_size", "op": "ne", "value": True}, NOT_MET),
        ({"field": "tags", "op": "has_tag", "value": "专精特新"}, MET),
        ({"field": "tags", "op": "has_tag", "value": "瞪羚企业"}, NOT_MET),
        ({"field": "tags", "op": "in", "value": ["瞪羚企业", "高新技术企业"]}, MET),
        ({"field": "tags", "op": "not_in", "value": ["专精特新"]}, NOT_MET),
        ({"field": "employees", "op": "gte", "value": 120}, MET),
        ({"field": "employees", "op": "gt", "value": 120}, NOT_MET),
        ({"field": "employees", "op": "lte", "value": 100}, NOT_MET),
        ({"field": "employees", "op": "lt", "value": 121}, MET),
        ({"field": "employees", "op": "eq", "value": 120}, MET),
        ({"field": "employees", "op": "ne", "value": 120}, NOT_MET),
        ({"field": "revenue", "op": "gte", "value": 10_000_000, "year": 2025}, MET),
        ({"field": "tax_paid", "op": "lt", "value": 500_000, "year": 2025}, NOT_MET),
        ({"field": "rd_spend", "op": "gt", "value": 300_000, "year": 2025}, MET),
        ({"field": "rd_share", "op": "gte", "value": 3, "year": 2025}, MET),
        ({"field": "rd_share", "op": "gte", "value": 4.5, "year": 2025}, NOT_MET),
        ({"field": "registered_months", "op": "gte", "value": 12}, MET),
        ({"field": "registered_months", "op": "gte", "value": 24}, NOT_MET),
        # Missing data: no figures for the year, an empty figure, no employee count.
        ({"field": "revenue", "op": "gte", "value": 1, "year": 2024}, UNKNOWN),
        ({"field": "output_value", "op": "gte", "value": 1, "year": 2025}, UNKNOWN),
    ],
)
def test_each_operator_on_a_hand_made_enterprise(condition, outcome):
    assert (
        condition_evaluate(rules_validate({"conditions": [condition]})["conditions"][0], ENTERPRISE)[0]
        == outcome
    )


@pytest.mark.parametrize("field", ["size_class", "industry", "employees"])
def test_a_blank_profile_field_is_unknown_not_a_mismatch(field):
    value = {"size_class": "small", "industry": "C", "employees": 10}[field]
    condition = rules_validate({"conditions": [{"field": field, "op": "eq", "value": value}]})["conditions"][
        0
    ]
    assert condition_evaluate(condition, BLANK) == (UNKNOWN, None)


MET_C = {"field": "employees", "op": "gte", "value": 1}
NOT_MET_C = {"field": "employees", "op": "gte", "value": 1000}
UNKNOWN_C = {"field": "revenue", "op": "gte", "value": 1, "year": 2024}


@pytest.mark.parametrize(
    "combine, conditions, outcome",
    [
        ("all", [MET_C, MET_C], QUALIFIES),
        ("all", [MET_C, NOT_MET_C], DOES_NOT_QUALIFY),
        ("all", [MET_C, UNKNOWN_C], CANNOT_TELL),
        ("all", [NOT_MET_C, UNKNOWN_C], DOES_NOT_QUALIFY),  # already decided by the known condition
        ("any", [NOT_MET_C, MET_C], QUALIFIES),
        ("any", [UNKNOWN_C, MET_C], QUALIFIES),  # already decided by the known condition
        ("any", [NOT_MET_C, UNKNOWN_C], CANNOT_TELL),
        ("any", [NOT_MET_C, NOT_MET_C], DOES_NOT_QUALIFY),
        ("all", [], QUALIFIES),
        ("any", [], QUALIFIES),
    ],
)
def test_all_and_any_with_three_valued_logic(combine, conditions, outcome):
    assert rules_evaluate({"combine": combine, "conditions": conditions}, ENTERPRISE).outcome == outcome


def test_missing_data_means_cannot_tell():
    evaluation = rules_evaluate(RD_RULES, BLANK)
    assert [c.outcome for c in evaluation.conditions] == [NOT_MET, UNKNOWN]
    assert evaluation.outcome == DOES_NOT_QUALIFY  # the known "not above size" already decides
    evaluation = rules_evaluate({"combine": "all", "conditions": RD_RULES["conditions"][1:]}, BLANK)
    assert evaluation.outcome == CANNOT_TELL


@pytest.mark.parametrize(
    "rules, fragment",
    [
        ({"combine": "most", "conditions": []}, "“all” or “any”"),
        ({"conditions": [{"field": "profit", "op": "gte", "value": 1}]}, "“profit” is not a field"),
        (
            {"conditions": [{"field": "employees", "op": "has_tag", "value": 1}]},
            "cannot be used with employees",
        ),
        ({"conditions": [{"field": "revenue", "op": "gte", "value": 1}]}, "revenue needs a year"),
        (
            {"conditions": [{"field": "rd_share", "op": "gte", "value": "lots", "year": 2025}]},
            "rd_share needs a number",
        ),
        ({"conditions": [{"field": "size_class", "op": "eq", "value": "huge"}]}, "size_class takes one of"),
        ({"conditions": [{"field": "industry", "op": "in", "value": "C"}]}, "industry takes a list of"),
        ({"conditions": [{"field": "above_designated_size", "op": "eq", "value": "yes"}]}, "true or false"),
        ({"conditions": [{"field": "tags", "op": "has_tag", "value": ""}]}, "tag name"),
        ("everyone", "must be an object"),
    ],
)
def test_invalid_rules_are_refused_with_a_message(db, in_alpha, rules, fragment):
    programme = make_programme()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        programme_rules_set(programme=programme, rules=rules)
    messages = refused.value.message_dict["eligibility_rules"]
    assert any(fragment in message for message in messages), messages
    programme.refresh_from_db()
    assert programme.eligibility_rules == {}


def test_a_programme_saved_with_invalid_rules_is_refused_by_the_programme_service(db, in_alpha):
    programme = make_programme()
    with pytest.raises(ValidationError) as refused:
        programme_update(programme=programme, eligibility_rules={"conditions": [{"field": "employees"}]})
    assert "eligibility_rules" in refused.value.message_dict


def test_no_application_needed_requires_a_cap(db, in_alpha):
    programme = make_programme(cap=None)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        programme_rules_set(programme=programme, rules=RD_RULES, no_application_needed=True)
    assert "per_enterprise_cap" in refused.value.message_dict


def test_rules_read_in_plain_chinese_and_in_english():
    with translation.override("zh-hans"):
        assert rules_render(RD_RULES) == "规上企业，且 2025 年研发投入占营业收入比例 ≥ 3%"
        assert (
            rules_render(
                {
                    "combine": "any",
                    "conditions": [
                        {"field": "tags", "op": "has_tag", "value": "专精特新"},
                        {"field": "revenue", "op": "gte", "value": 20_000_000, "year": 2025},
                        {"field": "registered_months", "op": "gte", "value": 12},
                        {"field": "industry", "op": "in", "value": ["C", "I"]},
                    ],
                }
            )
            == "具有“专精特新”标签，或 2025 年营业收入 ≥ 2000 万元，或 在本园区注册满 12 个月，或 所属行业为制造业、信息传输、软件和信息技术服务业之一"
        )
    with translation.override("en"):
        assert rules_render(RD_RULES) == "above designated size, and R&D share of revenue in 2025 ≥ 3%"


def test_match_report_marks_each_condition_with_the_enterprises_own_value(park):
    programme = make_programme(title="研发投入奖励")
    programme_rules_set(programme=programme, rules=RD_RULES)
    with translation.override("zh-hans"):
        outcomes = {}
        for key, registration in park.items():
            (match,) = [
                m for m in match_report(enterprise=registration.enterprise) if m.programme == programme
            ]
            outcomes[key] = match.evaluation
    assert outcomes["qualifies"].outcome == QUALIFIES
    assert outcomes["does_not"].outcome == DOES_NOT_QUALIFY
    assert outcomes["cannot_tell"].outcome == CANNOT_TELL
    rd = outcomes["does_not"].conditions[1]
    assert (rd.outcome, rd.actual_text) == (NOT_MET, "1%")
    assert outcomes["cannot_tell"].conditions[1].actual_text == "未填报"
