# CX Gap — two commands: `make run` (the product with demo data) and `make test` (the whole suite).
# Both create .venv with the pinned dependencies on first use; no PostgreSQL or Redis needed
# (the embedded default starts real ones under .cxgap/ unless DATABASE_URL / REDIS_URL are set).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint pytest install install-test clean-data

run: $(VENV)/.installed-run
	$(BIN)/python manage.py up

test: $(VENV)/.installed-test
	$(MAKE) lint
	$(MAKE) pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy .

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

clean-data:
	$(BIN)/python manage.py embedded reset
