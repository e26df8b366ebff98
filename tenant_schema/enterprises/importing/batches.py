"""Batches: the uploaded file in tenant storage, the state (and the run's lock) in an ImportBatch row.

Upload (`import_batch_create`), access (`import_batch_get_for_user`), confirm, run with
progress, discard, and what a failed batch tells the administrator.
"""

import io
import logging
import secrets
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from every_schema.accounts import roles

from ..models import ImportBatch
from .sheet import sheet_parse
from .writing import enterprise_rows_import, import_rows_plan

# Named for the package, as before it was split, so log lines keep their logger name.
logger = logging.getLogger("tenant_schema.enterprises.importing")
User = get_user_model()

IMPORT_MAX_BYTES = 10 * 1024 * 1024
BATCH_TTL = 24 * 3600
# A queued import normally starts within seconds; after this the page says the worker may be down.
STALLED_AFTER = timedelta(minutes=2)
UPLOAD_DIR = "enterprise-imports"


Status = ImportBatch.Status


def import_stale_after() -> timedelta:
    """A claim whose heartbeat is older than this belongs to a process that is gone."""
    return timedelta(seconds=int(settings.PARKHUB_IMPORT_STALE))


def import_batch_interrupted(batch: ImportBatch, now=None) -> bool:
    """Running, but its process stopped saying so: a killed worker or web process."""
    if batch.status != Status.RUNNING:
        return False
    last_sign = batch.heartbeat_at or batch.queued_at or batch.uploaded_at
    return (now or timezone.now()) - last_sign > import_stale_after()


def import_batch_stalled(batch: ImportBatch, now=None) -> bool:
    """Queued for a while and not started: the background worker is busy or not running."""
    if batch.status != Status.QUEUED or not batch.queued_at:
        return False
    return (now or timezone.now()) - batch.queued_at > STALLED_AFTER


def import_batch_display_status(batch: ImportBatch) -> str:
    """What the page says: a running batch whose process died reads "interrupted"."""
    return "interrupted" if import_batch_interrupted(batch) else batch.status


def _batch_key(batch_id: str) -> str:
    # The tenant-aware KEY_FUNCTION prefixes the schema: another park's batch id finds nothing.
    return f"enterprise-import:{batch_id}"


def _batch_save(batch: ImportBatch) -> None:
    batch.save()


def _batch_load(batch_id) -> ImportBatch | None:
    try:
        batch_id = uuid.UUID(str(batch_id))
    except ValueError:
        return None
    return ImportBatch.objects.filter(pk=batch_id).first()


def import_batch_problems(*, batch: ImportBatch) -> list[dict]:
    """The preview's bad rows: row number, what was in the sheet, and every reason."""
    return cache.get(_batch_key(batch.id) + ":problems") or []


def import_batch_warnings(*, batch: ImportBatch) -> list[dict]:
    """The preview's rows imported as they are but worth a look (规上 and micro at once); [] once expired."""
    return cache.get(_batch_key(batch.id) + ":warnings") or []


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
    # Their rows go too; done batches stay as the record of what was imported.
    ImportBatch.objects.filter(status=Status.PREVIEWED, uploaded_at__lt=cutoff).delete()


