# Every target creates .venv and installs the project when it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench faults lint install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make run PORT=8099` (or PORT in the environment) picks the port; the signed test request `centavo demo`
# prints is signed for PUBLIC_BASE_URL, so unset it follows the port. A local auth token makes that request
# work out of the box; a real TWILIO_AUTH_TOKEN in the environment wins.
PORT ?= 8080
run: export PORT := $(PORT)
run: export PUBLIC_BASE_URL ?= http://localhost:$(PORT)
run: export TWILIO_AUTH_TOKEN ?= centavo-local-dev-token
run: $(STAMP)
	$(BIN)/centavo migrate
	$(BIN)/centavo demo
	$(BIN)/centavo serve

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# PostgreSQL stopped, hung and Redis stopped under a live serve + worker, on a PostgreSQL cluster and a
# redis-server of its own (spare ports, a temporary directory): the shared servers are never touched.
faults: $(STAMP)
	$(BIN)/python faults/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The NLU's trained artefacts (nlu/models/) from locales/ (intents, keywords and the lexicons). Cached: it
# retrains only when that data or the training settings changed (a fingerprint); `make test` only checks.
.PHONY: nlu-model
nlu-model: $(STAMP)
	$(BIN)/python -m nlu.train

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
