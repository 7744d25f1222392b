# quizapp — the README's commands. Everything installs into .venv; nothing global.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 5000
WORKERS ?= 2
BIN    := $(VENV)/bin
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k auth -x"
PYTEST_ARGS ?=

.PHONY: run dev test lint format install install-test clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@# axe-core (accessibility checks in the browser tests), from the npm registry.
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@4 >/dev/null; \
	else echo "npm not found: the accessibility checks will be skipped"; fi
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## Install the app into .venv

install-test: $(VENV)/.installed-test  ## Install the app and the test tools into .venv

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
