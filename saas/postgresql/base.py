"""Django's PostgreSQL backend with one change to what migrations build in tenant schemas.

django-tenants' backend wraps this one (ORIGINAL_BACKEND in settings). For every indexed or
unique varchar/text column Django adds a second, `varchar_pattern_ops` index (`..._like`) so
that `LIKE 'prefix%'` can use an index outside the C locale. No query of a tenant app filters
with a case-sensitive prefix (`startswith`; the searches are `icontains`, which no btree
serves), so in tenant schemas those indexes are pure weight: 18 relations and 144 kB in every
empty tenant, times every tenant (docs/benchmarks.md, "Tenant footprint"). Uniqueness is
kept by the column's own unique index, which stays. PARKHUB_TENANT_PATTERN_INDEXES=True
restores Django's behaviour (for a new tenant app that needs prefix searches, declare an
explicit index with `opclasses=` instead). The public schema keeps them.

Django drops these indexes with `DROP INDEX IF EXISTS` when a later migration changes the
column, so their absence never breaks a migration.
"""

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.schema import DatabaseSchemaEditor as PostgresSchemaEditor


class DatabaseSchemaEditor(PostgresSchemaEditor):
    def _create_like_index_sql(self, model, field):
        in_tenant_schema = getattr(self.connection, "schema_name", "public") != "public"
        if in_tenant_schema and not settings.PARKHUB_TENANT_PATTERN_INDEXES:
            return None
        return super()._create_like_index_sql(model, field)


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
