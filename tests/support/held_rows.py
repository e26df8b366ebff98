"""Make a worker's task stop at a known point: a row the task will insert is already inserted,
uncommitted, by another connection, so the task's INSERT waits on that transaction.

This is deterministic where "many rows and good timing" is not: the test knows the task has
done everything before that insert (in its still open transaction) and nothing after it, and
can kill the worker exactly there. Rolling the held row back afterwards lets the next worker's
insert through.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import psycopg
from django.db import connection


def _dsn() -> str:
    db = connection.settings_dict
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER'] or 'postgres'}" + (f" password={db['PASSWORD']}" if db["PASSWORD"] else "")
    )


@contextmanager
def row_held(sql: str, params=(), *, schema: str = "public"):
    """Run `sql` (an INSERT of the row the task will want) in a transaction kept open inside the block."""
    with psycopg.connect(_dsn(), autocommit=False) as held:
        held.execute(f'SET search_path TO "{schema}", public')
        held.execute(sql, params)
        try:
            yield held
        finally:
            held.rollback()


def lock_waiters() -> list[dict]:
    """The other sessions of the test database that are waiting for a lock, with what they run."""
    with psycopg.connect(_dsn(), autocommit=True) as probe:
        rows = probe.execute(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [{"pid": pid, "query": query} for pid, query in rows]


def wait_for_lock_waiter(*, containing: str, timeout: float = 40) -> dict:
    """Block until some session waits on a lock while running a statement that contains `containing`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for waiter in lock_waiters():
            if containing.lower() in waiter["query"].lower():
                return waiter
        time.sleep(0.05)
    raise AssertionError(f"no session came to wait on the held row ({containing}) within {timeout}s")


def backend_gone(pid: int, *, timeout: float = 20) -> None:
    """Wait until PostgreSQL has ended the dead worker's session (and rolled its transaction back)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(_dsn(), autocommit=True) as probe:
        while time.monotonic() < deadline:
            if not probe.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError(f"the killed worker's database session {pid} is still there after {timeout}s")
