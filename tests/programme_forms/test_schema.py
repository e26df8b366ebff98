"""The one check of answers against a form, per field type, conditions, draft against submission."""

import pytest
from django.utils import translation

from tenant_schema.programme_forms import schema as sch
from tenant_schema.programme_forms.schema import answers_clean, schema_check


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def form(*fields) -> dict:
    return {"sections": [{"key": "s1", "title": "基本情况", "fields": list(fields)}]}


def one(field, value, *, complete=True, documents=frozenset()):
    clean, errors = answers_clean(
        form({"key": "f1", "label": "问题", **field}), {"f1": value}, complete=complete, documents=documents
    )
    return clean.get("f1"), errors.get("f1")


def test_text_length_and_format():
    mobile = {"type": "text", "pattern": r"1[3-9]\d{9}", "pattern_message": "请填写11位手机号码。"}
    assert one(mobile, " 13912345678 ") == ("13912345678", None)
    assert one(mobile, "0532-8720") == (None, ["请填写11位手机号码。"])
    assert one({"type": "text", "max_length": 5}, "青岛星海机械")[1] == ["At most 5 characters."]
    assert one({"type": "text"}, 12)[0] == "12"
    assert one({"type": "text"}, {"a": 1})[1] == ["Enter text."]


def test_numbers_and_money_are_decimals_within_bounds():
    assert one({"type": "number", "min": "1", "max": "1000"}, "56") == ("56", None)
    assert one({"type": "number", "min": "1"}, "0")[1] == ["Enter at least 1."]
    assert one({"type": "number", "max": "10"}, "11")[1] == ["Enter at most 10."]
    assert one({"type": "number"}, "many")[1] == ["Enter a number."]
    assert one({"type": "number"}, True)[1] == ["Enter a number."]
    assert one({"type": "money"}, "1,234.5") == ("1234.50", None)
    assert one({"type": "money"}, "10.005")[1] == ["An amount has at most two decimal places (fen)."]
    assert one({"type": "money"}, "-1")[1] == ["Enter an amount of zero or more."]
    assert one({"type": "money"}, "NaN")[1] == ["Enter an amount in yuan, e.g. 50000.00."]
    assert one({"type": "money", "max": "500000"}, "500000.01")[1] == ["Enter at most 500000."]


def test_dates_choices_and_yes_no():
    span = {"type": "date", "min": "2026-01-01", "max": "2028-12-31"}
    assert one(span, "2026-06-30") == ("2026-06-30", None)
    assert one(span, "2025-12-31")[1] == ["The date is before 2026-01-01."]
    assert one(span, "2029-01-01")[1] == ["The date is after 2028-12-31."]
    assert one(span, "30/06/2026")[1] == ["Enter a date, e.g. 2026-03-31."]
    choice = {"type": "choice", "choices": ["技术改造", "研发创新"]}
    assert one(choice, "研发创新") == ("研发创新", None)
    assert one(choice, "其他")[1] == ["Choose one of the options."]
    assert one({"type": "yesno"}, "yes") == (True, None)
    assert one({"type": "yesno"}, False) == (False, None)
    assert one({"type": "yesno"}, "maybe")[1] == ["Answer yes or no."]


def test_table_rows_are_checked_cell_by_cell_and_blank_rows_dropped():
    budget = {
        "type": "table",
        "required": True,
        "max_rows": 2,
        "columns": [
            {"key": "c1", "label": "支出科目", "type": "text"},
            {"key": "c2", "label": "金额", "type": "money"},
        ],
    }
    rows = [{"c1": "设备购置", "c2": "120000"}, {"c1": "", "c2": ""}]
    assert one(budget, rows) == ([{"c1": "设备购置", "c2": "120000.00"}], None)
    assert one(budget, [{"c1": "设备", "c2": "abc"}])[1] == [
        "Row 1, “金额”: Enter an amount in yuan, e.g. 50000.00."
    ]
    assert one(budget, [{"c1": "设备"}])[1] == ["Row 1: fill in “金额”."]
    assert one(budget, [{"c1": "a", "c2": "1", "c9": "x"}])[1] == [
        "Row 1 has a column this table does not have."
    ]
    assert one(budget, [{"c1": "a", "c2": "1"}] * 3)[1] == ["At most 2 rows."]
    assert one(budget, [{"c1": "", "c2": ""}])[1] == ["This field is required."]  # only blank rows: no answer
    assert one(budget, "not rows")[1] == ["A table is a list of rows."]
    assert sch.table_total(budget, [{"c1": "a", "c2": "1.50"}, {"c1": "b", "c2": "2"}]) == {"c2": 3.5}


