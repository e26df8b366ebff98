"""What Citus schema-based sharding needs of the migrated schema (docs/scale-out.md), checked on the real one.

Each tenant schema becomes a distributed schema placed whole on one worker, and the public
tables become reference tables copied to every worker. That holds only if no foreign key
joins two tenant schemas, no public table points into a tenant schema (a reference table
cannot reference a distributed one), and every tenant table draws its ids from a sequence
of its own schema (a sequence shared across schemas would tie them to one node).
"""

import pytest
from django.db import connection

from public_schema.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def _tenant_schemas() -> list[str]:
    # Live tenants, spares and the template: every schema a tenant will ever be made from.
    return list(Tenant.objects.exclude(kind=Tenant.Kind.HUB).values_list("schema_name", flat=True))


def _foreign_keys_across_schemas() -> list[tuple[str, str, str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT source_ns.nspname, source.relname, constraint_row.conname, target_ns.nspname, target.relname
            FROM pg_constraint constraint_row
            JOIN pg_class source ON source.oid = constraint_row.conrelid
            JOIN pg_namespace source_ns ON source_ns.oid = source.relnamespace
            JOIN pg_class target ON target.oid = constraint_row.confrelid
            JOIN pg_namespace target_ns ON target_ns.oid = target.relnamespace
            WHERE constraint_row.contype = 'f' AND source_ns.nspname <> target_ns.nspname
            """
        )
        return cursor.fetchall()


def test_no_foreign_key_joins_two_tenant_schemas():
    tenant_schemas = set(_tenant_schemas())
    assert len(tenant_schemas) >= 2, "the test database has the two test tenants and the template"
    crossing = [
        row for row in _foreign_keys_across_schemas() if row[0] in tenant_schemas and row[3] != "public"
    ]
    assert crossing == []


def test_no_public_table_points_into_a_tenant_schema():
    """Public tables are to be reference tables: they may not reference a distributed schema's tables."""
    tenant_schemas = set(_tenant_schemas())
    into_tenants = [
        row for row in _foreign_keys_across_schemas() if row[0] == "public" and row[3] in tenant_schemas
    ]
    assert into_tenants == []


def test_tenant_tables_point_only_at_their_own_schema_or_public_tables():
    """The only crossing is tenant → public, and every such target is a plain public table."""
    tenant_schemas = set(_tenant_schemas())
    targets = {
        (target_schema, target_table)
        for source_schema, _table, _name, target_schema, target_table in _foreign_keys_across_schemas()
        if source_schema in tenant_schemas
    }
    assert {schema for schema, _table in targets} <= {"public"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
        )
        public_tables = {row[0] for row in cursor.fetchall()}
    assert {table for _schema, table in targets} <= public_tables


def test_every_tenant_sequence_belongs_to_its_own_schema():
    tenant_schemas = _tenant_schemas()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_ns.nspname, table_row.relname, attribute.attname, sequence_ns.nspname
            FROM pg_depend dependency
            JOIN pg_class sequence_row ON sequence_row.oid = dependency.objid AND sequence_row.relkind = 'S'
            JOIN pg_namespace sequence_ns ON sequence_ns.oid = sequence_row.relnamespace
            JOIN pg_class table_row ON table_row.oid = dependency.refobjid
            JOIN pg_namespace table_ns ON table_ns.oid = table_row.relnamespace
            JOIN pg_attribute attribute
              ON attribute.attrelid = table_row.oid AND attribute.attnum = dependency.refobjsubid
            WHERE dependency.deptype IN ('a', 'i') AND table_ns.nspname = ANY(%s)
            """,
            [tenant_schemas],
        )
        owned = cursor.fetchall()
        # Column defaults that draw from some sequence (a serial column, a hand-written nextval()).
        cursor.execute(
            """
            SELECT table_ns.nspname, table_row.relname, sequence_ns.nspname, sequence_row.relname
            FROM pg_attrdef default_row
            JOIN pg_depend dependency
              ON dependency.classid = 'pg_attrdef'::regclass AND dependency.objid = default_row.oid
            JOIN pg_class sequence_row ON sequence_row.oid = dependency.refobjid AND sequence_row.relkind = 'S'
            JOIN pg_namespace sequence_ns ON sequence_ns.oid = sequence_row.relnamespace
            JOIN pg_class table_row ON table_row.oid = default_row.adrelid
            JOIN pg_namespace table_ns ON table_ns.oid = table_row.relnamespace
            WHERE table_ns.nspname = ANY(%s)
            """,
            [tenant_schemas],
        )
        defaults = cursor.fetchall()
    assert owned, "tenant tables have identity columns"
    assert [row for row in owned if row[0] != row[3]] == []
    assert [row for row in defaults if row[0] != row[2]] == []
