# Two commands for a new user: `make demo` builds the graph from the bundled corpus; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup lexicon ontology craft clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build -o outputs

test: $(STAMP)
	$(BIN)/python -m pytest -q

lexicon: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lexicon]'
	$(BIN)/python scripts/build_lexicon.py

craft: $(STAMP)
	$(BIN)/python scripts/bench_craft.py

ontology: lexicon
	$(BIN)/python scripts/build_ontology.py

clean:
	rm -rf $(VENV) build *.egg-info
