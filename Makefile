# Two commands do all set-up on a fresh clone:
#   make plan [STACK=prod] [FORMAT=json]   offline plan of a stack (installs what it needs)
#   make test                              the whole test suite (installs what it needs)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= local
FORMAT ?= text
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: plan test bench-plan bench-throughput

$(VENV)/.runtime: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt constraints.txt
	$(PIP_INSTALL) -r requirements-dev.txt -c constraints.txt
	touch $@

plan: $(VENV)/.runtime
	$(PY) -m components plan --stack $(STACK) --format $(FORMAT)

test: $(VENV)/.dev
	$(PY) -m pytest

bench-plan: $(VENV)/.runtime
	$(PY) benchmarks/plan.py

bench-throughput: $(VENV)/.dev
	$(PY) benchmarks/throughput.py
