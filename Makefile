# quizapp — the README's commands. Everything installs into .venv; nothing global.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 5000
WORKERS ?= 2
BIN    := $(VENV)/bin
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k auth -x"
PYTEST_ARGS ?=

.PHONY: run dev test lint format install install-test lock clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The dependencies come from the lock files (exact versions, every file's hash), so every
# machine and CI install the same thing; pyproject.toml keeps the ranges they are compiled from
# (`make lock`). The project itself goes in editable and without dependencies: it has no hash,
# and its dependencies are already installed from the lock. (Its build backend, hatchling with
# editables, comes into pip's isolated build env unpinned; it only makes the editable hook.)
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml requirements-test.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@# axe-core (accessibility checks in the browser tests), from the npm registry.
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@4 >/dev/null; \
	else echo "npm not found: the accessibility checks will be skipped"; fi
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## Install the app into .venv

install-test: $(VENV)/.installed-test  ## Install the app and the test tools into .venv

# uv resolves against PyPI for this project's machines (CPython 3.11 on x86-64 Linux) and is
# installed into a throwaway venv, so it is never one of the project's dependencies. Pins already
# in the lock files are kept unless pyproject.toml's ranges rule them out; to move them to the
# newest releases: make lock LOCK_ARGS=--upgrade (or --upgrade-package NAME). The runtime lock is
# constrained by the test lock, so the app runs on exactly the versions it is tested on.
UV_VERSION ?= 0.13.9
LOCK_ARGS ?=
LOCK_COMPILE = --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--generate-hashes --custom-compile-command "make lock" --quiet $(LOCK_ARGS)
lock:  ## Recompile requirements.lock and requirements-test.lock from pyproject.toml (needs PyPI)
	@set -e; tool=$$(mktemp -d); trap 'rm -rf "$$tool"' EXIT; \
	$(PYTHON) -m venv "$$tool"; \
	"$$tool/bin/pip" install --quiet uv==$(UV_VERSION); \
	"$$tool/bin/uv" pip compile $(LOCK_COMPILE) --extra test -o requirements-test.lock pyproject.toml; \
	"$$tool/bin/uv" pip compile $(LOCK_COMPILE) -c requirements-test.lock -o requirements.lock pyproject.toml

run: install  ## Install, migrate the SQLite database, load the bundled bank, serve on 127.0.0.1:$(PORT)
	$(BIN)/flask --app quizapp init
	@echo "quizapp: serving on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - "quizapp:create_app()"

dev: install  ## Like run, with Flask's debugger and auto-reload (never in production)
	$(BIN)/flask --app quizapp init
	$(BIN)/flask --app quizapp run --debug --host 127.0.0.1 --port $(PORT)

test: install-test  ## Install the test dependencies and run the whole suite
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test  ## ruff (lint and format check), mypy and the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-test  ## Reformat the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:  ## Remove the virtual environment and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache test-artifacts
