"""Reading an uploaded sheet: its columns, every cell checked, one ImportRow per valid row.

Nothing here touches the database.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from ..credit_code import credit_code_make, credit_code_validate
from ..models import INDUSTRY_NAMES_ZH, Enterprise, Industry, SizeClass, Tag

IMPORT_MAX_ROWS = 20_000
# A sheet's header row may sit below a title row or two ("XX园区企业名录").
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 40
# Excel keeps formatted but empty rows; a long run of them is the end of the list.
EMPTY_ROWS_END = 1000
TAG_SEPARATORS = re.compile(r"[、,，;；\n]+")

# The template's example row; a sheet that still contains it gets that row refused.
TEMPLATE_EXAMPLE_CODE = credit_code_make("91370281MA3EXAMPL")


def _cell_text(value: Any) -> str:
    """A cell as trimmed text: numbers typed into text columns lose their ".0", dates read as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers and counts typed as numbers
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").replace("\xa0", " ").strip()


# ---------------------------------------------------------------------------
# Columns: the Chinese headers of the template, and the English ones we also accept.
# ---------------------------------------------------------------------------

SIZE_NAMES = {
    SizeClass.LARGE: ("大型", "大", "large"),
    SizeClass.MEDIUM: ("中型", "中", "medium"),
    SizeClass.SMALL: ("小型", "小", "small"),
    SizeClass.MICRO: ("微型", "微", "micro"),
}
YES = {"是", "y", "yes", "true", "1", "√", "规上"}
NO = {"否", "n", "no", "false", "0", "×", "规下"}


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as printed in the template
    aliases: tuple[str, ...]


COLUMNS = (
    Column(
        "credit_code",
        "统一社会信用代码",
        ("社会信用代码", "信用代码", "credit code", "unified social credit code", "uscc"),
    ),
    Column("name", "企业名称", ("名称", "公司名称", "单位名称", "name", "enterprise name", "company name")),
    Column("legal_representative", "法定代表人", ("法人代表", "法人", "legal representative")),
    Column("industry", "行业门类", ("行业", "所属行业", "industry")),
    Column("size_class", "企业规模", ("规模", "size", "size class")),
    Column("above_designated_size", "是否规上", ("规上企业", "规上", "above designated size")),
    Column("employees", "从业人数", ("职工人数", "员工人数", "employees")),
    Column("address", "地址", ("注册地址", "企业地址", "address")),
    Column("contact_name", "联系人", ("contact", "contact name", "contact person")),
    Column("contact_phone", "联系电话", ("电话", "手机", "phone", "contact phone")),
    Column("contact_email", "电子邮箱", ("邮箱", "email", "e-mail", "contact email")),
    Column("tags", "标签", ("tags",)),
)
REQUIRED_FIELDS = ("credit_code", "name")


def _header_key(value: Any) -> str:
    """Headers compare without case, spaces, underscores, dashes, stars or hints in brackets."""
    text = _cell_text(value).lower()
    text = re.sub(r"[（(][^)）]*[)）]", "", text)
    return re.sub(r"[\s_\-*:：]+", "", text)


HEADER_FIELDS: dict[str, str] = {}
for _column in COLUMNS:
    for _alias in (_column.header, _column.field, *_column.aliases):
        HEADER_FIELDS[_header_key(_alias)] = _column.field
HEADER_OF_FIELD = {column.field: column.header for column in COLUMNS}


def _name_key(text: str) -> str:
    return re.sub(r"[\s、,，.．;；]+", "", text).lower()


@functools.cache
def _industry_lookup() -> dict[str, str]:
    lookup = {_name_key(name): letter for letter, name in INDUSTRY_NAMES_ZH.items()}
    with translation.override("en"):
        lookup.update({_name_key(str(label)): letter for letter, label in Industry.choices})
    return lookup


@functools.cache
def _size_lookup() -> dict[str, str]:
    lookup = {_name_key(name): value for value, names in SIZE_NAMES.items() for name in names}
    with translation.override("en"):
        lookup.update({_name_key(str(label)): value for value, label in SizeClass.choices})
    return lookup


# ---------------------------------------------------------------------------
# Reading cells
# ---------------------------------------------------------------------------


class _CellProblem(Exception):
    """A cell that cannot be imported; the message is shown in the preview."""


def _text_parser(field_name: str) -> Callable[[Any], str]:
    max_length = Enterprise._meta.get_field(field_name).max_length

    def parse(value: Any) -> str:
        text = _cell_text(value)
        if max_length and len(text) > max_length:
            raise _CellProblem(
                _("Too long: at most %(max)d characters, this has %(count)d.")
                % {"max": max_length, "count": len(text)}
            )
        return text

    return parse


