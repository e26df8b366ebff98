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

from .batches import (
    IMPORT_MAX_BYTES,
    UPLOAD_DIR,
    Status,
    import_batch_confirm,
    import_batch_create,
    import_batch_discard,
    import_batch_get_for_user,
    import_batch_problems,
    import_batch_run,
    import_failure_message,
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
    "import_batch_get_for_user",
    "import_batch_problems",
    "import_batch_run",
    "import_failure_message",
    "import_template_workbook",
    "sheet_parse",
    "user_may_import",
]
