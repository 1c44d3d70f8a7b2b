# Two entry points for users and CI: `make test` and `make demo`. Both create .venv with a
# Python >= 3.12 found by tools/find-python (override with PYTHON=/path/to/python) and install
# the versions CI tested, pinned in requirements/lock.txt, with uv (from PyPI: ~20 s from
# nothing, against ~40 s for pip). `make test-latest` tries the newest allowed versions in
# .venv-latest; `make lock` refreshes the pins (then run `make test test-latest`).
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
LOCK   := requirements/lock.txt
STAMP  := $(VENV)/.installed-dev

DOCS_STAMP := $(VENV)/.installed-docs

# Test files whose tests sample: CI runs them again at a second BAYES_L1_TEST_SEED.
SAMPLING_TESTS := tests/test_estimators.py tests/test_gibbs.py tests/test_summary.py \
	tests/test_compare.py tests/test_plots.py tests/test_cli.py tests/test_reproducibility.py \
	tests/test_sklearn_compat.py tests/test_posterior.py tests/test_spike_slab.py \
	tests/test_gibbs_logistic.py

.PHONY: test test-slow test-seed test-latest lock demo docs lint format bench bench-glmnet clean

$(UV):
	@test -x $(PY) || "$$(tools/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml $(LOCK) | $(UV)
	$(UV) pip install --python $(PY) --quiet -c $(LOCK) -e '.[dev]'
	@touch $(STAMP)

$(DOCS_STAMP): $(STAMP)
	$(UV) pip install --python $(PY) --quiet -c $(LOCK) -e '.[dev,docs]'
	@touch $(DOCS_STAMP)

# pytest-xdist spreads the suite over the cores, one worker per test file (--dist loadfile,
# so a module's fixtures are built once); override with WORKERS=1 to run in one process.
WORKERS ?= 2
XDIST   := -n $(WORKERS) --dist loadfile

test: $(STAMP) lint
	$(PY) -m pytest $(XDIST)

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

# The sampling tests on other draws: make test-seed SEED=3
SEED ?= 1
test-seed: $(STAMP)
	BAYES_L1_TEST_SEED=$(SEED) $(PY) -m pytest $(XDIST) $(SAMPLING_TESTS)

# The newest versions pyproject.toml allows, in their own venv (the lock is not used).
test-latest: | $(UV)
	@test -x .venv-latest/bin/python || "$$(tools/find-python)" -m venv .venv-latest
	$(UV) pip install --python .venv-latest/bin/python --quiet --upgrade -e '.[dev]'
	.venv-latest/bin/python -m pytest $(XDIST)

lock: | $(UV)
	$(UV) pip compile --quiet --upgrade --universal --python-version 3.12 \
		--extra dev --extra docs pyproject.toml -o $(LOCK)

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

# MAP paths and CV vs glmnet and celer (benchmark-only extra, not in the lock).
bench-glmnet: $(STAMP)
	$(UV) pip install --python $(PY) --quiet -e '.[bench]'
	$(PY) benchmarks/map_vs_glmnet.py

clean:
	rm -rf $(VENV) .venv-latest build *.egg-info .pytest_cache .ruff_cache docs/_build