def import_batch_create(*, actor: User, upload) -> ImportBatch:
    """Check an uploaded sheet and keep it for confirmation; writes no enterprise.

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
    batch_id = uuid.uuid4()
    upload.seek(0)
    storage_name = default_storage.save(f"{UPLOAD_DIR}/{batch_id}.xlsx", ContentFile(upload.read()))
    batch = ImportBatch.objects.create(
        id=batch_id,
        owner=actor,
        file_name=(getattr(upload, "name", "") or "")[:200],
        storage_name=storage_name,
        uploaded_at=timezone.now(),
        status=Status.PREVIEWED,
        total_rows=parsed.total_rows,
        valid_rows=len(parsed.rows),
        problem_rows=len(parsed.problems),
        sheet_title=parsed.sheet_title[:200],
        ignored_columns=parsed.ignored_columns,
        would_create=plan.created,
        would_update=plan.updated,
        would_keep=plan.unchanged,
    )
    cache.set(_batch_key(str(batch_id)) + ":problems", parsed.problems, timeout=BATCH_TTL)
    cache.set(_batch_key(str(batch_id)) + ":warnings", parsed.warnings, timeout=BATCH_TTL)
    return batch


def _batch_busy(batch: ImportBatch) -> bool:
    """Queued, or running in a process that is still alive."""
    return batch.status == Status.QUEUED or (
        batch.status == Status.RUNNING and not import_batch_interrupted(batch)
    )


def import_batch_discard(*, batch: ImportBatch) -> None:
    """Forget a batch that is not under way: its file, its preview and its row."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
        if batch is None:
            return
        if _batch_busy(batch):
            raise ValidationError(_("This import is already running."), code="running")
        batch.delete()
    default_storage.delete(batch.storage_name)
    cache.delete(_batch_key(str(batch.pk)) + ":problems")
    cache.delete(_batch_key(str(batch.pk)) + ":warnings")


