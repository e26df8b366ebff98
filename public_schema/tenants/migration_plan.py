"""Which tenant schemas a deploy has to migrate, and migrating only those, in parallel.

django-tenants' `migrate_schemas` runs Django's `migrate` once per schema: about 0.6 s each
even when there is nothing to do (loading the graph and rendering the project state), so
a no-op deploy costs ten minutes at 1,000 tenants. Here one statement reads every schema's
`django_migrations` (through `query_to_xml`, which runs a query per row inside one
statement) and compares it with the migrations the code has; only schemas that lack one
are handed to the executor, and they are migrated by a pool of processes.

`GET_EXECUTOR_FUNCTION` in settings points at `executor_for`, so every `migrate_schemas`
(the one `parkhub_setup` calls, and one an operator types) does this. A targeted run
(`migrate_schemas app 0003`, `--fake`, `--plan`, `--check`, `--prune`) is handed through
unfiltered: its point is to act on, or report on, schemas that may be up to date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor

# Options with which a run must see every schema, not only those behind.
_UNFILTERED_OPTIONS = (
    "app_label",
    "migration_name",
    "fake",
    "fake_initial",
    "plan",
    "check_unapplied",
    "prune",
)


def code_migrations() -> set[str]:
    """Every migration the code has, as "app.name" (each schema records all of them:
    django-tenants' router skips other apps' operations but the run is still recorded)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return {f"{app}.{name}" for app, name in loader.graph.nodes}


def schemas_behind(schema_names: list[str], expected: set[str] | None = None) -> list[str]:
    """The schemas among `schema_names` that lack a migration the code has; one statement.

    A schema without a `django_migrations` table (being created, or restored empty) is behind.
    Order is kept, so the executor's progress reads like the list it was given.
    """
    if not schema_names:
        return []
    expected = code_migrations() if expected is None else expected
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname,
                   (xpath('/row/c/text()', query_to_xml(format(
                       'SELECT count(*) AS c FROM %%I.django_migrations WHERE app || ''.'' || name = ANY(%%L)',
                       n.nspname, %s::text[]), false, true, '')))[1]::text::int
            FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
            WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)
            """,
            [sorted(expected), list(schema_names)],
        )
        complete = {schema for schema, applied in cursor.fetchall() if applied == len(expected)}
    return [schema for schema in schema_names if schema not in complete]


class _OnlySchemasBehind:
    """An executor that hands only the schemas behind to django-tenants' executor."""

    def __init__(self, args, options):
        self.args, self.options = args, options

    def _delegate(self, count: int):
        # Forking a pool costs more than it saves for one schema; tests and small sites
        # (fewer schemas than processes) stay in-process.
        processes = getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)
        codename = "multiprocessing" if count > 1 and processes > 1 else "standard"
        return get_executor(codename=codename)(self.args, self.options)

    def run_migrations(self, tenants=None):
        tenants = list(tenants or [])
        if not any(self.options.get(option) for option in _UNFILTERED_OPTIONS):
            tenants = schemas_behind(tenants)
            if int(self.options.get("verbosity", 1)) >= 1:
                print(f"{len(tenants)} schema(s) to migrate; the others are up to date.")
        if tenants:
            self._delegate(len(tenants)).run_migrations(tenants=tenants)

    def run_multi_type_migrations(self, tenants):  # ParkHub has one tenant type
        raise NotImplementedError("ParkHub does not use multi-type tenants")


def executor_for(codename=None):
    """GET_EXECUTOR_FUNCTION: every migrate_schemas skips the schemas already up to date."""
    return _OnlySchemasBehind
