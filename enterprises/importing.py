"""Import enterprises from the Excel sheets parks keep today (seeds/003).

Upload → preview → confirm, and nothing half-imported:

* `import_batch_create` reads the uploaded .xlsx, checks every row, keeps the file under
  the tenant's own storage and the preview in the tenant's cache (both keyed by a random
  batch id). Nothing is written to the database before the administrator confirms.
* `import_batch_confirm` runs small sheets inline and queues `import_batch_run_task`
  (carrying the batch id only) for sheets above `PARKHUB_IMPORT_ASYNC_ROWS` valid rows.
* `import_batch_run` reads the stored file again and writes every valid row in ONE
  transaction with set-based statements (`enterprise_rows_import`): all rows or none.

No model holds a batch: the file and the cache entries live for a day, which is plenty
for a preview someone is looking at, and a finished batch stays marked as such in the
cache so that running it a second time imports nothing.
"""

import functools
import io
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import roles

from .credit_code import credit_code_make, credit_code_validate
from .models import Enterprise, Industry, SizeClass, Tag
from .services import PROFILE_FIELDS

logger = logging.getLogger(__name__)
User = get_user_model()

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# Above this many valid rows the import runs in the Celery worker (settings can lower it).
IMPORT_ASYNC_ROWS_DEFAULT = 500
# Rows per round of SELECT … FOR UPDATE / INSERT / upsert; also the progress step.
WRITE_CHUNK = 1000
BATCH_TTL = 24 * 3600
LOCK_TTL = 30 * 60
UPLOAD_DIR = "enterprise-imports"
# A sheet's header row may sit below a title row or two ("XX园区企业名录").
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 40
# Excel keeps formatted but empty rows; a long run of them is the end of the list.
EMPTY_ROWS_END = 1000
TAG_SEPARATORS = re.compile(r"[、,，;；\n]+")

# The template's example row; a sheet that still contains it gets that row refused.
TEMPLATE_EXAMPLE_CODE = credit_code_make("91370281MA3EXAMPL")


class Status:
    PREVIEWED = "previewed"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


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

# GB/T 4754-2017 section names (data printed in parks' sheets, not UI text).
INDUSTRY_NAMES_ZH = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
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
    for index, cell in enumerate(header_cells):
        field_name = HEADER_FIELDS.get(_header_key(cell))
        if field_name is None:
            continue  # a column of the park's own: ignored
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
    if total == 0:
        raise ValidationError(_("The sheet has no enterprise rows below the header."), code="empty")
    return ParsedSheet(rows=rows, problems=problems, total_rows=total, sheet_title=worksheet.title)


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


# ---------------------------------------------------------------------------
# Planning and writing rows
# ---------------------------------------------------------------------------


@dataclass
class _Change:
    row: ImportRow
    current: Enterprise
    fields: frozenset[str]
    tags_changed: bool


@dataclass
class _ChunkPlan:
    new: list[ImportRow] = field(default_factory=list)
    changes: list[_Change] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _chunk_plan(rows: Sequence[ImportRow], *, lock: bool) -> _ChunkPlan:
    """Sort rows into new, changed (which fields, whether tags) and unchanged, against the database."""
    enterprises = Enterprise.objects.filter(credit_code__in=[row.credit_code for row in rows]).only(
        "id", "credit_code", "status", *PROFILE_FIELDS
    )
    if lock:
        enterprises = enterprises.select_for_update()
    current_of = {enterprise.credit_code: enterprise for enterprise in enterprises}
    tags_of: dict[int, set[str]] = defaultdict(set)
    retagged = [
        current_of[row.credit_code].pk
        for row in rows
        if row.tags is not None and row.credit_code in current_of
    ]
    if retagged:
        links = Enterprise.tags.through.objects.filter(enterprise_id__in=retagged).values_list(
            "enterprise_id", "tag__name"
        )
        for enterprise_id, tag_name in links:
            tags_of[enterprise_id].add(tag_name)

    plan = _ChunkPlan()
    for row in rows:
        current = current_of.get(row.credit_code)
        if current is None:
            plan.new.append(row)
            continue
        fields = frozenset(name for name, value in row.values.items() if getattr(current, name) != value)
        tags_changed = row.tags is not None and set(row.tags) != tags_of[current.pk]
        if fields or tags_changed:
            plan.changes.append(_Change(row=row, current=current, fields=fields, tags_changed=tags_changed))
        else:
            plan.unchanged += 1
    return plan


def _tags_ensure(names: set[str]) -> dict[str, int]:
    """Ids of the named tags, creating the missing ones in one statement."""
    if not names:
        return {}
    known = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
    missing = names - known.keys()
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in sorted(missing)], ignore_conflicts=True)
        known = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
    return known


