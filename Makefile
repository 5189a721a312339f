# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml 2>/dev/null | sha256sum | cut -c1-12)

.PHONY: help install train run run-production test test-unit test-e2e validate lint bench clean

help:
	@echo "make run        install, train if the model is stale, start every service (SQLite)"
	@echo "make test       install, then run every test (unit, conversation, PostgreSQL+Redis, browser)"
	@echo "make install    only install (.venv from Python 3.10)"
	@echo "make train      train the Rasa model into models/ if its inputs changed"
	@echo "make bench      run the benchmarks and update bench/results.json and the README table"
	@echo "make run-production  the same as run, on PostgreSQL + Redis with several workers"

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml scripts/install.sh
	scripts/install.sh
	rm -f $(VENV)/.installed-*
	touch $@

train: install
	$(PY) -m bot model train

run: install
	$(PY) -m bot run

run-production: install
	scripts/services.sh
	ZS_PROFILE=production $(PY) -m bot run

validate: install
	$(VENV)/bin/rasa data validate --fail-on-warnings --config config.yml --domain domain.yml --data data

lint: install
	$(VENV)/bin/ruff check bot actions tests bench

test: install
	scripts/test.sh

test-unit: install
	$(PY) -m pytest tests/unit -q

bench: install
	scripts/services.sh
	$(PY) -m bench.run_all

clean:
	rm -rf var models .pytest_cache
