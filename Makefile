# Neuropathy clinic: `make run` to try it, `make test` to check it.
# Works on a fresh machine: everything installs into .venv/ from uv.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: install run test fuzz lint bench bench-smoke migrate seed clean

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"; }
	$(BIN)/uv sync --frozen --quiet
	@touch $(STAMP)

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: seed
	@echo ""
	@echo "  Neuropathy clinic is starting at http://127.0.0.1:8000  (Ctrl-C stops web, worker and beat)"
	@echo "  Demo logins, password demo-clinic-2026: manager, massage, massage2, physio, physio2"
	@echo "  API docs: http://127.0.0.1:8000/api/v1/docs/"
	@echo ""
	$(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Schemathesis over every API operation and role; FUZZ_EXAMPLES examples each (default 10).
fuzz: install
	$(BIN)/pytest -m fuzz tests/security/test_api_fuzz.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-smoke: install
	BENCH_PATIENTS=200 BENCH_SESSIONS=2000 BENCH_REPEAT=1 $(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) staticfiles var/*.sqlite3* var/celery
