# Nearhand: `make run` serves the whole site, `make test` runs every test. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

# Offline Stripe: localstripe on this port (scripts/provision.sh stripe starts it) unless real
# keys are configured (STRIPE_SECRET_KEY set): then STRIPE_API_BASE stays empty, Stripe itself.
STRIPE_API_BASE ?= $(if $(STRIPE_SECRET_KEY),,http://127.0.0.1:8420)
export STRIPE_API_BASE
# localstripe sends its webhooks to the site being served.
LOCALSTRIPE_WEBHOOK_URL ?= http://$(HOST):$(PORT)/payments/webhooks/stripe/
# Tests get a localstripe of their own, from scratch, its store in memory.
TEST_STRIPE_API_BASE ?= http://127.0.0.1:8421

# The tests' read replica (scripts/provision.sh replica): a second local PostgreSQL cluster on
# this port, streaming from the first. With DATABASE_URL set none is made; set
# DATABASE_TEST_REPLICA_URL to a replica of that server to test through it.
REPLICA_PORT ?= 5433
export REPLICA_PORT
DATABASE_TEST_REPLICA_URL ?= $(if $(DATABASE_URL),,postgis://nearhand:nearhand@127.0.0.1:$(REPLICA_PORT)/nearhand)

# Tests get their own Redis database: they clear the cache between tests.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DJANGO_SECRET_KEY=test-only-secret-key-not-for-production \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver \
	DJANGO_SECURE_SSL_REDIRECT=0 \
	REDIS_URL=$(TEST_REDIS_URL) \
	STRIPE_API_BASE=$(TEST_STRIPE_API_BASE) STRIPE_SECRET_KEY=sk_test_localstripe \
	STRIPE_PUBLISHABLE_KEY=pk_test_localstripe STRIPE_WEBHOOK_SECRET=whsec_test_only \
	DATABASE_TEST_REPLICA_URL=$(DATABASE_TEST_REPLICA_URL)
PYTEST_ARGS ?=
# The unit tests run in this many processes (pytest-xdist), each with its own test database and
# Redis database (15, 14, ...); 0 runs them in this process.
TEST_WORKERS ?= 2
# schemathesis' examples per API operation in the system step (the run stays near a minute).
SCHEMATHESIS_EXAMPLES ?= 10

.PHONY: help run test lint format provision system venv database replica redis stripe migrate seed static check-env bench prod prod-check

help:
	@echo "make run     install what is missing, then serve the whole site on http://$(HOST):$(PORT)/"
	@echo "make test    install what is missing, then run every test (browser tests included)"
	@echo "make prod    the production layout on https://localhost:8443/ (nginx, gunicorn, two daphnes, PgBouncer, Celery on two queues, beat)"
	@echo "make lint    ruff lint and format check, import layering;  make format  fix them"
	@echo "make bench   seed a 100,000-service benchmark database once, then time the public pages (in-process and over HTTP), the live chat and Lighthouse scores (BENCH_SERVICES=1000000 for 1M)"

system:
	@scripts/provision.sh system

$(BIN)/python: | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

database: system
	@scripts/provision.sh database

redis: system
	@scripts/provision.sh redis

# Only the tests need it (`make run` reads from the primary alone).
replica: database
	@scripts/provision.sh replica

stripe: venv
	@LOCALSTRIPE_WEBHOOK_URL=$(LOCALSTRIPE_WEBHOOK_URL) scripts/provision.sh stripe

provision: system venv database redis stripe

migrate: provision
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

seed: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo

static: venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v 0

# honcho sets PORT for each process itself, so the web port travels as WEB_PORT.
run: seed static
	@echo ""
	@echo "  Nearhand is starting at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo accounts are listed above and in README.md. Ctrl-C stops everything."
	@echo ""
	@mkdir -p var
	DJANGO_DEBUG=1 WEB_HOST=$(HOST) WEB_PORT=$(PORT) $(BIN)/honcho start -f Procfile

# The production layout on loopback, production settings (scripts/prod.sh; docs/operations.md).
prod: seed static replica
	@scripts/prod.sh

# The production layout started on ports and a database of its own, checked through nginx
# (prodcheck/), then stopped; make test runs it last.
prod-check: provision replica static
	$(TEST_ENV) scripts/prod_check.sh $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Test and benchmark npm packages (axe-core for the browser tests, Lighthouse for make bench),
# exactly as package-lock.json pins them.
node_modules/.package-lock.json: package-lock.json | system
	npm ci --no-audit --no-fund

test: provision replica static node_modules/.package-lock.json
	@REDIS_URL=$(TEST_REDIS_URL) scripts/provision.sh redis
	@STRIPE_API_BASE=$(TEST_STRIPE_API_BASE) LOCALSTRIPE_STORE= LOCALSTRIPE_WEBHOOK_URL= \
		scripts/provision.sh stripe
	@# A PgBouncer in transaction mode: the booking storm runs through it too.
	@scripts/provision.sh pgbouncer
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_WORKERS) -m "not system" $(PYTEST_ARGS)
	@# Tests that start processes of their own (daphne, Celery, redis-server, probes), the
	@# bad-input walk and schemathesis against /api/schema/ (SCHEMATHESIS_EXAMPLES generated
	@# requests an operation, as a customer and as a provider); exit code 5 only means
	@# PYTEST_ARGS selected none of them.
	$(TEST_ENV) SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) \
		$(BIN)/pytest -n $(TEST_WORKERS) -m system $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(TEST_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest e2e $(PYTEST_ARGS)
	$(TEST_ENV) scripts/prod_check.sh $(PYTEST_ARGS) || [ $$? -eq 5 ]

# A database of its own (nearhand_bench, created and seeded once) and a Redis database of its own;
# wrk (the HTTP load) and Lighthouse (npm) first.
bench: provision static node_modules/.package-lock.json
	@scripts/provision.sh bench
	@REDIS_URL=redis://127.0.0.1:6379/12 scripts/provision.sh redis
	DJANGO_SECRET_KEY=bench-only-secret-key-not-for-production \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=0 \
	REDIS_URL=redis://127.0.0.1:6379/12 \
	$(BIN)/python bench/run.py $(if $(BENCH_SERVICES),--services $(BENCH_SERVICES)) $(BENCH_ARGS)
