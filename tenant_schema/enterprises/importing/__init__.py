"""Import enterprises from the Excel sheets parks keep today (seeds/003).

Upload → preview → confirm, and nothing half-imported:

* `import_batch_create` reads the uploaded .xlsx, checks every row, keeps the file under
  the tenant's own storage, the batch in an `ImportBatch` row and the problem rows in the
  tenant's cache (keyed by a random batch id). No enterprise is written before the
  administrator confirms.
* `import_batch_confirm` runs small sheets inline and queues `import_batch_run_task`
  (carrying the batch id only) for sheets above `PARKHUB_IMPORT_ASYNC_ROWS` valid rows.
* `import_batch_run` reads the stored file again and writes every valid row in ONE
  transaction with set-based statements (`enterprise_rows_import`): all rows or none.

The `ImportBatch` row is also the run's lock: claimed under SELECT … FOR UPDATE with a
token, kept alive by a heartbeat thread, stale after PARKHUB_IMPORT_STALE seconds (the page
then shows the batch as interrupted and re-runnable, and a redelivered task claims it
again). A done batch stays done, so running it a second time imports nothing.
"""

from .batches import (
    IMPORT_MAX_BYTES,
    UPLOAD_DIR,
    Status,
    import_batch_confirm,
    import_batch_create,
    import_batch_discard,
    import_batch_display_status,
    import_batch_get_for_user,
    import_batch_interrupted,
    import_batch_problems,
    import_batch_run,
    import_batch_stalled,
    import_batch_warnings,
    import_failure_message,
    import_stale_after,
    user_may_import,
)
from .sheet import COLUMNS, TEMPLATE_EXAMPLE_CODE, sheet_parse
from .template import import_template_workbook
from .writing import enterprise_rows_import

# The names the views, the Celery task, the tests and the benchmark import from here.
__all__ = [
    "COLUMNS",
    "IMPORT_MAX_BYTES",
    "TEMPLATE_EXAMPLE_CODE",
    "UPLOAD_DIR",
    "Status",
    "enterprise_rows_import",
    "import_batch_confirm",
    "import_batch_create",
    "import_batch_discard",
    "import_batch_display_status",
    "import_batch_get_for_user",
    "import_batch_interrupted",
    "import_batch_problems",
    "import_batch_warnings",
    "import_batch_run",
    "import_batch_stalled",
    "import_failure_message",
    "import_stale_after",
    "import_template_workbook",
    "sheet_parse",
    "user_may_import",
]
