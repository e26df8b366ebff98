"""Writing checked rows: the one-transaction, set-based upsert, and the preview's counts."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from saas.signals import record_announce

from ..models import Enterprise, Tag
from ..services import PROFILE_FIELDS
from .sheet import ImportRow

User = get_user_model()

# Rows per round of SELECT … FOR UPDATE / INSERT / upsert; also the progress step.
WRITE_CHUNK = 1000


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
        record_announce(
            model=Enterprise, action="imported"
        )  # the hub counts them (a bulk write: no instance)
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
