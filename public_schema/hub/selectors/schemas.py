"""SQL over many tenant schemas at once: quoting, which tables each has, UNION ALL of branches.

django-tenants has no cross-tenant query; looping over tenants in Python costs a round
trip (or several) per tenant per figure. Here a figure of public_schema.hub.figures, written over one
`{schema}`, becomes one branch per tenant schema, tagged with the tenant's id and joined
with UNION ALL. Schema names come from the registry and are quoted as identifiers; every
value goes in as a bound parameter.
"""

from __future__ import annotations

from django.db import connection


def quote_schema(name: str) -> str:
    """A schema name as an SQL identifier, whatever it contains."""
    return '"' + name.replace('"', '""') + '"'


def tables_by_schema(schemas: list[str], tables: set[str]) -> dict[str, set[str]]:
    """Which of `tables` exist in each schema: one catalogue query, not one per tenant."""
    present: dict[str, set[str]] = {schema: set() for schema in schemas}
    if not schemas:
        return present
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
            [schemas, sorted(tables)],
        )
        for schema, table in cursor.fetchall():
            present[schema].add(table)
    return present


def _union(tenants, present, tables, branch: str) -> str | None:
    """One branch per tenant schema that has `tables`, tagged with the tenant's id."""
    parts = [
        f"SELECT {int(tenant.pk)} AS tenant_id, b.* FROM ({branch.format(schema=quote_schema(tenant.schema_name))}) b"
        for tenant in tenants
        if set(tables) <= present[tenant.schema_name]
    ]
    return "\nUNION ALL\n".join(parts) if parts else None


def _fetch(sql: str, params: dict) -> list[dict]:
    columns, rows = _fetch_rows(sql, params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _fetch_rows(sql: str, params: dict) -> tuple[list[str], list[tuple]]:
    """Column names and rows as tuples (no dict per row, for thousands of rows)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [column.name for column in cursor.description], cursor.fetchall()


def _chunks(items: list, size: int):
    for index in range(0, len(items), size):
        yield items[index : index + size]
