# Townhall: `make demo` runs the product, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TH := $(BIN)/townhall
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install assets demo serve test lint format check-migrations messages lock bench clean

help:
	@echo "make demo    set up and run the demo on http://127.0.0.1:$(PORT) (SQLite, no server needed)"
	@echo "make test    install what the tests need and run every check"
	@echo "make lint    ruff lint and format check, mypy, import contracts"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make messages  update the translation catalogues in src/townhall/locale/ and compile them"
	@echo "make bench   run the benchmarks in bench/ (not part of make test)"
	@echo "make lock    re-resolve requirements/*.txt after changing pyproject.toml"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Townhall needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Townhall's front end needs Node.js and npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/.assets-built: node_modules/.installed $(wildcard frontend/*) scripts/build-assets
	scripts/build-assets
	touch $@

assets: build/.assets-built

demo: install assets
	@mkdir -p var
	@test -f var/demo.env || { echo "SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > var/demo.env; }
	set -a; source var/demo.env; source scripts/demo.env; set +a; \
	$(TH) migrate --noinput && \
	$(TH) collectstatic --noinput -v0 && \
	$(TH) demo_setup --port $(PORT) && \
	$(TH) serve --port $(PORT) --with-worker

check-migrations: install
	@mkdir -p var
	TOWNHALL_ENV=test $(TH) makemigrations --check --dry-run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	TOWNHALL_ENV=test $(BIN)/mypy src/townhall bench
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install assets lint check-migrations
	scripts/ensure-chromium
	scripts/ensure-gettext
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest -m "not browser"; \
	else \
		echo "TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)"; \
	fi

# Every string marked for translation, gathered into each language's catalogue
# (django.po: translators fill it in) and compiled (django.mo: what Django
# reads). Both are committed. Needs gettext (scripts/ensure-gettext).
LOCALES := cy
MAKEMESSAGES_OPTIONS := --add-location=file --no-obsolete --ignore='*/tests/*' --ignore='testing/*'
messages: install
	scripts/ensure-gettext --required
	cd src/townhall && TOWNHALL_ENV=test ../../$(TH) makemessages $(addprefix -l ,$(LOCALES)) $(MAKEMESSAGES_OPTIONS)
	cd src/townhall && TOWNHALL_ENV=test ../../$(TH) compilemessages $(addprefix -l ,$(LOCALES))

bench: install assets
	$(BIN)/python bench/run.py

lock:
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --python-version 3.11 --generate-hashes pyproject.toml -o requirements/base.txt
	$(BIN)/uv pip compile --quiet --python-version 3.11 --generate-hashes --extra dev pyproject.toml -o requirements/dev.txt

clean:
	rm -rf build node_modules $(VENV) var/static
