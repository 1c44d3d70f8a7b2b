# Two entry points for users and CI: `make test` and `make demo`. Both create .venv with a
# Python >= 3.12 found by tools/find-python (override with PYTHON=/path/to/python).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev

DOCS_STAMP := $(VENV)/.installed-docs

.PHONY: test test-slow demo docs lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(tools/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,docs]'
	@touch $(DOCS_STAMP)

test: $(STAMP) lint
	$(PY) -m pytest

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

lint: $(STAMP)
	$(VENV)/bin/ruff check bayes_l1 tests benchmarks
	$(VENV)/bin/ruff format --check bayes_l1 tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff check --fix bayes_l1 tests benchmarks
	$(VENV)/bin/ruff format bayes_l1 tests benchmarks

demo: $(STAMP)
	$(VENV)/bin/bayes-l1 demo

# Sphinx + myst-nb: the guide, the API from the docstrings, and the notebooks executed (a
# failing cell or any warning fails the build). BAYES_L1_FAST=1 makes the notebooks small.
docs: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html
	@echo "Docs: docs/_build/html/index.html"

bench: $(STAMP)
	$(PY) benchmarks/map_vs_sklearn.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache docs/_build
