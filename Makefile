# Two commands: `make run` serves the archive with the seed documents,
# `make test` runs the whole suite. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
FORWARDED_ALLOW_IPS ?= 127.0.0.1
# Test processes (pytest-xdist); the machine and CI have 2 cores.
TEST_WORKERS ?= 2

.PHONY: run serve worker test install install-dev seed bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(RUN_STAMP) $@

# Offline page checkers for the test suite (axe-core, Nu HTML checker); skipped
# with a message when npm is missing, required in CI.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else echo "npm not found: accessibility and HTML validity checks will be skipped"; fi

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP) node_modules/.installed

seed: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py analyze_database
	$(PY) manage.py create_demo_analyst

run: seed
	@echo
	@echo "  Margins is at http://$(HOST):$(PORT)/"
	@echo "  Sign in at http://$(HOST):$(PORT)/accounts/login/ as the local demo analyst:"
	@echo "  user 'analyst', password 'margins-demo' (created for local use only)."
	@echo "  The background worker (embeddings, echoes) runs beside it; Ctrl-C stops both."
	@echo
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py echo_worker & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The background worker alone (docs/echoes.md): embeds passages, looks for echoes in new
# documents. One on SQLite; on PostgreSQL run as many as you like.
worker: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py echo_worker

# Production settings under gunicorn. Needs the production environment
# (SECRET_KEY, ALLOWED_HOSTS, ... see the README); WEB_CONCURRENCY sets the
# number of worker processes (gunicorn reads it), 2 by default.
WEB_CONCURRENCY ?= 2
serve: install
	DJANGO_ENV=production $(PY) manage.py check --deploy
	DJANGO_ENV=production $(PY) manage.py collectstatic --noinput
	DJANGO_ENV=production $(PY) manage.py migrate --noinput
	DJANGO_ENV=production $(PY) manage.py analyze_database
	@# The worker is its own process beside gunicorn; both stop together.
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_ENV=production $(PY) manage.py echo_worker & worker=$$!; \
	DJANGO_ENV=production WEB_CONCURRENCY=$(WEB_CONCURRENCY) $(VENV)/bin/gunicorn config.wsgi:application \
		--bind $(HOST):$(PORT) --access-logfile - --forwarded-allow-ips "$(FORWARDED_ALLOW_IPS)"

test: install-dev
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: install-dev
	$(PY) bench/reanchor.py
	$(PY) bench/suggest.py
	$(PY) bench/compare.py
	$(PY) bench/passage.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .hypothesis
