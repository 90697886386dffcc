# Calndr backend. The two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
LISTEN ?= 127.0.0.1:8080
LOCAL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/calndr
LOCAL_REDIS_URL ?= redis://127.0.0.1:6379

include deploy/deploy.mk

.PHONY: help run run-postgres build release test lint fmt clippy deps-check unit-test migrate bench bench-months bench-login query-log measure-export schemathesis fuzz

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: ## Build and serve on 127.0.0.1:8080 with the embedded in-memory store
	@$(CARGO) build -p calndr-server --bin calndr
	@echo "Calndr API: http://$(LISTEN)/api/v1  (docs: http://$(LISTEN)/api/v1/docs/index.html)"
	@env -u CALNDR_DATABASE_URL -u CALNDR_REDIS_URL -u DB_HOST -u REDIS_HOST \
		CALNDR_LISTEN_ADDR=$(LISTEN) ./target/debug/calndr serve

run-postgres: ## Serve on local PostgreSQL + Redis (creates database "calndr" if missing)
	@scripts/ensure-services.sh
	@psql "$(dir $(LOCAL_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='calndr'" | grep -q 1 \
		|| psql "$(dir $(LOCAL_DATABASE_URL))postgres" -c "CREATE DATABASE calndr"
	@$(CARGO) build -p calndr-server --bin calndr
	@echo "Calndr API: http://$(LISTEN)/api/v1  (PostgreSQL + Redis)"
	@CALNDR_LISTEN_ADDR=$(LISTEN) CALNDR_DATABASE_URL=$(LOCAL_DATABASE_URL) \
		CALNDR_REDIS_URL=$(LOCAL_REDIS_URL) ./target/debug/calndr serve

build: ## Debug build of the whole workspace
	$(CARGO) build --workspace

release: ## Release build of the calndr binary
	$(CARGO) build --release -p calndr-server --bin calndr

migrate: ## Apply migrations to CALNDR_DATABASE_URL (default: local database "calndr")
	CALNDR_DATABASE_URL=$${CALNDR_DATABASE_URL:-$(LOCAL_DATABASE_URL)} $(CARGO) run -q -p calndr-server --bin calndr -- migrate

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## fmt, clippy -D warnings, dependency direction, unused deps (cargo-shear), route import loops, file size
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	scripts/check-deps.sh
	scripts/check-deps-selftest.sh
	"$$(scripts/install-tools.sh)/cargo-shear" shear --locked
	scripts/check-route-imports.py
	scripts/check-route-imports-selftest.sh
	scripts/check-file-size.sh

test: lint deploy-check ## lint, deployment checks, every test (needs PostgreSQL and Redis; see README), then schemathesis
	scripts/ensure-services.sh
	$(CARGO) test --workspace
	scripts/schemathesis.sh

schemathesis: ## schemathesis over the served OpenAPI document (fixed seed, bounded; part of `make test`)
	scripts/schemathesis.sh

FUZZ_CASES ?= 20000
fuzz: ## Longer runs of the fuzz targets (iCalendar/RRULE, HTML, login form): FUZZ_CASES per target
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release -p calndr-outbound --test fuzz
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release -p calndr-api --lib login_form::tests::fuzz

bench: bench-months bench-login ## Benchmarks (release build, load from wrk on loopback); results in docs/performance.md

bench-months: ## Custody and events month views and custody/who at 16 and 64 connections (seeds 500 families)
	scripts/bench-months.sh

query-log: ## The PostgreSQL statements of one cold custody month read (issue #10 evidence)
	scripts/query-log-month.sh

measure-export: ## Server peak RSS while it streams GET /users/me/export (10 and 40 years of custody)
	scripts/measure-export.sh

bench-login: ## /health latency while 50 connections log in (the original stalls for 5 s)
	scripts/bench-login-storm.sh