def _links_write(*, links: list, retag_ids: list[int]) -> None:
    """Replace the tag links of re-tagged enterprises and add those of new ones (two statements)."""
    Through = Enterprise.tags.through
    if retag_ids:
        Through.objects.filter(enterprise_id__in=retag_ids).delete()
    if links:
        Through.objects.bulk_create(links, batch_size=WRITE_CHUNK)


def enterprise_rows_import(
    *, rows: Sequence[ImportRow], actor: User | None, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Create or update enterprises from checked rows, all in one transaction or none.

    New credit codes become verified enterprises, verified by `actor`: the park vouches
    for its own list. Existing ones keep their status; only the fields whose value
    differs are written (an empty cell changes nothing), and their tags are replaced
    when the row names tags. The rows are locked (SELECT … FOR UPDATE) while compared,
    so nobody changes them between the comparison and the write. A credit code that
    someone registers while the import runs makes the plain INSERT fail and the whole
    import roll back, rather than overwriting that enterprise.

    Statements are set-based: per chunk one SELECT, one INSERT for new rows, one upsert
    (INSERT … ON CONFLICT (credit_code) DO UPDATE) per set of changed fields, and two for
    tag links. `rows` must have distinct credit codes (sheet_parse guarantees it).
    """
    now = timezone.now()
    Through = Enterprise.tags.through
    created = updated = unchanged = processed = 0
    with transaction.atomic():
        tag_ids = _tags_ensure({name for row in rows if row.tags for name in row.tags})
        for chunk in _chunks(rows, WRITE_CHUNK):
            plan = _chunk_plan(chunk, lock=True)
            new_enterprises = [
                Enterprise(
                    credit_code=row.credit_code,
                    status=Enterprise.Status.VERIFIED,
                    verified_at=now,
                    verified_by=actor,
                    **row.values,
                )
                for row in plan.new
            ]
            Enterprise.objects.bulk_create(new_enterprises)
            links = [
                Through(enterprise_id=enterprise.pk, tag_id=tag_ids[name])
                for enterprise, row in zip(new_enterprises, plan.new, strict=True)
                for name in row.tags or ()
            ]

            # One upsert per set of changed fields, so only those columns are written.
            by_fields: dict[frozenset[str], list[Enterprise]] = defaultdict(list)
            for change in plan.changes:
                current = change.current
                merged = {name: getattr(current, name) for name in PROFILE_FIELDS} | {
                    name: change.row.values[name] for name in change.fields
                }
                by_fields[change.fields].append(
                    Enterprise(credit_code=current.credit_code, status=current.status, **merged)
                )
                if change.tags_changed:
                    links.extend(
                        Through(enterprise_id=current.pk, tag_id=tag_ids[name]) for name in change.row.tags
                    )
            for fields, enterprises in by_fields.items():
                Enterprise.objects.bulk_create(
                    enterprises,
                    update_conflicts=True,
                    unique_fields=["credit_code"],
                    update_fields=[*sorted(fields), "updated_at"],
                )
            _links_write(
                links=links, retag_ids=[change.current.pk for change in plan.changes if change.tags_changed]
            )

            created += len(plan.new)
            updated += len(plan.changes)
            unchanged += plan.unchanged
            processed += len(chunk)
            if progress is not None:
                progress(processed)
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def import_rows_plan(*, rows: Sequence[ImportRow]) -> ImportResult:
    """What importing `rows` now would do (the preview's counts); writes nothing."""
    created = updated = unchanged = 0
    for chunk in _chunks(rows, WRITE_CHUNK):
        plan = _chunk_plan(chunk, lock=False)
        created += len(plan.new)
        updated += len(plan.changes)
        unchanged += plan.unchanged
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


# ---------------------------------------------------------------------------
# Batches: the uploaded file in tenant storage, the state in the tenant cache
# ---------------------------------------------------------------------------


@dataclass
class ImportBatch:
    id: str
    owner_id: int
    file_name: str
    storage_name: str
    uploaded_at: str
    status: str
    total_rows: int
    valid_rows: int
    problem_rows: int
    would_create: int
    would_update: int
    would_keep: int
    runs_in_worker: bool = False
    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failure: str = ""
    finished_at: str = ""

    @property
    def finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)


def _batch_key(batch_id: str) -> str:
    # The tenant-aware KEY_FUNCTION prefixes the schema: another park's batch id finds nothing.
    return f"enterprise-import:{batch_id}"


def _batch_save(batch: ImportBatch) -> None:
    cache.set(_batch_key(batch.id), asdict(batch), timeout=BATCH_TTL)


def _batch_load(batch_id: str) -> ImportBatch | None:
    try:
        batch_id = str(uuid.UUID(str(batch_id)))
    except ValueError:
        return None
    stored = cache.get(_batch_key(batch_id))
    return ImportBatch(**stored) if stored else None


def import_batch_problems(*, batch: ImportBatch) -> list[dict]:
    """The preview's bad rows: row number, what was in the sheet, and every reason."""
    return cache.get(_batch_key(batch.id) + ":problems") or []


def import_async_threshold() -> int:
    return int(getattr(settings, "PARKHUB_IMPORT_ASYNC_ROWS", IMPORT_ASYNC_ROWS_DEFAULT))


def user_may_import(user) -> bool:
    """Only a park's administrators import into its enterprise list (never on the hub)."""
    return bool(
        connection.schema_name != "public"
        and user.is_authenticated
        and (user.is_superuser or user.has_role(roles.PARK_ADMIN))
    )


def import_batch_get_for_user(*, user, batch_id) -> ImportBatch:
    """The batch if `user` is the park administrator who uploaded it; the same 404 otherwise."""
    if not user_may_import(user):
        raise Http404("No such import")
    batch = _batch_load(batch_id)
    if batch is None or batch.owner_id != user.pk:
        raise Http404("No such import")
    return batch


def _stale_uploads_delete() -> None:
    """Files of previews nobody confirmed are deleted after a day, with their cache entry."""
    _dirs, files = default_storage.listdir(UPLOAD_DIR)
    cutoff = timezone.now() - timedelta(seconds=BATCH_TTL)
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except OSError:
            pass


def import_batch_create(*, actor: User, upload) -> ImportBatch:
    """Check an uploaded sheet and keep it for confirmation; writes nothing to the database.

    The file must be an .xlsx that openpyxl opens (the content decides, not the name) and
    at most IMPORT_MAX_BYTES; otherwise a ValidationError says what to do.
    """
    if upload is None:
        raise ValidationError(_("Choose an Excel file (.xlsx) to upload."), code="required")
    if upload.size > IMPORT_MAX_BYTES:
        raise ValidationError(
            _(
                "This file is larger than %(max)d MB. Split the list into several files and import them one after another."
            )
            % {"max": IMPORT_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    parsed = sheet_parse(upload)
    plan = import_rows_plan(rows=parsed.rows)

    _stale_uploads_delete()
    batch_id = str(uuid.uuid4())
    upload.seek(0)
    storage_name = default_storage.save(f"{UPLOAD_DIR}/{batch_id}.xlsx", ContentFile(upload.read()))
    batch = ImportBatch(
        id=batch_id,
        owner_id=actor.pk,
        file_name=(getattr(upload, "name", "") or "")[:200],
        storage_name=storage_name,
        uploaded_at=timezone.now().isoformat(),
        status=Status.PREVIEWED,
        total_rows=parsed.total_rows,
        valid_rows=len(parsed.rows),
        problem_rows=len(parsed.problems),
        would_create=plan.created,
        would_update=plan.updated,
        would_keep=plan.unchanged,
    )
    cache.set(_batch_key(batch_id) + ":problems", parsed.problems, timeout=BATCH_TTL)
    _batch_save(batch)
    return batch


def import_batch_discard(*, batch: ImportBatch) -> None:
    """Forget a batch that has not started: its file and its preview."""
    if batch.status in (Status.QUEUED, Status.RUNNING):
        raise ValidationError(_("This import is already running."), code="running")
    default_storage.delete(batch.storage_name)
    cache.delete_many([_batch_key(batch.id), _batch_key(batch.id) + ":problems"])


def import_batch_confirm(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """The administrator confirms the preview: import inline, or in the worker for a large sheet.

    Confirming a batch that is already queued, running or done changes nothing; a failed
    one may be confirmed again (nothing of it was written).
    """
    if batch.status not in (Status.PREVIEWED, Status.FAILED):
        return batch
    if batch.valid_rows == 0:
        raise ValidationError(
            _("There is no valid row to import. Correct the sheet and upload it again."), code="empty"
        )
    if batch.valid_rows <= import_async_threshold():
        return import_batch_run(batch_id=batch.id)

    from .tasks import import_batch_run_task

    batch.status, batch.runs_in_worker, batch.failure, batch.processed = Status.QUEUED, True, "", 0
    _batch_save(batch)
    # Nothing is written to the database here, so there is no commit to wait for; the
    # state is saved before sending so the worker can never see it go backwards.
    try:
        import_batch_run_task.delay(batch_id=batch.id)
    except Exception:
        logger.exception("could not queue enterprise import %s", batch.id)
        batch.status, batch.failure = Status.FAILED, "queue"
        _batch_save(batch)
    return batch


def import_batch_run(*, batch_id: str) -> ImportBatch | None:
    """Import a confirmed batch; safe to run twice (a finished or running batch is left alone).

    The whole sheet is written in one transaction: on any error nothing of it stays,
    and the batch is marked failed so the administrator can confirm it again.
    """
    lock_key = _batch_key(batch_id) + ":lock"
    if not cache.add(lock_key, True, timeout=LOCK_TTL):
        return _batch_load(batch_id)  # another run holds it
    try:
        # Read after taking the lock: a run that finished a moment ago has saved DONE.
        batch = _batch_load(batch_id)
        if batch is None or batch.status == Status.DONE:
            return batch
        batch.status, batch.failure, batch.processed = Status.RUNNING, "", 0
        _batch_save(batch)
        try:
            with default_storage.open(batch.storage_name, "rb") as stored:
                parsed = sheet_parse(io.BytesIO(stored.read()))
        except (OSError, ValidationError):
            logger.warning("enterprise import %s: the stored file is gone or unreadable", batch_id)
            batch.status, batch.failure = Status.FAILED, "file_missing"
            _batch_save(batch)
            return batch
        batch.valid_rows = len(parsed.rows)

        def progress(processed: int) -> None:
            batch.processed = processed
            _batch_save(batch)

        actor = User.objects.filter(pk=batch.owner_id).first()
        try:
            result = enterprise_rows_import(rows=parsed.rows, actor=actor, progress=progress)
        except IntegrityError:
            logger.warning(
                "enterprise import %s: a credit code was registered meanwhile; rolled back", batch_id
            )
            batch.status, batch.failure = Status.FAILED, "conflict"
        except Exception:
            logger.exception("enterprise import %s failed; rolled back", batch_id)
            batch.status, batch.failure = Status.FAILED, "unexpected"
        else:
            batch.status = Status.DONE
            batch.processed = batch.valid_rows
            batch.created, batch.updated, batch.unchanged = result.created, result.updated, result.unchanged
            batch.finished_at = timezone.now().isoformat()
            default_storage.delete(batch.storage_name)
            logger.info(
                "enterprise import %s: %d created, %d updated, %d unchanged",
                batch_id,
                result.created,
                result.updated,
                result.unchanged,
            )
        if batch.status == Status.FAILED:
            batch.processed = 0
        _batch_save(batch)
        return batch
    finally:
        cache.delete(lock_key)


def import_failure_message(code: str) -> str:
    """What a failed batch tells the administrator (in the language of the page, not the worker)."""
    messages = {
        "conflict": _(
            "Someone registered or changed one of these enterprises while the import ran. Nothing was imported; "
            "confirm again to retry."
        ),
        "file_missing": _("The uploaded file is no longer available. Nothing was imported; upload it again."),
        "queue": _(
            "The import could not be started in the background. Nothing was imported; try again in a minute."
        ),
    }
    return messages.get(
        code,
        _(
            "The import stopped because of an unexpected error. Nothing was imported; try again, or contact support."
        ),
    )


# ---------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------

TEMPLATE_EXAMPLE_ROW = (
    TEMPLATE_EXAMPLE_CODE,
    "青岛示例科技有限公司",
    "张三",
    "C",
    "小型",
    "否",
    56,
    "山东省青岛市胶州市示例路1号",
    "李四",
    "0532-80000000",
    "contact@example.cn",
    "专精特新、高新技术企业",
)


def import_template_workbook() -> bytes:
    """The .xlsx parks fill in: Chinese headers, one example row, drop-downs, and a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业名录"
    sheet.append([column.header for column in COLUMNS])
    sheet.append(list(TEMPLATE_EXAMPLE_ROW))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F0F4F8")
    for column in ("A", "J"):  # codes and phone numbers stay text, or Excel rounds them
        for cell in sheet[column][1:]:
            cell.number_format = "@"
    widths = (24, 30, 12, 10, 10, 10, 10, 36, 12, 16, 24, 28)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"

    lists = (("D", ",".join(Industry.values)), ("E", "大型,中型,小型,微型"), ("F", "是,否"))
    for column, choices in lists:
        validation = DataValidation(
            type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=False
        )
        validation.add(f"{column}2:{column}{IMPORT_MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    notes = workbook.create_sheet("说明")
    notes.append([_("How to fill in this sheet")])
    notes["A1"].font = Font(bold=True)
    for line in (
        _(
            "One enterprise per row. 统一社会信用代码 and 企业名称 are required; the other columns may be left empty."
        ),
        _("Delete the example row before importing."),
        _(
            "An enterprise already on the platform (same credit code) is updated; empty cells keep its current values."
        ),
        _("企业规模: 大型, 中型, 小型 or 微型. 是否规上: 是 or 否. 从业人数: a whole number."),
        _("标签: several tags separated by 、 or , or ;"),
        _("行业门类: the section letter or its name:"),
    ):
        notes.append([line])
    for letter, name in INDUSTRY_NAMES_ZH.items():
        notes.append([letter, name])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 40

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
