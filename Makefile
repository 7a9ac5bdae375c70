PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck pytest corpus bench-extract bench bench-full screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP) $@

run: $(STAMP)
	$(BIN)/newsreader

test: $(TEST_STAMP)
	$(BIN)/ruff check reader tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2

lint: $(TEST_STAMP)
	$(BIN)/ruff check reader tests bench
	$(BIN)/ruff format --check reader tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

pytest: $(TEST_STAMP)
	$(BIN)/pytest -n 2

corpus: $(TEST_STAMP)
	$(BIN)/python -m tests.corpus

bench-extract: $(TEST_STAMP)
	$(BIN)/python -m bench.extract

# Speed next to newsboat (shared harness, quick form) + UI/CLI on a 100k cache; see docs/PERFORMANCE.md.
bench: $(TEST_STAMP)
	bench/bench.sh

# The full three-reader harness run (about 45 minutes), then the same UI/CLI figures.
bench-full: $(TEST_STAMP)
	bench/bench.sh --full

screenshots: $(TEST_STAMP)
	$(BIN)/python screenshots/make_screenshots.py screenshots

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
