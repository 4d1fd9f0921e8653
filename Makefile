# Every target makes its own virtual environment (.venv) when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spacy,team]'
	touch $(STAMP)

## run: open the app on the bundled sample dossier
run: $(STAMP)
	$(BIN)/dossier

## lint: ruff over the package, tests and benchmarks
lint: $(STAMP)
	$(BIN)/ruff check dossier tests $(wildcard bench)

## test: ruff and the whole test suite, in parallel (Debian's tmux, sqlite3 and postgresql
## installed first when missing and run as root: .ci/system-packages)
test: lint
	bash .ci/system-packages
	$(BIN)/python -m pytest -n auto --dist loadfile

## bench: the benchmark harness (slow; never part of `make test`)
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean-venv:
	rm -rf $(VENV)