def _parse_industry(value: Any) -> str:
    text = _cell_text(value)
    letter = text.upper()
    if len(letter) == 1 and letter in INDUSTRY_NAMES_ZH:
        return letter
    lookup = _industry_lookup()
    if _name_key(text) in lookup:
        return lookup[_name_key(text)]
    # "C 制造业", "C-制造业", "C制造业": a section letter, then (optionally) its name.
    prefixed = re.match(r"^([A-Ta-t])(?:[\s\-–—:：、.．]+|(?=[^\x00-\x7f]))(.*)$", text)
    if prefixed:
        letter, rest = prefixed.group(1).upper(), _name_key(prefixed.group(2))
        if not rest or lookup.get(rest) == letter:
            return letter
    raise _CellProblem(
        _("Unknown industry “%(value)s”: use a section letter A–T or the section name, e.g. “C” or “制造业”.")
        % {"value": text}
    )


def _parse_size(value: Any) -> str:
    text = _cell_text(value)
    size = _size_lookup().get(_name_key(text))
    if size is None:
        raise _CellProblem(
            _("Unknown size class “%(value)s”: use 大型, 中型, 小型 or 微型.") % {"value": text}
        )
    return size


def _parse_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _CellProblem(_("Write 是 or 否 here, not “%(value)s”.") % {"value": _cell_text(value)})


def _parse_employees(value: Any) -> int:
    text = _cell_text(value)
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        digits = re.sub(r"[,，\s]", "", text).removesuffix("人")
        if re.fullmatch(r"\d+", digits):
            number = int(digits)
    if number is None or not (0 <= number <= 2_147_483_647):
        raise _CellProblem(
            _("The number of employees must be a whole number, 0 or more, not “%(value)s”.") % {"value": text}
        )
    return number


def _parse_email(value: Any) -> str:
    text = _text_parser("contact_email")(value).lower()
    try:
        validate_email(text)
    except ValidationError:
        raise _CellProblem(_("“%(value)s” is not a valid email address.") % {"value": text}) from None
    return text


def _parse_tags(value: Any) -> tuple[str, ...]:
    names: list[str] = []
    for part in TAG_SEPARATORS.split(_cell_text(value)):
        name = part.strip()
        if not name or name in names:
            continue
        if len(name) > Tag._meta.get_field("name").max_length:
            raise _CellProblem(
                _("The tag “%(value)s” is too long: a tag has at most 40 characters.") % {"value": name}
            )
        names.append(name)
    return tuple(names)


_parse_name = _text_parser("name")
PARSERS: dict[str, Callable[[Any], Any]] = {
    "legal_representative": _text_parser("legal_representative"),
    "industry": _parse_industry,
    "size_class": _parse_size,
    "above_designated_size": _parse_yes_no,
    "employees": _parse_employees,
    "address": _text_parser("address"),
    "contact_name": _text_parser("contact_name"),
    "contact_phone": _text_parser("contact_phone"),
    "contact_email": _parse_email,
    "tags": _parse_tags,
}


# ---------------------------------------------------------------------------
# Reading a sheet
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One valid row. `values` holds only the cells that were filled in: an empty cell
    leaves the enterprise's current value alone. `tags` is None when there is nothing to set."""

    row_number: int
    credit_code: str
    values: dict[str, Any]
    tags: tuple[str, ...] | None = None


@dataclass
class ParsedSheet:
    rows: list[ImportRow]
    problems: list[dict]
    total_rows: int
    sheet_title: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    # Rows imported as they are but worth a second look (the same shape as `problems`).
    warnings: list[dict] = field(default_factory=list)


# Below this many staff an enterprise is micro in every industry (工信部联企业〔2011〕300号); a
# 规上 enterprise (annual revenue of 20 million yuan or more) that small is most likely a slip.
MICRO_STAFF_BELOW = 10


def row_warnings(values: dict[str, Any]) -> list[str]:
    """What looks wrong in a valid row without being refused: 规上 and micro at once."""
    if not values.get("above_designated_size"):
        return []
    employees = values.get("employees")
    if values.get("size_class") == "micro" or (employees is not None and employees < MICRO_STAFF_BELOW):
        return [
            _(
                "Flagged 规上 (annual revenue of 20 million yuan or more) but micro-sized "
                "(%(employees)s staff): check the flag before confirming."
            )
            % {"employees": employees if employees is not None else "—"}
        ]
    return []


def _refuse_unreadable() -> ValidationError:
    return ValidationError(
        _(
            "This file cannot be read as an Excel workbook (.xlsx). If it is an older .xls file or a CSV, "
            "open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”, then upload it again."
        ),
        code="unreadable",
    )


def _workbook_open(file):
    """The workbook, or a ValidationError: the content decides, not the file name."""
    import openpyxl

    try:
        file.seek(0)
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors…
        raise _refuse_unreadable() from None


def _header_row_find(worksheet) -> tuple[int, tuple] | None:
    for number, cells in enumerate(
        worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=HEADER_SEARCH_ROWS), 1
    ):
        if any(HEADER_FIELDS.get(_header_key(cell)) == "credit_code" for cell in cells):
            return number, cells
    return None


