PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck pytest corpus bench-extract screenshots clean

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

screenshots: $(TEST_STAMP)
	$(BIN)/python screenshots/make_screenshots.py screenshots

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
