# ParkHub: the two commands are `make dev` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: dev test setup install services messages browser pgbouncer seed run lint bench bench-tools clean-data

## make dev: set everything up, seed the Jiaozhou demo and run web + worker + beat.
dev: install messages
	@PORT=$(PORT) bash scripts/dev.sh

## make test: install, start PostgreSQL and Redis if they are down, run the whole suite.
test: install services messages browser pgbouncer
	@source .data/services.env && unset DATABASE_URL_TEST; \
	  DJANGO_SETTINGS_MODULE=saas.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

install: $(STAMP) node_modules/.package-lock.json

# Front-end libraries served by the app itself (Apache ECharts for the hub), from the npm registry.
node_modules/.package-lock.json: package.json package-lock.json
	@npm ci --omit=dev --no-audit --no-fund --loglevel=error

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev,embedded]'
	@touch $(STAMP)

services:
	@bash scripts/services.sh

# Compiled translations are built from locale/*.po, never committed.
messages: install
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  if ! command -v msgfmt >/dev/null; then apt-get install -y -qq gettext >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gettext); fi; \
	  SECRET_KEY=x DATABASE_URL=postgres://localhost/x $(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules; \
	fi

# Debian's chromium drives the browser tests (Playwright's own browser download is not possible here);
# Noto CJK, so the screenshots the walks take show Chinese rather than empty boxes.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@fc-list 2>/dev/null | grep -qi "CJK" || apt-get install -y -qq fonts-noto-cjk >/dev/null || (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null)

# Debian's PgBouncer: tests/test_pgbouncer.py runs the isolation tests through a real one.
pgbouncer:
	@test -x /usr/sbin/pgbouncer || command -v pgbouncer >/dev/null || (apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null)

# ruff (no function above cyclomatic complexity 15: C901 in pyproject.toml), ruff format; then the
# layers of pyproject.toml's [tool.importlinter] (the kernel imports no feature app, tenant apps
# no hub app, the hub reads tenants only through public_schema.hub.figures).
lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports --no-cache

# wrk (Debian's package) drives the closed-loop load of bench/application_pages.py; the Python
# clients it falls back to take much of a small machine's CPU.
bench-tools:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)

bench: install services bench-tools
	@source .data/services.env && $(PY) bench/provision.py
