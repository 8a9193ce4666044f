# dBay: the two commands that matter are `make up` and `make test`. Each target has a script
# under scripts/ that says more with --help.
PY ?= python3
DEVSTACK = $(PY) scripts/devstack

.PHONY: help up down logs status install stores test test-lint test-lib test-platform test-services test-frontend test-e2e openapi format reset

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

up: ## install what is missing, start the whole marketplace, print the URL
	$(DEVSTACK) up

down: ## stop every process (data is kept in .devstack/)
	$(DEVSTACK) down

logs: ## follow all logs, or one: make logs NAME=wallet-service
	$(DEVSTACK) logs $(NAME)

status: ## one line per process
	$(DEVSTACK) status

install: ## install what is missing, start nothing
	$(DEVSTACK) install

stores: ## start only the data stores and the regtest node
	$(DEVSTACK) start-stores

test: ## every check: lint, types, library, services, OpenAPI drift, frontend, browser tests
	$(PY) scripts/run-tests

test-lint: ## ruff and mypy only
	$(PY) scripts/run-tests --only lint
test-lib: ## libs/dbay-common tests only
	$(PY) scripts/run-tests --only lib
test-platform: ## the stores killed and stopped under the services (private copies)
	$(PY) scripts/run-tests --only platform
test-services: ## the services' tests and the OpenAPI drift check
	$(PY) scripts/run-tests --only services
test-frontend: ## eslint, vue-tsc, vitest, build
	$(PY) scripts/run-tests --only frontend
test-e2e: ## whole stack + Playwright through the gateway
	$(PY) scripts/run-tests --only e2e

openapi: ## regenerate docs/api-contracts/ from the code
	.venv/bin/python scripts/openapi.py

format: ## ruff format + autofix
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

reset: ## stop and delete all local data (installed tools are kept)
	$(DEVSTACK) reset
