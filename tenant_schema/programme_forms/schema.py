"""A programme's form as data, and the one place answers are checked against it.

    {"sections": [{"key": "s1", "title": "...", "help": "...", "fields": [FIELD, ...]}]}
    FIELD = {"key": "f1", "label": "...", "type": TYPE, "help": "", "required": bool,
             "min": "0", "max": "100", "pattern": "", "pattern_message": "", "max_length": 2000,
             "choices": ["...", ...],                                  # choice
             "columns": [{"key": "c1", "label": "...", "type": "text"|"number"|"money"|"date"}],
             "max_rows": 50,                                           # table
             "document": "营业执照",                                     # file: a required document
             "show_if": {"field": "f0", "equals": "yes"},              # an earlier field's value
             "prefill": "employees"}                                   # an enterprise profile attribute

Answers are JSON: text, choice and date (YYYY-MM-DD) as strings, number and money as decimal
strings ("1234.50", CNY for money), yes/no as true/false, a table as a list of rows
{column key: value}. A file slot holds no answer: it is satisfied by an attachment of that document.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEXT = "text"
TEXTAREA = "textarea"
NUMBER = "number"
MONEY = "money"
DATE = "date"
CHOICE = "choice"
YESNO = "yesno"
TABLE = "table"
FILE = "file"

FIELD_TYPES = [
    (TEXT, gettext_lazy("Text (one line)")),
    (TEXTAREA, gettext_lazy("Text (several lines)")),
    (NUMBER, gettext_lazy("Number")),
    (MONEY, gettext_lazy("Amount (CNY)")),
    (DATE, gettext_lazy("Date")),
    (CHOICE, gettext_lazy("Choice")),
    (YESNO, gettext_lazy("Yes / no")),
    (TABLE, gettext_lazy("Table (rows)")),
    (FILE, gettext_lazy("Document to upload")),
]
TYPE_NAMES = {key for key, _label in FIELD_TYPES}
COLUMN_TYPES = (TEXT, NUMBER, MONEY, DATE)
MAX_TEXT = 5000
MAX_ROWS = 50
MONEY_LIMIT = Decimal("99999999999999.99")

# Profile attributes a field may be pre-filled from: key -> (label, field types it suits).
PREFILL_SOURCES = {
    "name": (gettext_lazy("Enterprise name"), (TEXT, TEXTAREA)),
    "credit_code": (gettext_lazy("Unified Social Credit Code"), (TEXT,)),
    "legal_representative": (gettext_lazy("Legal representative"), (TEXT,)),
    "address": (gettext_lazy("Address"), (TEXT, TEXTAREA)),
    "contact_name": (gettext_lazy("Contact person"), (TEXT,)),
    "contact_phone": (gettext_lazy("Contact phone"), (TEXT,)),
    "contact_email": (gettext_lazy("Contact email"), (TEXT,)),
    "employees": (gettext_lazy("Employees"), (NUMBER,)),
    "revenue": (gettext_lazy("Operating revenue, latest year (CNY)"), (MONEY, NUMBER)),
    "tax_paid": (gettext_lazy("Tax paid, latest year (CNY)"), (MONEY, NUMBER)),
    "rd_spend": (gettext_lazy("R&D spend, latest year (CNY)"), (MONEY, NUMBER)),
    "output_value": (gettext_lazy("Output value, latest year (CNY)"), (MONEY, NUMBER)),
    "above_designated_size": (gettext_lazy("Above designated size"), (YESNO,)),
}


class SchemaError(ValueError):
    """The form itself is wrong (a builder's mistake): `errors` maps a field key (or "") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


# ---------------------------------------------------------------------------------------------
# Walking a form
# ---------------------------------------------------------------------------------------------


def fields_of(schema: dict) -> list[dict]:
    return [field for section in schema.get("sections", []) for field in section.get("fields", [])]


def field_by_key(schema: dict, key: str) -> dict | None:
    return next((field for field in fields_of(schema) if field["key"] == key), None)


def condition_text(value) -> str:
    """How a value is compared in a condition: yes/no as "yes"/"no", anything else as its text."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "" if value is None else str(value)


def visible(field: dict, clean: dict, shown: set[str]) -> bool:
    rule = field.get("show_if")
    if not rule:
        return True
    return rule["field"] in shown and condition_text(clean.get(rule["field"])) == str(rule["equals"])


# ---------------------------------------------------------------------------------------------
# Checking one form (the builder's rules)
# ---------------------------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _bounds_problems(kind: str, low, high) -> list[str]:
    problems = []
    if kind in (NUMBER, MONEY):
        if any(bound not in (None, "") and _decimal(bound) is None for bound in (low, high)):
            problems.append(_("A minimum or maximum must be a number."))
        elif _decimal(low) is not None and _decimal(high) is not None and _decimal(low) > _decimal(high):
            problems.append(_("The minimum is above the maximum."))
    if kind == DATE:
        if any(bound not in (None, "") and _date(bound) is None for bound in (low, high)):
            problems.append(_("A first or last date must be a date, e.g. 2026-01-31."))
        elif _date(low) and _date(high) and _date(low) > _date(high):
            problems.append(_("The first date is after the last date."))
    return problems


def _kind_problems(field: dict, kind: str, documents: list[str]) -> list[str]:
    problems = []
    if field.get("pattern"):
        try:
            re.compile(field["pattern"])
        except re.error:
            problems.append(_("The format is not a valid regular expression."))
    if kind == CHOICE and len(field.get("choices") or []) < 2:
        problems.append(_("A choice needs at least two options."))
    if kind == TABLE:
        columns = field.get("columns") or []
        if not columns:
            problems.append(_("A table needs at least one column."))
        if any(column.get("type") not in COLUMN_TYPES for column in columns):
            problems.append(_("A column is text, a number, an amount or a date."))
    if kind == FILE and field.get("document") not in documents:
        problems.append(_("A document slot must name one of the programme's required documents."))
    return problems


def _condition_problems(rule: dict, earlier: dict[str, dict]) -> list[str]:
    other = earlier.get(rule.get("field"))
    if other is None:
        return [_("A condition can only depend on a field placed before this one.")]
    if other["type"] == YESNO and str(rule.get("equals")) not in ("yes", "no"):
        return [_("A yes/no field is either yes or no.")]
    if other["type"] == CHOICE and str(rule.get("equals")) not in other.get("choices", []):
        return [_("The value is not one of that field's options.")]
    if other["type"] in (TABLE, FILE):
        return [_("A condition cannot depend on a table or a document.")]
    return []


def field_check(field: dict, earlier: dict[str, dict], documents: list[str]) -> list[str]:
    """The builder's mistakes in one field; `earlier` are the fields before it (conditions look back)."""
    kind = field.get("type")
    if kind not in TYPE_NAMES:
        return [_("Choose a field type.")]
    problems = [] if str(field.get("label", "")).strip() else [_("Give the field a label.")]
    problems += _bounds_problems(kind, field.get("min"), field.get("max"))
    problems += _kind_problems(field, kind, documents)
    if field.get("show_if"):
        problems += _condition_problems(field["show_if"], earlier)
    prefill = field.get("prefill")
    if prefill:
        source = PREFILL_SOURCES.get(prefill)
        if source is None or kind not in source[1]:
            problems.append(_("This profile attribute does not fit this type of field."))
    return problems


def schema_check(schema: dict, *, documents: list[str]) -> None:
    """Raise SchemaError when the form cannot be published as it is."""
    errors: dict[str, list[str]] = {}
    earlier: dict[str, dict] = {}
    for field in fields_of(schema):
        key = field.get("key")
        if not key or key in earlier:
            errors.setdefault("", []).append(_("Two fields have the same key."))
            continue
        problems = field_check(field, earlier, documents)
        if problems:
            errors[key] = problems
        earlier[key] = field
    if not earlier:
        errors.setdefault("", []).append(_("The form has no fields yet."))
    if errors:
        raise SchemaError(errors)


# ---------------------------------------------------------------------------------------------
# Checking answers
# ---------------------------------------------------------------------------------------------


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _parse_number(field: dict, value, *, money: bool) -> tuple[str | None, str | None]:
    number = _decimal(value) if not isinstance(value, bool) else None
    if number is None:
        return None, (_("Enter an amount in yuan, e.g. 50000.00.") if money else _("Enter a number."))
    if money:
        if number != number.quantize(Decimal("0.01")):
            return None, _("An amount has at most two decimal places (fen).")
        if number < 0 or number > MONEY_LIMIT:
            return None, _("Enter an amount of zero or more.")
        number = number.quantize(Decimal("0.01"))
    low, high = _decimal(field.get("min")), _decimal(field.get("max"))
    if low is not None and number < low:
        return None, _("Enter at least %(min)s.") % {"min": low}
    if high is not None and number > high:
        return None, _("Enter at most %(max)s.") % {"max": high}
    return str(number), None


def _parse_text(field: dict, value) -> tuple[str | None, str | None]:
    if not isinstance(value, (str, int, Decimal)) or isinstance(value, bool):
        return None, _("Enter text.")
    text = str(value).strip()
    limit = int(field.get("max_length") or MAX_TEXT)
    if len(text) > min(limit, MAX_TEXT):
        return None, _("At most %(count)s characters.") % {"count": min(limit, MAX_TEXT)}
    if field.get("pattern") and not re.fullmatch(field["pattern"], text):
        return None, str(field.get("pattern_message") or _("This is not in the expected format."))
    return text, None


def _parse_date(field: dict, value) -> tuple[str | None, str | None]:
    day = _date(value) if isinstance(value, str) else None
    if day is None:
        return None, _("Enter a date, e.g. 2026-03-31.")
    if _date(field.get("min")) and day < _date(field["min"]):
        return None, _("The date is before %(date)s.") % {"date": field["min"]}
    if _date(field.get("max")) and day > _date(field["max"]):
        return None, _("The date is after %(date)s.") % {"date": field["max"]}
    return day.isoformat(), None


def _parse_yesno(value) -> tuple[bool | None, str | None]:
    if isinstance(value, bool):
        return value, None
    text = str(value).strip().lower()
    if text in ("yes", "true", "1", "on", "是"):
        return True, None
    if text in ("no", "false", "0", "off", "否"):
        return False, None
    return None, _("Answer yes or no.")


def _parse_scalar(field: dict, value):
    kind = field["type"]
    if kind in (NUMBER, MONEY):
        return _parse_number(field, value, money=kind == MONEY)
    if kind == DATE:
        return _parse_date(field, value)
    if kind == YESNO:
        return _parse_yesno(value)
    if kind == CHOICE:
        text = str(value).strip() if isinstance(value, str) else None
        if text not in field.get("choices", []):
            return None, _("Choose one of the options.")
        return text, None
    return _parse_text(field, value)


def _parse_table(field: dict, value) -> tuple[list | None, str | None]:
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return None, _("A table is a list of rows.")
    columns = field.get("columns") or []
    known = {column["key"] for column in columns}
    rows = []
    for number, row in enumerate(value, start=1):
        if set(row) - known:
            return None, _("Row %(row)s has a column this table does not have.") % {"row": number}
        if all(_empty(row.get(key)) for key in known):
            continue  # a blank row is no row
        clean = {}
        for column in columns:
            cell = row.get(column["key"])
            if _empty(cell):
                return None, _("Row %(row)s: fill in “%(column)s”.") % {
                    "row": number,
                    "column": column["label"],
                }
            parsed, problem = _parse_scalar(column, cell)
            if problem:
                return None, _("Row %(row)s, “%(column)s”: %(problem)s") % {
                    "row": number,
                    "column": column["label"],
                    "problem": problem,
                }
            clean[column["key"]] = parsed
        rows.append(clean)
    if len(rows) > int(field.get("max_rows") or MAX_ROWS):
        return None, _("At most %(count)s rows.") % {"count": int(field.get("max_rows") or MAX_ROWS)}
    return rows, None


def answers_clean(
    schema: dict, answers: dict, *, complete: bool, documents: set[str] | frozenset = frozenset()
) -> tuple[dict, dict[str, list[str]]]:
    """The answers as the form keeps them, and the problems per field key.

    A draft (`complete=False`) keeps whatever parses and skips "required"; a submission
    (`complete=True`) also needs every required field that is shown and every required
    document slot supplied (`documents`: the names attached). A field hidden by its
    condition is dropped, whatever was sent for it. A key the form does not have is an error.
    """
    if not isinstance(answers, dict):
        return {}, {"": [_("The answers are an object of field keys.")]}
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    shown: set[str] = set()
    keys = set()
    for field in fields_of(schema):
        key = field["key"]
        keys.add(key)
        if not visible(field, clean, shown):
            continue
        shown.add(key)
        if field["type"] == FILE:
            if complete and field.get("required") and field.get("document") not in documents:
                errors[key] = [_("Attach “%(document)s”.") % {"document": field.get("document")}]
            continue
        value = answers.get(key)
        parsed, problem = None, None
        if not _empty(value):
            parse = _parse_table if field["type"] == TABLE else _parse_scalar
            parsed, problem = parse(field, value)
            if field["type"] == TABLE and not problem and not parsed:
                value = None  # only blank rows
        if _empty(value):
            if complete and field.get("required"):
                errors[key] = [_("This field is required.")]
            continue
        if problem:
            errors[key] = [problem]
        else:
            clean[key] = parsed
    for key in set(answers) - keys:
        errors[key] = [_("This form has no such field.")]
    return clean, errors


def answer_display(field: dict, value) -> str:
    """An answer as a reviewer and a spreadsheet read it."""
    if value is None:
        return ""
    if field["type"] == YESNO:
        return _("Yes") if value else _("No")
    if field["type"] == TABLE:
        labels = {column["key"]: column["label"] for column in field.get("columns", [])}
        return "\n".join("; ".join(f"{labels.get(k, k)}: {v}" for k, v in row.items()) for row in value or [])
    return str(value)


def table_total(field: dict, value) -> dict[str, Decimal]:
    """The sums of a table's money columns (a budget's total)."""
    totals = {}
    for column in field.get("columns", []):
        if column.get("type") == MONEY:
            totals[column["key"]] = sum(
                (Decimal(row.get(column["key"], "0")) for row in value or []), Decimal("0")
            )
    return totals
