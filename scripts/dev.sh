#!/usr/bin/env bash
# `make dev`: find or start PostgreSQL and Redis, migrate every schema, seed the Jiaozhou
# demo, then run web + Celery worker + beat from the Procfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
source "${PARKHUB_SERVICES_ENV:-.data/services.env}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-saas.settings.local}"
export PORT="${PORT:-8000}"
export PARKHUB_URL_PORT="$PORT"
export PATH="$PWD/.venv/bin:$PATH"
python scripts/ensure_database.py
python manage.py parkhub_setup -v 0
# PARKHUB_DEMO_ARGS: a smaller demo, e.g. "--enterprises 700 --institutions 6" (tests/test_demo_path.py).
python manage.py seed_demo ${PARKHUB_DEMO_ARGS:-}
echo "Starting web (port $PORT), worker and beat. Stop with Ctrl-C."
exec honcho start -f Procfile -p "$PORT"