def sheet_parse(file) -> ParsedSheet:
    """Check every row of the first sheet that has our headers; raise ValidationError for a file we cannot use.

    Every bad row is reported once, with all its reasons; a credit code that appears twice
    is refused on its second and later rows, pointing to the first.
    """
    workbook = _workbook_open(file)
    try:
        try:
            for worksheet in workbook.worksheets:
                found = _header_row_find(worksheet)
                if found is not None:
                    return _sheet_rows_check(worksheet, *found)
        except ValidationError:
            raise
        except Exception:  # a damaged sheet inside a valid zip
            raise _refuse_unreadable() from None
    finally:
        workbook.close()
    raise ValidationError(
        _(
            "No header row found: one of the first rows of the sheet must contain the column “统一社会信用代码” "
            "(or “credit code”). Download the template to see the expected columns."
        ),
        code="no_header",
    )


def _sheet_rows_check(worksheet, header_number: int, header_cells: tuple) -> ParsedSheet:
    column_of: dict[str, int] = {}
    header_text: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header_cells):
        field_name = HEADER_FIELDS.get(_header_key(cell))
        if field_name is None:
            if _cell_text(cell):
                ignored.append(_cell_text(cell))  # a column of the park's own: shown, not imported
            continue
        if field_name in column_of:
            raise ValidationError(
                _("Two columns mean the same thing: “%(first)s” and “%(second)s”. Keep one of them.")
                % {"first": header_text[field_name], "second": _cell_text(cell)},
                code="duplicate_column",
            )
        column_of[field_name] = index
        header_text[field_name] = _cell_text(cell)
    missing = [HEADER_OF_FIELD[f] for f in REQUIRED_FIELDS if f not in column_of]
    if missing:
        raise ValidationError(
            _("The sheet has no column “%(columns)s”. Download the template to see the expected columns.")
            % {"columns": "”, “".join(missing)},
            code="missing_column",
        )

    rows: list[ImportRow] = []
    problems: list[dict] = []
    warnings: list[dict] = []
    first_row_of: dict[str, int] = {}
    total = 0
    empty_run = 0
    cells_iter = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, min_row=header_number + 1)
    for number, cells in enumerate(cells_iter, header_number + 1):
        raw = {field_name: cells[index] for field_name, index in column_of.items()}
        if all(_cell_text(value) == "" for value in raw.values()):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_END:
                break
            continue
        empty_run = 0
        total += 1
        if total > IMPORT_MAX_ROWS:
            raise ValidationError(
                _(
                    "The sheet has more than %(max)d enterprise rows. Split it into several files and import them one after another."
                )
                % {"max": IMPORT_MAX_ROWS},
                code="too_many_rows",
            )
        row, reasons = _row_check(number, raw, header_text, first_row_of)
        if reasons:
            problems.append(
                {
                    "row": number,
                    "credit_code": _cell_text(raw["credit_code"]),
                    "name": _cell_text(raw["name"]),
                    "reasons": [{"column": column, "message": message} for column, message in reasons],
                }
            )
        else:
            rows.append(row)
            if notes := row_warnings(row.values):
                warnings.append(
                    {
                        "row": number,
                        "credit_code": row.credit_code,
                        "name": row.values.get("name", ""),
                        "reasons": [
                            {"column": header_text.get("above_designated_size", ""), "message": str(note)}
                            for note in notes
                        ],
                    }
                )
    if total == 0:
        raise ValidationError(_("The sheet has no enterprise rows below the header."), code="empty")
    return ParsedSheet(
        rows=rows,
        problems=problems,
        total_rows=total,
        sheet_title=worksheet.title,
        ignored_columns=ignored,
        warnings=warnings,
    )


def _row_check(
    number: int, raw: dict[str, Any], header_text: dict[str, str], first_row_of: dict[str, int]
) -> tuple[ImportRow | None, list[tuple[str, str]]]:
    reasons: list[tuple[str, str]] = []
    code = ""
    try:
        code = credit_code_validate(_cell_text(raw["credit_code"]))
    except ValidationError as error:
        reasons.append((header_text["credit_code"], str(error.messages[0])))
    if code:
        if code == TEMPLATE_EXAMPLE_CODE:
            reasons.append(
                (
                    header_text["credit_code"],
                    _("This is the template's example row: delete it or replace it with a real enterprise."),
                )
            )
        elif code in first_row_of:
            reasons.append(
                (
                    header_text["credit_code"],
                    _("This credit code already appears in row %(row)d; an enterprise may appear only once.")
                    % {"row": first_row_of[code]},
                )
            )
        else:
            first_row_of[code] = number

    values: dict[str, Any] = {}
    try:
        values["name"] = _parse_name(raw["name"])
        if not values["name"]:
            reasons.append((header_text["name"], _("The enterprise name is missing.")))
    except _CellProblem as problem:
        reasons.append((header_text["name"], str(problem)))

    tags = None
    for field_name, parse in PARSERS.items():
        if field_name not in raw or _cell_text(raw[field_name]) == "":
            continue
        try:
            parsed = parse(raw[field_name])
        except _CellProblem as problem:
            reasons.append((header_text[field_name], str(problem)))
            continue
        if field_name == "tags":
            tags = parsed or None
        else:
            values[field_name] = parsed
    if reasons:
        return None, reasons
    return ImportRow(row_number=number, credit_code=code, values=values, tags=tags), []
