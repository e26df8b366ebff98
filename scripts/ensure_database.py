"""Create the database named in DATABASE_URL if it does not exist yet (a fresh machine has none)."""

import os
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def main() -> None:
    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
