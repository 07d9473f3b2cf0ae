# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export LADING_DATABASE_URL ?= sqlite+aiosqlite:///var/lading.db
# pytest processes (pytest-xdist); one per core by default.
PYTEST_WORKERS ?= auto

.PHONY: run test lint typecheck pytest install bench tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Create .venv, migrate the SQLite file under var/, serve on :8000. With DEMO=1: load demo
## data and run the fake carrier on 127.0.0.1:8099 beside the service (the demo carriers use it;
## it sends REGIONAL's tracking webhooks to the service, and the service polls EASYPOST every minute)
## and the fake Shopify shop on 127.0.0.1:8097, which sends one signed order to DEMO-SHOP.
run: install
	mkdir -p var
	$(BIN)/lading db upgrade
	@if [ "$(DEMO)" = "1" ]; then \
		$(BIN)/lading seed-demo && \
		{ $(BIN)/lading fake-carrier --port 8099 \
		    --webhook-url http://127.0.0.1:8000/api/v1/webhooks/carriers/REGIONAL & \
		  carrier=$$!; \
		  $(BIN)/lading fake-shop --port 8097 & \
		  shop=$$!; \
		  trap "kill $$carrier $$shop 2>/dev/null" EXIT INT TERM; \
		  LADING_TRACKING_POLL_MINUTES=$${LADING_TRACKING_POLL_MINUTES:-1} \
		  $(BIN)/lading serve --host 127.0.0.1 --port 8000; }; \
	else \
		$(BIN)/lading serve --host 127.0.0.1 --port 8000; \
	fi

## Lint, type-check and run the whole test suite (SQLite always, PostgreSQL when reachable).
test: install tools lint typecheck pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy app

pytest:
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

## The system tools the benchmarks (and the place_orders smoke test) drive: wrk, the load generator of
## bench/place_orders (Debian package; installed when missing, as root or through sudo).
tools:
	@command -v wrk >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q wrk || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q wrk; }; }

## Short benchmarks (a few minutes) on the local PostgreSQL; results in bench/results/.
bench: install tools
	$(BIN)/python -m bench.place_orders --seconds 10 --warmup 5
	$(BIN)/python -m bench.order_cpu --runs 2
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.report_lag --seconds 20

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

