"""The version of an enterprise's application pages, moved by database triggers (no model imports here).

Imported by the models of enterprises and funding too, whose rows those pages show.
"""

import pgtrigger


def pages_version_trigger(name: str, *, enterprises: str, operation, condition=None) -> pgtrigger.Trigger:
    """A trigger moving `ApplicationPagesVersion` of the enterprises the SQL `enterprises` selects.

    `enterprises` is a SELECT of enterprise ids that may read the trigger's OLD and NEW rows
    (OLD is NULL on INSERT, NEW on DELETE). It runs in the writing transaction, so no code
    path (service, admin, raw SQL) can change what the pages show without moving the version.
    The version is the time of the change in microseconds, or one more than the last version
    if the clock went back: a database restored or a tenant made again never meets a version
    kept in the cache for other contents.
    """
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=operation,
        condition=condition,
        func=f"""
            INSERT INTO applications_applicationpagesversion (enterprise_id, version)
            SELECT changed.enterprise_id, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
            FROM (SELECT DISTINCT enterprise_id FROM ({enterprises}) AS rows (enterprise_id)) AS changed
            WHERE changed.enterprise_id IS NOT NULL
            ON CONFLICT (enterprise_id) DO UPDATE
            SET version = GREATEST(applications_applicationpagesversion.version + 1, EXCLUDED.version);
            RETURN NULL;
        """,
    )