def import_batch_confirm(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """The administrator confirms the preview: import inline, or in the worker for a large sheet.

    Confirming a batch that is already queued, running or done changes nothing; a failed
    one, or one whose process died mid-run (interrupted), may be confirmed again: nothing
    of it was written. Re-queuing clears the dead run's claim, so even if it came back to
    life its final check would find the batch no longer its own and roll back.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not (batch.status in (Status.PREVIEWED, Status.FAILED) or import_batch_interrupted(batch)):
            return batch
        if batch.valid_rows == 0:
            raise ValidationError(
                _("There is no valid row to import. Correct the sheet and upload it again."), code="empty"
            )
        inline = batch.valid_rows <= import_async_threshold()
        if not inline:
            batch.status, batch.runs_in_worker, batch.failure, batch.processed = Status.QUEUED, True, "", 0
            batch.queued_at, batch.claim_token = timezone.now(), ""
            batch.save()
    if inline:
        return import_batch_run(batch_id=batch.pk) or batch

    from ..tasks import import_batch_run_task

    # The queued state is committed before sending, so the worker can never see it go backwards.
    try:
        import_batch_run_task.delay(batch_id=str(batch.pk))
    except Exception:
        logger.exception("could not queue enterprise import %s", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk, status=Status.QUEUED).update(
            status=Status.FAILED, failure="queue"
        )
        batch.refresh_from_db()
    return batch


class _Heartbeat(threading.Thread):
    """Says "the claiming process is alive" and how far it got, from a connection of its own.

    The import writes in one transaction that nobody sees before it commits; this
    thread's statements commit at once, so the page sees the progress and other processes
    see a fresh `heartbeat_at`. It dies with its process, which is the point: a killed
    worker stops stamping and its claim turns stale.
    """

    def __init__(self, *, batch_id, token: str, schema_name: str):
        super().__init__(daemon=True, name=f"import-heartbeat-{batch_id}")
        self.batch_id, self.token, self.schema_name = batch_id, token, schema_name
        self.processed = 0
        self._wake, self._stopping = threading.Event(), threading.Event()

    def run(self) -> None:
        interval = max(0.5, import_stale_after().total_seconds() / 4)
        try:
            connection.set_schema(self.schema_name)
            while True:
                ImportBatch.objects.filter(
                    pk=self.batch_id, claim_token=self.token, status=Status.RUNNING
                ).update(heartbeat_at=timezone.now(), processed=self.processed)
                if self._stopping.is_set():
                    return
                self._wake.wait(interval)
                self._wake.clear()
        except Exception:
            logger.exception("enterprise import %s: the heartbeat stopped", self.batch_id)
        finally:
            connection.close()

    def progress(self, processed: int) -> None:
        self.processed = processed
        self._wake.set()

    def stop(self) -> None:
        if self.is_alive():
            self._stopping.set()
            self._wake.set()
            self.join(timeout=10)


class _ClaimLost(Exception):
    """The batch was re-queued, discarded or claimed by another run while this one imported."""


def _batch_claim(batch_id) -> tuple[ImportBatch | None, str]:
    """Take the batch for this process: (batch, token), or (batch, "") if it is done or held by a live run."""
    try:
        batch_id = uuid.UUID(str(batch_id))
    except ValueError:
        return None, ""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status == Status.DONE:
            return batch, ""
        if batch.status == Status.RUNNING and not import_batch_interrupted(batch):
            return batch, ""
        if batch.status == Status.RUNNING:
            logger.warning(
                "enterprise import %s: the run of attempt %d stopped sending heartbeats; claiming it again",
                batch_id,
                batch.attempts,
            )
        token = secrets.token_hex(16)
        batch.status, batch.failure, batch.processed = Status.RUNNING, "", 0
        batch.claim_token, batch.heartbeat_at, batch.attempts = token, timezone.now(), batch.attempts + 1
        batch.save()
    return batch, token


def _batch_fail(batch: ImportBatch, *, token: str, failure: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk, claim_token=token).update(
        status=Status.FAILED, failure=failure, processed=0, claim_token=""
    )
    return _batch_load(batch.pk) or batch


def import_batch_run(*, batch_id) -> ImportBatch | None:
    """Import a confirmed batch exactly once; safe to run twice, and after a killed run.

    The run claims the batch row (see ImportBatch); a done batch, or one held by a live
    run, is returned as it is. The whole sheet is written in one transaction that ends by
    marking the batch done, under the batch's row lock and only if the claim is still
    this run's: on any error nothing of it stays and the batch is marked failed so the
    administrator can confirm it again; a killed run leaves nothing either (PostgreSQL
    rolls back its transaction) and the next claim imports every row.
    """
    batch, token = _batch_claim(batch_id)
    if not token:
        return batch
    heartbeat = _Heartbeat(batch_id=batch.pk, token=token, schema_name=connection.schema_name)
    heartbeat.start()
    try:
        try:
            with default_storage.open(batch.storage_name, "rb") as stored:
                parsed = sheet_parse(io.BytesIO(stored.read()))
        except (OSError, ValidationError):
            logger.warning("enterprise import %s: the stored file is gone or unreadable", batch.pk)
            return _batch_fail(batch, token=token, failure="file_missing")

        actor = User.objects.filter(pk=batch.owner_id).first()
        try:
            with transaction.atomic():
                result = enterprise_rows_import(rows=parsed.rows, actor=actor, progress=heartbeat.progress)
                heartbeat.stop()  # before taking the row lock its statements would wait for
                held = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
                if held is None or held.claim_token != token or held.status != Status.RUNNING:
                    raise _ClaimLost
                held.status, held.claim_token = Status.DONE, ""
                held.valid_rows = held.processed = len(parsed.rows)
                held.created, held.updated, held.unchanged = result.created, result.updated, result.unchanged
                held.finished_at = timezone.now()
                held.save()
        except _ClaimLost:
            logger.warning("enterprise import %s: the batch was taken over meanwhile; rolled back", batch.pk)
            return _batch_load(batch.pk)
        except IntegrityError:
            logger.warning(
                "enterprise import %s: a credit code was registered meanwhile; rolled back", batch.pk
            )
            return _batch_fail(batch, token=token, failure="conflict")
        except Exception:
            logger.exception("enterprise import %s failed; rolled back", batch.pk)
            return _batch_fail(batch, token=token, failure="unexpected")
    finally:
        heartbeat.stop()
    default_storage.delete(batch.storage_name)
    logger.info(
        "enterprise import %s (attempt %d): %d created, %d updated, %d unchanged",
        batch.pk,
        held.attempts,
        result.created,
        result.updated,
        result.unchanged,
    )
    return held


def import_failure_message(code: str) -> str:
    """What a failed batch tells the administrator (in the language of the page, not the worker)."""
    messages = {
        "conflict": _(
            "Someone registered or changed one of these enterprises while the import ran. Nothing was imported; "
            "confirm again to retry."
        ),
        "file_missing": _("The uploaded file is no longer available. Nothing was imported; upload it again."),
        "interrupted": _(
            "The import was interrupted: the process running it stopped. Nothing was imported; "
            "confirm again to run it once more."
        ),
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