def test_a_draft_skips_required_a_submission_does_not_and_documents_count_on_submission():
    fields = form(
        {"key": "f1", "label": "项目名称", "type": "text", "required": True},
        {"key": "f2", "label": "营业执照", "type": "file", "document": "营业执照", "required": True},
    )
    assert answers_clean(fields, {}, complete=False) == ({}, {})
    _clean, errors = answers_clean(fields, {}, complete=True)
    assert errors == {"f1": ["This field is required."], "f2": ["Attach “营业执照”."]}
    assert answers_clean(fields, {"f1": "新产线"}, complete=True, documents={"营业执照"}) == (
        {"f1": "新产线"},
        {},
    )
    # A wrong answer is refused even in a draft; a key the form does not have too.
    assert answers_clean(fields, {"f1": "x" * 6000}, complete=False)[1]["f1"] == ["At most 5000 characters."]
    assert answers_clean(fields, {"f9": "?"}, complete=False)[1] == {"f9": ["This form has no such field."]}


def test_conditions_show_a_field_only_when_the_earlier_answer_matches():
    fields = form(
        {"key": "f1", "label": "是否获得过其他财政资金支持", "type": "yesno", "required": True},
        {
            "key": "f2",
            "label": "已获支持的项目",
            "type": "textarea",
            "required": True,
            "show_if": {"field": "f1", "equals": "yes"},
        },
        {
            "key": "f3",
            "label": "金额",
            "type": "money",
            "required": True,
            "show_if": {"field": "f2", "equals": "x"},
        },
    )
    # Hidden: not required, and whatever was sent for it is dropped.
    assert answers_clean(fields, {"f1": "no", "f2": "旧答案"}, complete=True) == ({"f1": False}, {})
    # Shown: required.
    assert answers_clean(fields, {"f1": "yes"}, complete=True)[1] == {"f2": ["This field is required."]}
    # A condition on a hidden field is hidden too.
    assert answers_clean(fields, {"f1": "no", "f3": "1"}, complete=True) == ({"f1": False}, {})


def test_the_builder_refuses_a_form_that_cannot_work():
    documents = ["营业执照"]
    with pytest.raises(sch.SchemaError) as refused:
        schema_check(
            form(
                {"key": "f1", "label": "类别", "type": "choice", "choices": ["只有一个"]},
                {"key": "f2", "label": "附件", "type": "file", "document": "审计报告"},
                {"key": "f3", "label": "说明", "type": "text", "show_if": {"field": "f4", "equals": "yes"}},
                {"key": "f4", "label": "是否", "type": "yesno"},
                {"key": "f5", "label": "金额", "type": "money", "min": "10", "max": "1"},
                {"key": "f6", "label": "格式", "type": "text", "pattern": "("},
                {"key": "f7", "label": "人数", "type": "text", "prefill": "employees"},
            ),
            documents=documents,
        )
    errors = refused.value.errors
    assert errors["f1"] == ["A choice needs at least two options."]
    assert errors["f2"] == ["A document slot must name one of the programme's required documents."]
    assert errors["f3"] == ["A condition can only depend on a field placed before this one."]
    assert errors["f5"] == ["The minimum is above the maximum."]
    assert errors["f6"] == ["The format is not a valid regular expression."]
    assert errors["f7"] == ["This profile attribute does not fit this type of field."]
    with pytest.raises(sch.SchemaError):
        schema_check({"sections": []}, documents=documents)


def test_field_errors_are_in_the_users_language():
    with translation.override("zh-hans"):
        assert one({"type": "money"}, "abc")[1] == ["请输入金额（元），例如 50000.00。"]
        assert one({"type": "text", "required": True}, "")[1] == ["该字段是必填项。"]
