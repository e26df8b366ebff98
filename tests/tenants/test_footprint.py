"""A lighter tenant: no pattern-ops ("_like") index in tenant schemas, every unique index kept.

bench/tenant_footprint.py measures what an empty tenant costs; these check the cut holds
for the schemas the tests' own provisioning built and that uniqueness is untouched.
"""

from django.db import connection

from public_schema.tenants.migration_plan import pattern_indexes_drop

from ..conftest import ALPHA


def _like_indexes(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND indexname LIKE '%%\\_like' ORDER BY 1",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def test_tenant_schemas_have_no_pattern_indexes_and_the_public_schema_keeps_them(db, tenant_a):
    assert _like_indexes(ALPHA) == []
    assert _like_indexes("public")  # the hub's own schema is built as Django builds it


def test_uniqueness_of_text_columns_is_still_enforced(db, tenant_a):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE c.relnamespace = %s::regnamespace AND x.indisunique",
            [ALPHA],
        )
        unique_indexes = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE c.relnamespace = 'public'::regnamespace AND x.indisunique "
            "AND x.indrelid = 'public.tenants_tenant'::regclass",
        )
        public_tenant_unique = cursor.fetchone()[0]
    # Every table's primary key and every unique column or constraint is still an index.
    assert unique_indexes > 40 and public_tenant_unique >= 2


def test_indexes_of_schemas_built_before_are_dropped_once(db, tenant_a):
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE INDEX "enterprises_enterprise_credit_code_x_like" ON "{ALPHA}".enterprises_enterprise '
            "(credit_code varchar_pattern_ops)"
        )
        cursor.execute(
            f'CREATE INDEX "enterprises_enterprise_name_plain_like" ON "{ALPHA}".enterprises_enterprise (name)'
        )
    assert pattern_indexes_drop([ALPHA]) == 1
    assert _like_indexes(ALPHA) == ["enterprises_enterprise_name_plain_like"]  # not a pattern-ops index
    assert pattern_indexes_drop([ALPHA]) == 0
