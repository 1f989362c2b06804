# `make run` sets everything up and runs the site, a worker (queues celery, live, webhooks) and the sweeper on
# http://127.0.0.1:8000.
# `make test` runs the test suite and `make lint` the checks; .ci/run runs both in CI, lint first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-quick lint format bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-train.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# SQLite and the filesystem broker unless the environment says otherwise, and DEBUG off, so a missing
# page or another user's item shows the site's own 404 and 500 pages, as users will see them: static
# files come from collectstatic's folder through WhiteNoise, as in production; plain http on 127.0.0.1
# (no HTTPS redirect, no secure-only cookies or HSTS); a secret key of this checkout's own in var/.
# DJANGO_DEBUG=True make run shows Django's debug pages instead.
run: $(VENV)/.installed
	@mkdir -p var && test -s var/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	export DJANGO_DEBUG=$${DJANGO_DEBUG:-False} SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
	    ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-False} \
	    SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-False} CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-False} \
	    SECURE_HSTS_SECONDS=$${SECURE_HSTS_SECONDS:-0} && \
	$(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py collectstatic --no-input -v 0 && \
	$(BIN)/python manage.py devserver 127.0.0.1:8000

# axe-core for the accessibility tests (the site serves it to the page under test).
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --silent

test: $(VENV)/.installed-dev node_modules/.package-lock.json
	$(BIN)/python -m pytest

# The edit-test loop: no Celery worker, fault or browser tests (CI runs everything).
test-quick: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -m "not worker and not faults and not browser"

# What CI runs before the tests (and .pre-commit-config.yaml before a commit): lint, format, types
# (mypy: strict on ml/, django-stubs on the apps; pyproject.toml says which files and how strictly), and
# migrations that match the models. DJANGO_DEBUG only lets the settings load without production secrets
# (django-stubs' plugin loads them too).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(BIN)/mypy
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks print figures; they assert nothing. docs/performance.md says what each measures.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/upload_latency.py
	$(BIN)/python bench/upload_wait.py
	$(BIN)/python bench/gallery.py
	$(BIN)/python bench/concurrent_uploads.py
	$(BIN)/python bench/upload_memory.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/detection.py
	$(BIN)/python bench/classifier.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/video.py
	$(BIN)/python bench/capacity.py
	$(BIN)/python bench/collection_archive.py
	$(BIN)/python bench/faults.py
