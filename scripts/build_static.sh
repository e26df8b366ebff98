#!/bin/sh
# Build the collected static set exactly as the image does (deploy/Dockerfile runs this script):
# the front-end packages from package-lock.json, installed fresh with `npm ci --omit=dev` into a
# directory of their own (never the developer's node_modules), then `collectstatic` with the
# production settings and storage (hashed names, a manifest, compressed copies).
#
#     scripts/build_static.sh OUTPUT_DIR
#
# With PARKHUB_NODE_MODULES already set to an installed node_modules (the image's node stage
# ran the same `npm ci`), the install step is skipped. The SECRET_KEY and DATABASE_URL are
# throwaway values: collectstatic opens no database connection and signs nothing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
output=${1:?usage: scripts/build_static.sh OUTPUT_DIR}
# The project's virtualenv when there is one (a developer's tree), else the python on PATH (the image).
if [ -n "${PYTHON:-}" ]; then
    python=$PYTHON
elif [ -x "$root/.venv/bin/python" ]; then
    python="$root/.venv/bin/python"
else
    python=python
fi

if [ -z "${PARKHUB_NODE_MODULES:-}" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    cp "$root/package.json" "$root/package-lock.json" "$work/"
    (cd "$work" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
    PARKHUB_NODE_MODULES="$work/node_modules"
fi

mkdir -p "$output"
cd "$root"
PARKHUB_NODE_MODULES="$PARKHUB_NODE_MODULES" \
STATIC_ROOT=$(cd "$output" && pwd) \
DJANGO_SETTINGS_MODULE=saas.settings.production \
SECRET_KEY="$("$python" -c 'import secrets; print(secrets.token_urlsafe(50))')" \
DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    "$python" manage.py collectstatic --noinput --clear --verbosity "${VERBOSITY:-1}"
