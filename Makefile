# Two commands on a fresh machine: `make run` and `make test` (README.md).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check lint types layers pytest fast mappings bench bench-smoke clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Every CDS_* variable already in the environment wins over these development defaults.
run: $(STAMP)
	export CDS_ENV=$${CDS_ENV:-dev} CDS_HOST=$${CDS_HOST:-127.0.0.1} CDS_PORT=$${CDS_PORT:-8000}; \
	if [ "$$CDS_ENV" = dev ]; then \
	  export CDS_AUTH_REQUIRED=$${CDS_AUTH_REQUIRED:-false}; \
	fi; \
	exec $(PY) -m cds_service.cli serve

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: $(STAMP)
	$(VENV)/bin/mypy

layers: $(STAMP)
	$(VENV)/bin/lint-imports

mappings: $(STAMP)
	$(PY) -m cds_service.cli mappings check

pytest: $(STAMP)
	$(VENV)/bin/pytest -q

# The inner loop while developing: every test but those marked slow (CONTRIBUTING.md).
fast: $(STAMP)
	$(VENV)/bin/pytest -q -m "not slow"

check: lint types layers

test: check pytest

# make bench BENCH_ARGS="--soak 600" adds the memory soak (docs/performance.md).
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

bench-smoke: $(STAMP)
	$(PY) -m bench.run --smoke

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
