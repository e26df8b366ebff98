"""Batches: the uploaded file in tenant storage, the state in the tenant cache.

Upload (`import_batch_create`), access (`import_batch_get_for_user`), confirm, run with
progress, discard, and what a failed batch tells the administrator.
"""

import io
import logging
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles

from .sheet import sheet_parse
from .writing import enterprise_rows_import, import_rows_plan

# Named for the package, as before it was split, so log lines keep their logger name.
logger = logging.getLogger("enterprises.importing")
User = get_user_model()

IMPORT_MAX_BYTES = 10 * 1024 * 1024
BATCH_TTL = 24 * 3600
LOCK_TTL = 30 * 60
# A queued import normally starts within seconds; after this the page says the worker may be down.
STALLED_AFTER = timedelta(minutes=2)
UPLOAD_DIR = "enterprise-imports"


class Status:
    PREVIEWED = "previewed"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


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
    sheet_title: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    queued_at: str = ""

    @property
    def finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)

    def stalled(self, now=None) -> bool:
        """Queued for a while and not started: the background worker is busy or not running."""
        if self.status != Status.QUEUED or not self.queued_at:
            return False
        from datetime import datetime

        return (now or timezone.now()) - datetime.fromisoformat(self.queued_at) > STALLED_AFTER


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
    return int(settings.PARKHUB_IMPORT_ASYNC_ROWS)


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
        sheet_title=parsed.sheet_title,
        ignored_columns=parsed.ignored_columns,
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

    from ..tasks import import_batch_run_task

    batch.status, batch.runs_in_worker, batch.failure, batch.processed = Status.QUEUED, True, "", 0
    batch.queued_at = timezone.now().isoformat()
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
