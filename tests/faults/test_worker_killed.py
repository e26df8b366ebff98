"""Fault: the Celery worker is killed (SIGKILL) in the middle of a long task.

The Excel import of ~5000 rows runs in a real `celery worker` process. It is killed once
the heartbeat has reported the first rows written (inside the import's one transaction).
The batch must not stay "running" forever: its claim turns stale, the page says the
import was interrupted, and the message the dead worker never acknowledged (acks_late)
is delivered again to a new worker, which claims the batch and imports every row exactly
once.
"""

import subprocess
import time

import pytest
from django.db import connection
from django.db.models import Count
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import User
from tenant_schema.enterprises.models import Enterprise, ImportBatch
from tenant_schema.enterprises.tasks import import_batch_run_task

from ..conftest import ALPHA, make_user, process_env, wait_until
from ..enterprises.test_import import CODE, confirm, english, enterprise_row, upload, xlsx
from ..support.celery_worker import celery_worker_kill, celery_worker_start, celery_worker_stop
from .conftest import elapsed_since

pytestmark = [pytest.mark.slow, pytest.mark.worker]

ROWS = 5000
STALE_SECONDS = 3
VISIBILITY_SECONDS = 2


def worker_start(*, log, queue: str) -> subprocess.Popen:
    env = process_env(
        CELERY_TASK_DEFAULT_QUEUE=queue,
        PARKHUB_IMPORT_STALE=str(STALE_SECONDS),
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
    )
    return celery_worker_start(env=env, queue=queue, log=log, ready_timeout=40)


def batch_row(batch_id) -> ImportBatch:
    with schema_context(ALPHA):
        return ImportBatch.objects.get(pk=batch_id)


def test_an_import_whose_worker_is_killed_ends_done_with_each_row_once(
    committed_db, client_a, settings, tmp_path, monkeypatch
):
    started = time.monotonic()
    settings.PARKHUB_IMPORT_ASYNC_ROWS = 100
    settings.PARKHUB_IMPORT_STALE = STALE_SECONDS
    # A queue of this test's own, so a session worker of other tests never takes the message.
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-killed"
    monkeypatch.setattr(
        import_batch_run_task,
        "delay",
        lambda **kwargs: import_batch_run_task.apply_async(kwargs=kwargs, queue=queue),
    )
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(queue)
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    rows = [enterprise_row(i, tags=f"断电标签{i % 5}") for i in range(ROWS)]
    codes = [row[CODE] for row in rows]
    log = tmp_path / "worker.log"
    workers = []
    try:
        client_a.force_login(admin)
        english(client_a)
        batch_url = upload(client_a, xlsx(rows))
        batch_id = batch_url.rstrip("/").rsplit("/", 1)[1]
        workers.append(worker_start(log=log, queue=queue))
        assert confirm(client_a, batch_url).context["batch"].status in ("queued", "running")

        def rows_written_but_not_committed():
            batch = batch_row(batch_id)
            assert batch.status != "done", "the import finished before the worker could be killed"
            return batch if batch.status == "running" and batch.processed > 0 else None

        before_kill = wait_until(
            rows_written_but_not_committed, timeout=40, interval=0.05, message="progress"
        )
        celery_worker_kill(workers[0])
        killed_at = time.monotonic()
        print(f"killed the worker at {before_kill.processed} of {ROWS} rows, {elapsed_since(started)} s in")

        # The dead run's transaction is gone with its connection: nothing of it stays.
        connection.set_schema_to_public()
        with schema_context(ALPHA):
            assert Enterprise.objects.filter(credit_code__in=codes).count() == 0
        assert batch_row(batch_id).status == "running"

        # Once the heartbeat is stale the page says so and offers to run it again.
        state = wait_until(
            lambda: (s := client_a.get(batch_url + "progress.json").json())["status"] == "interrupted" and s,
            timeout=STALE_SECONDS + 10,
            message="the page to show the import as interrupted",
        )
        assert state["finished"] and "interrupted" in state["message"]
        page = client_a.get(batch_url).content.decode()
        assert 'data-status="interrupted"' in page and "/confirm/" in page

        # The unacknowledged message comes back to a new worker, which claims the batch again.
        time.sleep(max(0.0, VISIBILITY_SECONDS + 0.5 - (time.monotonic() - killed_at)))
        workers.append(worker_start(log=log, queue=queue))
        seen = []

        def done():
            state = client_a.get(batch_url + "progress.json").json()
            seen.append(state["processed"])
            return state if state["status"] == "done" else None

        state = wait_until(done, timeout=40, interval=0.2, message="the new worker to finish the import")
        assert (state["processed"], state["total"]) == (ROWS, ROWS)
        assert (state["created"], state["updated"], state["unchanged"]) == (ROWS, 0, 0)
        assert state["attempts"] == 2
        with schema_context(ALPHA):
            imported = Enterprise.objects.filter(credit_code__in=codes)
            assert imported.count() == ROWS
            duplicates = imported.values("credit_code").annotate(n=Count("id")).filter(n__gt=1).count()
            assert duplicates == 0
            assert Enterprise.tags.through.objects.filter(enterprise__credit_code__in=codes).count() == ROWS
        assert "The import is finished" in client_a.get(batch_url).content.decode()
        assert "claiming it again" in log.read_text()
        print(f"done after the kill: {ROWS} rows once, 0 duplicates, {elapsed_since(started)} s in all")
        assert elapsed_since(started) < 60
    finally:
        for proc in workers:
            celery_worker_stop(proc)
        connection.set_schema_to_public()
        with schema_context(ALPHA):
            Enterprise.objects.filter(credit_code__in=codes).delete()
            ImportBatch.objects.filter(owner=admin).delete()
            User.objects.filter(pk=admin.pk).delete()
            from tenant_schema.enterprises.models import Tag

            Tag.objects.filter(name__startswith="断电标签").delete()
