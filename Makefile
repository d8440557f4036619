# MVI Community — `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres test-e2e install assets translations db check \
        extract-translations update-translations bench lint clean

run: install assets translations db  ## the app with demo data on SQLite, scheduler in-process
	$(FLASK) serve --host 127.0.0.1 --port 5000

test: install assets translations  ## the whole suite (unit, web, browser) on SQLite, or on TEST_DATABASE_URL
	$(BIN)/python -m pytest

test-postgres: install assets translations  ## the whole suite on PostgreSQL
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

test-e2e: install assets translations  ## browser tests only
	$(BIN)/python -m pytest tests/e2e

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

assets: static/vendor/.installed

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/utrecht
	cp node_modules/@utrecht/component-library-css/dist/index.css static/vendor/utrecht/index.css
	cp node_modules/@utrecht/component-library-css/LICENSE.md static/vendor/utrecht/LICENSE.md
	touch $@

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d mvi_community/translations

extract-translations: install  ## collect new strings into the catalog
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --ignore-dirs "node_modules .* _*" --project "MVI Community" --copyright-holder "MVI Community" \
	  -o mvi_community/translations/messages.pot .
	$(BIN)/pybabel update -i mvi_community/translations/messages.pot -d mvi_community/translations --no-fuzzy-matching

db: install  ## upgrade the schema, seed demo data when the database is empty
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo seed-if-empty

check: install  ## the models and the migrations agree
	$(FLASK) db check

bench: install assets translations
	$(BIN)/python benchmarks/bench_pages.py

lint: install
	$(BIN)/ruff check mvi_community tests benchmarks

clean:
	rm -rf $(VENV) node_modules static/vendor instance/*.sqlite3*
