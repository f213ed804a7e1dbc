# Khối — every entry point a newcomer needs. The venv and pinned dependencies
# are created on first use, so `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test app bench lint fmt clean browser postgres screenshots

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/planner validate data/quang_ninh_province
	$(VENV)/bin/planner solve data/quang_ninh_province --out out/quang_ninh_province
	$(VENV)/bin/planner check data/quang_ninh_province out/quang_ninh_province

# Debian's chromium for the real-browser test (installed when missing).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will be skipped"

# Debian's PostgreSQL server for the workspace tests (installed when missing); the tests
# start their own throwaway cluster in a temporary folder (tests/pg.py), no service is used.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || echo "postgresql not installed: PostgreSQL tests will be skipped"

test: $(STAMP) browser postgres
	$(PY) -m pytest -n 2 tests

# Renew the README's screenshots (docs/screenshots/) from the browser tests, and every page
# in both languages (docs/screenshots/pages/, a slow test marked bench).
screenshots: $(STAMP) browser
	KHOI_SCREENSHOTS=docs/screenshots $(PY) -m pytest -m browser tests/ui/test_browser.py tests/ui/test_browser_pages.py

# 127.0.0.1 only; a team server: planner app --address 0.0.0.0 (needs sign-in, docs/workspace.md)
app: $(STAMP)
	$(VENV)/bin/planner app --address 127.0.0.1 --port 8501

bench: $(STAMP) browser
	$(PY) -m benchmarks.communes
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.stress --shapes 2000
	$(PY) -m benchmarks.load
	$(PY) -m pytest -m bench tests

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) out .pytest_cache .import_linter_cache
