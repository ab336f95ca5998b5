# helpdesk-voice: every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
E2E_NODE := e2e/node_modules/.package-lock.json
export PYTHONPATH := $(CURDIR)
export LANG := C.UTF-8
export LC_ALL := C.UTF-8
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install env train up down status demo test test-embedded test-production unit integration rasa-test e2e e2e-bst e2e-audio lint format bench chaos clean

help: ## list the commands
	@grep -E '^[a-z0-9-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## create .venv (python3.10, pinned, cached under ~/.cache) and .env
	@scripts/bootstrap_venv.sh
	@[ -f .env ] || { cp example.env .env && echo "created .env from example.env"; }

env: install

train: install ## train the Rasa model if its inputs changed (fingerprint cache)
	@$(PY) -m scripts.train_model

up: train ## start the local stack in the background; returns when all parts are healthy
	@$(PY) -m stack up

down: ## stop exactly what `make up` started
	@$(PY) -m stack down

status: ## every process `make up` started, with its pid, port and health
	@$(PY) -m stack status

demo: train ## start the stack and take a phone call in this terminal
	@$(PY) -m stack up && trap '$(PY) -m stack down' EXIT && $(PY) -m emulators.softphone

lint: install ## ruff lint and format check
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: install
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

unit: install ## fast tests in one process: pure functions, our servers and HTTP fakes in process
	@$(VENV)/bin/pytest -q tests/unit

integration: train $(E2E_NODE) ## tests that start processes: whole calls, bst, the console in a browser, PostgreSQL
	@$(VENV)/bin/pytest -q -m integration

rasa-test: train ## rasa data validate and the Rasa test stories
	@cd rasa_bot && ../$(PY) -m rasa data validate --fail-on-warnings --quiet
	@cd rasa_bot && ../$(PY) -m dialogue test core --stories tests --model models/current.tar.gz \
		--out ../var/rasa-test-results --fail-on-prediction-errors --quiet

e2e: e2e-bst ## Bespoken tests offline: each e2e/tests/*.e2e.yml is one call to the local stack

$(E2E_NODE): e2e/package.json e2e/package-lock.json
	@npm ci --prefix e2e --no-audit --no-fund
	@touch $@

e2e-bst: train $(E2E_NODE) ## the real `bst test` against the local stack through the offline device
	@$(PY) -m e2e.device run --cwd e2e -- $(CURDIR)/e2e/node_modules/.bin/bst test $(BST_ARGS)

e2e-audio: train $(E2E_NODE) ## e2e suite heard over a phone line (TTS, 8 kHz mu-law, offline ASR): WER, pass rates
	@scripts/install_audio.sh
	@$(PY) -m e2e.audio $(E2E_AUDIO_ARGS)

chaos: train ## ticket filing under faults (slow, silent or down ServiceNow, retries, crashes): a table of outcomes
	@$(PY) -m chaos $(CHAOS_ARGS)

bench: train ## this project against a stock Rasa voice bot at 1, 10, 40 callers: table, targets, var/bench/ (BENCH_ARGS=--quick)
	@$(PY) -m bench $(BENCH_ARGS)

# Three jobs at once, each printed when it ends: the Rasa tests, and pytest's two halves,
# each with its own session stack (tests/stacks.py): every test but those on the
# production path (unit tier first, while the embedded stack starts), and those.
test: lint train $(E2E_NODE) ## everything CI checks: lint, Rasa tests, every pytest tier with bst, PostgreSQL
	@$(MAKE) --no-print-directory -j3 --output-sync=target rasa-test test-embedded test-production

test-embedded: train $(E2E_NODE)
	@$(VENV)/bin/pytest -q tests --stores embedded --durations=8

test-production: train
	@$(VENV)/bin/pytest -q tests/integration tests/browser --stores postgres --durations=8

clean: ## remove local state (venv cache and models stay in ~/.cache)
	rm -rf var .pytest_cache .ruff_cache rasa_bot/models
