# Two commands do all set-up on a fresh clone:
#   make plan [STACK=prod] [FORMAT=json]   offline plan of a stack (installs what it needs)
#   make test                              the whole test suite with lint, types and the layer contract
#                                          (installs what it needs, Debian packages included)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= local
FORMAT ?= text
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: plan test lint bench-plan bench-throughput

$(VENV)/.runtime: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt -c constraints.txt
	touch $@

# The kit itself, editable: puts the `airflow-ha` operations command in $(VENV)/bin.
$(VENV)/.kit: $(VENV)/.runtime pyproject.toml
	$(PIP_INSTALL) --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.kit requirements-dev.txt constraints.txt
	$(PIP_INSTALL) -r requirements-dev.txt -c constraints.txt
	touch $@

# checkov pins dependencies that conflict with Airflow's: its own environment (requirements-checkov.txt).
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed: requirements-checkov.txt constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt -c constraints-checkov.txt
	touch $@

$(VENV)/.system: .ci/system-packages.txt .ci/install-system-packages
	.ci/install-system-packages
	touch $@

plan: $(VENV)/.kit
	$(PY) -m components plan --stack $(STACK) --format $(FORMAT)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

test: lint $(VENV)/.system $(CHECKOV_VENV)/.installed
	$(PY) -m pytest

bench-plan: $(VENV)/.kit
	$(PY) -m benchmarks.plan

bench-throughput: $(VENV)/.dev $(VENV)/.system
	$(PY) -m benchmarks.throughput
