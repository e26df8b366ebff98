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

from .models import TOMBSTONE_SCHEMA_PREFIX

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


def _migrate_rendering_once(schema_names: list[str], verbosity: int) -> int:
    """Apply the plan to each schema, rendering the project state once per starting point.

    Django's `migrate` loads the graph and renders the models of every app for each schema
    (most of its ~0.5 s); schemas behind the code almost always start from the same applied
    set, so here one executor per process computes the plan and the state before it once for
    each distinct set, and each schema gets a clone of that state (cheap: the rendered models
    are copied, not rebuilt). Each migration is applied and recorded in the schema's own
    `django_migrations`, as `migrate` does, then post_migrate runs (content types and
    permissions of new models). Returns how many schemas were migrated.
    """
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    executor = None
    rendered: dict[frozenset, object] = {}
    for schema_name in schema_names:
        connection.set_schema(schema_name, include_public=False)
        MigrationRecorder(connection).ensure_schema()  # before search_path includes public
        connection.set_schema(schema_name)
        if executor is None:
            executor = MigrationExecutor(connection)
            targets = executor.loader.graph.leaf_nodes()
        executor.loader.applied_migrations = executor.recorder.applied_migrations()
        plan = executor.migration_plan(targets)
        if not plan:
            continue
        start = frozenset(executor.loader.applied_migrations)
        if start not in rendered:
            state = executor._create_project_state(with_applied_migrations=True)
            state.apps  # noqa: B018  (render now, once)
            rendered[start] = state
        state = rendered[start].clone()
        emit_pre_migrate_signal(verbosity, False, connection.alias, apps=state.apps, plan=plan)
        for migration, _backwards in plan:
            if verbosity >= 1:
                print(f"[{schema_name}] applying {migration.app_label}.{migration.name}")
            state = _apply_one(executor, state, migration)
        emit_post_migrate_signal(verbosity, False, connection.alias, apps=state.apps, plan=plan)
    connection.set_schema_to_public()
    return len(schema_names)


def _installs_triggers(migration) -> bool:
    return any(type(operation).__module__.startswith("pgtrigger") for operation in migration.operations)


def _apply_one(executor, state, migration):
    """Apply one migration; trigger installs one process at a time.

    pgtrigger's trigger functions call one shared `_pgtrigger_should_ignore` in the public
    schema, which every install re-creates (CREATE OR REPLACE): two schemas doing it at the
    same moment fail with "tuple concurrently updated". A session advisory lock serialises
    only those migrations.
    """
    if not _installs_triggers(migration):
        return executor.apply_migration(state, migration)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('parkhub_pgtrigger_install'))")
    try:
        return executor.apply_migration(state, migration)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('parkhub_pgtrigger_install'))")


def _migrate_chunk(verbosity: int, schema_names: list[str]) -> int:
    from django.db import connections

    connections.close_all()  # a forked child opens its own connection
    try:
        return _migrate_rendering_once(schema_names, verbosity)
    finally:
        connections.close_all()


def migrate_schemas_behind(
    schema_names: list[str], *, verbosity: int = 1, processes: int | None = None
) -> None:
    """Migrate `schema_names` (all behind the code) in `processes` forked processes."""
    import functools
    import multiprocessing

    from django.db import connections

    processes = processes or getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)
    if processes <= 1 or len(schema_names) <= 1:
        _migrate_rendering_once(schema_names, verbosity)
        return
    chunks = [schema_names[i::processes] for i in range(processes) if schema_names[i::processes]]
    connections.close_all()  # never share the parent's socket with the children
    with multiprocessing.get_context("fork").Pool(processes=len(chunks)) as pool:
        pool.map(functools.partial(_migrate_chunk, verbosity), chunks)


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
        # A deleted tenant's tombstone row has no schema to migrate (public_schema.tenants.deletion).
        tenants = [schema for schema in (tenants or []) if not schema.startswith(TOMBSTONE_SCHEMA_PREFIX)]
        if not any(self.options.get(option) for option in _UNFILTERED_OPTIONS):
            tenants = schemas_behind(tenants)
            if int(self.options.get("verbosity", 1)) >= 1:
                print(f"{len(tenants)} schema(s) to migrate; the others are up to date.")
        if not tenants:
            return
        if any(self.options.get(option) for option in _UNFILTERED_OPTIONS) or tenants == ["public"]:
            # A targeted run, or the public schema: Django's own migrate, as django-tenants runs it.
            self._delegate(len(tenants)).run_migrations(tenants=tenants)
        else:
            migrate_schemas_behind(tenants, verbosity=int(self.options.get("verbosity", 1)))

    def run_multi_type_migrations(self, tenants):  # ParkHub has one tenant type
        raise NotImplementedError("ParkHub does not use multi-type tenants")


def executor_for(codename=None):
    """GET_EXECUTOR_FUNCTION: every migrate_schemas skips the schemas already up to date."""
    return _OnlySchemasBehind


def pattern_indexes_drop(schema_names: list[str]) -> int:
    """Drop the pattern-ops ("_like") indexes Django made in these tenant schemas; one query finds them.

    New schemas are built without them (saas/postgresql/base.py); this removes those of
    schemas migrated before, once (afterwards the query finds nothing). Only indexes named
    `..._like` whose every column uses varchar_pattern_ops or text_pattern_ops are dropped.
    """
    if not schema_names:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, c.relname
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY(%s) AND c.relname LIKE '%%\\_like' AND NOT x.indisunique
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(x.indclass::oid[]) AS k(opclass)
                  JOIN pg_opclass o ON o.oid = k.opclass
                  WHERE o.opcname NOT IN ('varchar_pattern_ops', 'text_pattern_ops')
              )
            """,
            [list(schema_names)],
        )
        found = cursor.fetchall()
        for schema, index in found:
            cursor.execute(f'DROP INDEX IF EXISTS "{schema}"."{index}"')
    return len(found)
