"""Eligibility rules as data: validate them, evaluate them against an enterprise, say them in words.

A rule set lives on `Programme.eligibility_rules`:

    {"combine": "all" | "any",
     "conditions": [{"field": "rd_share", "op": "gte", "value": 3, "year": 2025}, ...]}

An empty rule set (no conditions) means every enterprise qualifies.

Three-valued logic. Each condition is MET, NOT_MET or UNKNOWN (the enterprise's data needed
for it is missing: no size class, no employee count, no figures for that year...). The
overall outcome follows Kleene's strong logic, so that missing data never decides a case
that the known data already decides:

    all: any NOT_MET → does not qualify; else any UNKNOWN → cannot tell; else qualifies
    any: any MET → qualifies; else any UNKNOWN → cannot tell; else does not qualify

The rendering is deliberately written here rather than through gettext: the issue wants
rules read in plain Chinese ("规上企业，且 2025 年研发投入占营业收入比例 ≥ 3%"), with an
English variant chosen by the active language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenant_schema.enterprises.models import INDUSTRY_NAMES_ZH, Industry, SizeClass

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
QUALIFIES, DOES_NOT_QUALIFY, CANNOT_TELL = "qualifies", "does_not_qualify", "cannot_tell"
ALL, ANY = "all", "any"

CHOICE_OPS = ("eq", "ne", "in", "not_in")
NUMBER_OPS = ("eq", "ne", "gte", "lte", "gt", "lt")
BOOL_OPS = ("eq", "ne")
TAG_OPS = ("has_tag", "in", "not_in")
OPS = ("eq", "ne", "in", "not_in", "gte", "lte", "gt", "lt", "has_tag")
FIGURE_FIELDS = ("revenue", "tax_paid", "rd_spend", "output_value")

# field -> (kind, allowed ops, needs a year)
FIELDS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "size_class": ("choice", CHOICE_OPS, False),
    "above_designated_size": ("bool", BOOL_OPS, False),
    "industry": ("choice", CHOICE_OPS, False),
    "tags": ("tags", TAG_OPS, False),
    "employees": ("number", NUMBER_OPS, False),
    "revenue": ("number", NUMBER_OPS, True),
    "tax_paid": ("number", NUMBER_OPS, True),
    "rd_spend": ("number", NUMBER_OPS, True),
    "output_value": ("number", NUMBER_OPS, True),
    "rd_share": ("number", NUMBER_OPS, True),
    "registered_months": ("number", NUMBER_OPS, False),
}
CHOICES = {"size_class": dict(SizeClass.choices), "industry": dict(Industry.choices)}

SIZE_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
INDUSTRY_ZH = INDUSTRY_NAMES_ZH
FIELD_ZH = {
    "employees": "从业人数",
    "revenue": "营业收入",
    "tax_paid": "纳税额",
    "rd_spend": "研发投入",
    "output_value": "产值",
    "rd_share": "研发投入占营业收入比例",
    "registered_months": "在本园区注册时长",
}
FIELD_EN = {
    "size_class": "size class",
    "above_designated_size": "above designated size",
    "industry": "industry",
    "tags": "tags",
    "employees": "employees",
    "revenue": "operating revenue",
    "tax_paid": "tax paid",
    "rd_spend": "R&D spend",
    "output_value": "output value",
    "rd_share": "R&D share of revenue",
    "registered_months": "months registered in this park",
}
SYMBOL = {"eq": "=", "ne": "≠", "gte": "≥", "lte": "≤", "gt": ">", "lt": "<"}


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def rules_validate(rules) -> dict:
    """Return the rule set in normal form, or raise a ValidationError whose messages say which condition is wrong."""
    if rules in (None, "", {}):
        return {"combine": ALL, "conditions": []}
    if not isinstance(rules, dict):
        raise ValidationError(_("Eligibility rules must be an object with “combine” and “conditions”."))
    combine = rules.get("combine", ALL)
    if combine not in (ALL, ANY):
        raise ValidationError(_("Combine the conditions with “all” or “any”."))
    conditions = rules.get("conditions", [])
    if not isinstance(conditions, list):
        raise ValidationError(_("The conditions must be a list."))
    errors, normal = [], []
    this_year = timezone.localdate().year
    for number, condition in enumerate(conditions, start=1):
        try:
            normal.append(_condition_validate(condition, this_year))
        except ValidationError as error:
            errors.extend(
                _("Condition %(n)s: %(message)s") % {"n": number, "message": m} for m in error.messages
            )
    if errors:
        raise ValidationError(errors)
    return {"combine": combine, "conditions": normal}


def _condition_validate(condition, this_year: int) -> dict:
    if not isinstance(condition, dict):
        raise ValidationError(_("a condition must be an object."))
    name, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if name not in FIELDS:
        raise ValidationError(_("“%(field)s” is not a field rules can use.") % {"field": name})
    kind, ops, needs_year = FIELDS[name]
    if op not in ops:
        raise ValidationError(
            _("“%(op)s” cannot be used with %(field)s; use one of %(ops)s.")
            % {"op": op, "field": name, "ops": ", ".join(ops)}
        )
    normal = {"field": name, "op": op}
    if needs_year:
        year = condition.get("year")
        if isinstance(year, str) and year.isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= this_year + 1:
            raise ValidationError(_("%(field)s needs a year between 2000 and next year.") % {"field": name})
        normal["year"] = year
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValidationError(_("%(field)s takes true or false.") % {"field": name})
        normal["value"] = value
    elif kind == "number":
        number = _number(value)
        if number is None:
            raise ValidationError(_("%(field)s needs a number.") % {"field": name})
        if number < 0:
            raise ValidationError(_("%(field)s cannot be compared with a negative number.") % {"field": name})
        normal["value"] = int(number) if number == number.to_integral_value() else float(number)
    elif kind == "choice":
        allowed = CHOICES[name]
        values = value if op in ("in", "not_in") else [value]
        if not isinstance(values, list) or not values or any(v not in allowed for v in values):
            raise ValidationError(
                _("%(field)s takes %(what)s of: %(choices)s.")
                % {
                    "field": name,
                    "what": _("a list") if op in ("in", "not_in") else _("one"),
                    "choices": ", ".join(allowed),
                }
            )
        normal["value"] = values if op in ("in", "not_in") else value
    else:  # tags
        values = [value] if op == "has_tag" else value
        if (
            not isinstance(values, list)
            or not values
            or any(not isinstance(v, str) or not v.strip() for v in values)
        ):
            raise ValidationError(_("tags takes a tag name (has_tag) or a list of tag names (in, not_in)."))
        values = [v.strip() for v in values]
        normal["value"] = values[0] if op == "has_tag" else values
    return normal


# ---------------------------------------------------------------------------------------------
# The enterprise's facts, and evaluation
# ---------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """What rules read about one enterprise (built by tenant_schema.eligibility.selectors from prefetched rows)."""

    size_class: str = ""
    above_designated_size: bool = False
    industry: str = ""
    tags: set[str] = field(default_factory=set)
    employees: int | None = None
    figures: dict[int, dict[str, Decimal | None]] = field(default_factory=dict)
    registered_months: int = 0


def months_between(start, end) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def facts_of(enterprise, *, now=None) -> Facts:
    """Facts of an enterprise whose `tags` and `yearly_figures` are (ideally) prefetched."""
    now = now or timezone.now()
    figures = {}
    for row in enterprise.yearly_figures.all():
        figures[row.year] = {
            "revenue": row.revenue,
            "tax_paid": row.tax_paid,
            "rd_spend": row.rd_spend,
            "output_value": row.output_value,
            "rd_share": row.rd_share_of_revenue,
        }
    return Facts(
        size_class=enterprise.size_class or "",
        above_designated_size=enterprise.above_designated_size,
        industry=enterprise.industry or "",
        tags={tag.name for tag in enterprise.tags.all()},
        employees=enterprise.employees,
        figures=figures,
        registered_months=months_between(enterprise.created_at, now) if enterprise.created_at else 0,
    )


def _actual(condition: dict, facts: Facts):
    name = condition["field"]
    if name in FIGURE_FIELDS or name == "rd_share":
        return facts.figures.get(condition["year"], {}).get(name)
    if name == "tags":
        return facts.tags
    value = getattr(facts, name)
    return None if value in ("", None) else value


def _compare(op: str, actual, expected) -> bool:
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    return {
        "gte": actual >= expected,
        "lte": actual <= expected,
        "gt": actual > expected,
        "lt": actual < expected,
    }[op]


def condition_evaluate(condition: dict, facts: Facts) -> tuple[str, object]:
    """(MET / NOT_MET / UNKNOWN, the enterprise's own value) for one validated condition."""
    actual = _actual(condition, facts)
    if actual is None:
        return UNKNOWN, None
    op, expected = condition["op"], condition["value"]
    if condition["field"] == "tags":
        if op == "has_tag":
            met = expected in actual
        elif op == "in":
            met = bool(actual & set(expected))
        else:
            met = not (actual & set(expected))
        return (MET if met else NOT_MET), actual
    if FIELDS[condition["field"]][0] == "number":
        expected = Decimal(str(expected))
        actual = Decimal(str(actual))
    return (MET if _compare(op, actual, expected) else NOT_MET), actual


def combine(combine_with: str, outcomes: list[str]) -> str:
    """Kleene's three-valued all / any (see the module docstring)."""
    if combine_with == ANY:
        if not outcomes or MET in outcomes:
            return QUALIFIES
        return CANNOT_TELL if UNKNOWN in outcomes else DOES_NOT_QUALIFY
    if NOT_MET in outcomes:
        return DOES_NOT_QUALIFY
    return CANNOT_TELL if UNKNOWN in outcomes else QUALIFIES


@dataclass
class ConditionResult:
    condition: dict
    outcome: str
    actual: object
    text: str
    actual_text: str


@dataclass
class Evaluation:
    outcome: str
    conditions: list[ConditionResult]

    @property
    def qualifies(self) -> bool:
        return self.outcome == QUALIFIES


def rules_evaluate(rules, facts: Facts, *, explain: bool = True) -> Evaluation:
    """Evaluate a (stored, hence valid) rule set; with `explain` each condition carries its words."""
    return rules_evaluate_validated(rules_validate(rules), facts, explain=explain)


def rules_evaluate_validated(rules: dict, facts: Facts, *, explain: bool = True) -> Evaluation:
    """`rules_evaluate` for a rule set already in normal form (what `rules_validate` returns).

    For one rule set against many enterprises: validating it again for each would cost most
    of the time.
    """
    results = []
    for condition in rules["conditions"]:
        outcome, actual = condition_evaluate(condition, facts)
        results.append(
            ConditionResult(
                condition=condition,
                outcome=outcome,
                actual=actual,
                text=condition_render(condition) if explain else "",
                actual_text=actual_render(condition, actual) if explain else "",
            )
        )
    return Evaluation(outcome=combine(rules["combine"], [r.outcome for r in results]), conditions=results)


# ---------------------------------------------------------------------------------------------
# Words: plain Chinese, or English when the active language is not Chinese
# ---------------------------------------------------------------------------------------------


def _chinese() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def _amount(value, zh: bool) -> str:
    number = Decimal(str(value))
    if zh and number >= 10000 and number % 10000 == 0:
        return f"{_plain(number / 10000)} 万元"
    return f"{_plain(number)} 元" if zh else f"{_plain(number)} yuan"


def _plain(number) -> str:
    number = Decimal(str(number))
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _quantity(name: str, value, zh: bool) -> str:
    if name in FIGURE_FIELDS:
        return _amount(value, zh)
    if name == "rd_share":
        return f"{_plain(value)}%"
    if name == "employees":
        return f"{_plain(value)} 人" if zh else _plain(value)
    if name == "registered_months":
        return f"{_plain(value)} 个月" if zh else f"{_plain(value)} months"
    return str(value)


def _choice_label(name: str, value: str, zh: bool) -> str:
    if zh:
        return (SIZE_ZH if name == "size_class" else INDUSTRY_ZH).get(value, value)
    with translation.override("en"):
        return str(CHOICES[name].get(value, value))


def condition_render(condition: dict) -> str:
    zh = _chinese()
    name, op, value = condition["field"], condition["op"], condition["value"]
    if name == "above_designated_size":
        above = value if op == "eq" else not value
        return (
            ("规上企业" if above else "规下企业")
            if zh
            else ("above designated size" if above else "below designated size")
        )
    if name in CHOICES:
        labels = [_choice_label(name, v, zh) for v in (value if isinstance(value, list) else [value])]
        subject = ("企业规模" if name == "size_class" else "所属行业") if zh else FIELD_EN[name]
        if zh:
            joined = "、".join(labels)
            return {
                "eq": f"{subject}为{joined}",
                "ne": f"{subject}不是{joined}",
                "in": f"{subject}为{joined}之一",
                "not_in": f"{subject}不是{joined}",
            }[op]
        joined = ", ".join(labels)
        return {
            "eq": f"{subject} is {joined}",
            "ne": f"{subject} is not {joined}",
            "in": f"{subject} is one of {joined}",
            "not_in": f"{subject} is none of {joined}",
        }[op]
    if name == "tags":
        names = value if isinstance(value, list) else [value]
        if zh:
            quoted = "、".join(f"“{n}”" for n in names)
            return {
                "has_tag": f"具有{quoted}标签",
                "in": f"具有{quoted}标签之一",
                "not_in": f"不具有{quoted}标签",
            }[op]
        quoted = ", ".join(f"“{n}”" for n in names)
        return {
            "has_tag": f"tagged {quoted}",
            "in": f"tagged with one of {quoted}",
            "not_in": f"tagged with none of {quoted}",
        }[op]
    quantity = _quantity(name, value, zh)
    if name == "registered_months" and op == "gte":
        return (
            f"在本园区注册满 {_plain(value)} 个月"
            if zh
            else f"registered in this park for at least {_plain(value)} months"
        )
    if zh:
        year = f"{condition['year']} 年" if "year" in condition else ""
        return f"{year}{FIELD_ZH[name]} {SYMBOL[op]} {quantity}"
    year = f" in {condition['year']}" if "year" in condition else ""
    return f"{FIELD_EN[name]}{year} {SYMBOL[op]} {quantity}"


def rules_render(rules) -> str:
    """The whole rule set in one sentence, e.g. “规上企业，且 2025 年研发投入占营业收入比例 ≥ 3%”."""
    rules = rules_validate(rules)
    zh = _chinese()
    parts = [condition_render(c) for c in rules["conditions"]]
    if not parts:
        return "所有企业均可申报" if zh else "open to every enterprise"
    if zh:
        return ("，且 " if rules["combine"] == ALL else "，或 ").join(parts)
    return (", and " if rules["combine"] == ALL else ", or ").join(parts)


def actual_render(condition: dict, actual) -> str:
    """The enterprise's own value in words (or that it is missing)."""
    zh = _chinese()
    name = condition["field"]
    if actual is None:
        return "未填报" if zh else "not provided"
    if name == "above_designated_size":
        return ("是" if actual else "否") if zh else ("yes" if actual else "no")
    if name in CHOICES:
        return _choice_label(name, actual, zh)
    if name == "tags":
        if not actual:
            return "无" if zh else "none"
        return ("、" if zh else ", ").join(sorted(actual))
    if name == "rd_share":
        return f"{_plain(Decimal(str(actual)).quantize(Decimal('0.01')))}%"
    if name in FIGURE_FIELDS:
        return _amount(Decimal(str(actual)).quantize(Decimal("0.01")), zh)
    return _quantity(name, actual, zh)
