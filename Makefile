# Two commands from a fresh clone: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
# statsforecast (the bench baseline) needs pandas < 3, so benchmarks get a venv of their own
# and the test venv keeps the newest pandas that users get.
BENCH_VENV := .venv-bench
BENCHSTAMP := $(BENCH_VENV)/.installed-bench

.PHONY: demo test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	touch $(STAMP) $@

$(BENCHSTAMP): pyproject.toml
	$(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[dev,bench,dask]"
	touch $@

## demo: install and run the whole annual cycle on the bundled sample region (writes out/demo/)
demo: $(STAMP)
	$(BIN)/kadry demo --out out/demo

## test: install with dev extras and run every test, notebooks included
test: $(DEVSTAMP)
	$(BIN)/python -m pytest -n 2 -q

## bench: benchmarks (accuracy and speed against named baselines)
bench: $(BENCHSTAMP)
	$(BENCH_VENV)/bin/python -m benchmarks

clean:
	rm -rf $(VENV) $(BENCH_VENV) out .pytest_cache
