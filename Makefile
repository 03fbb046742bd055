# giaoban — the two commands are `make run` (demo on http://127.0.0.1:$(PORT)) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PORT ?= 8000
DATABASE_URL_PG ?= postgres://postgres@127.0.0.1:5432/postgres
# The slowest tests are listed at the end of each run, so the suite's time can be watched.
PYTEST_ARGS ?= --durations=15
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-sqlite test-pg system-deps messages lint vendor demo bench bench-g bench-h-search clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade "pip==25.3"
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $@

# .mo files are built, not committed; Babel compiles them without GNU gettext.
messages: $(VENV)/.installed
	@$(BIN)/pybabel compile -d giaoban/locale -D django

run: $(VENV)/.installed messages system-deps
	@mkdir -p var
	$(BIN)/giaoban migrate --noinput -v 0
	$(BIN)/giaoban demo --if-empty
	@$(BIN)/giaoban demo --logins
	$(BIN)/giaoban runserver 127.0.0.1:$(PORT)

demo: $(VENV)/.installed messages
	$(BIN)/giaoban migrate --noinput -v 0
	$(BIN)/giaoban demo --if-empty

# System packages from Debian: chromium for the browser tests (never a downloaded browser),
# LibreOffice and the Times-compatible fonts for .pdf reports, poppler-utils to read PDFs back,
# postgresql-client for `giaoban backup`/`restore` (pg_dump's major version must be >= the server's).
SYSTEM_PACKAGES := chromium libreoffice-writer-nogui fonts-liberation2 poppler-utils postgresql-client
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null \
	    || ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null || ! command -v psql >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "missing system packages: sudo apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES)"; fi; fi

test: $(VENV)/.installed messages system-deps
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-pg

test-sqlite: $(VENV)/.installed messages
	@echo "== giaoban tests on SQLite"
	DATABASE_URL=sqlite:///:memory: $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# On CI an unreachable PostgreSQL fails the run instead of skipping it.
test-pg: $(VENV)/.installed messages
	@echo "== giaoban tests on PostgreSQL ($(DATABASE_URL_PG))"
	@if ! $(PY) -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" "$(DATABASE_URL_PG)" 2>/dev/null; then \
	  if [ "$$CI" = "true" ]; then echo "PostgreSQL unreachable at $(DATABASE_URL_PG) (CI=true: failing)"; exit 1; \
	  else echo "PostgreSQL unreachable at $(DATABASE_URL_PG): skipped (set CI=true to fail instead)"; exit 0; fi; fi
	DATABASE_URL=$(DATABASE_URL_PG) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check giaoban tests bench

vendor:
	npm install --no-save --silent
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js giaoban/static/vendor/bootstrap/
	cp node_modules/@alpinejs/csp/dist/cdn.min.js giaoban/static/vendor/alpine/alpine-csp.min.js
	cp node_modules/echarts/dist/echarts.min.js giaoban/static/vendor/echarts/

clean:
	rm -rf $(VENV) var staticfiles

# Benchmark (bench/README.md): generate synthetic national data on SQLite and PostgreSQL, time it, write
# bench/RESULTS.md. SCALE=small (10% of communes, ~1.1M values; ~6 min here, mostly the 100k imports of case d)
# or SCALE=full (~10M values, ~4 min of generation per database, ~25 min in all;
# also regenerates small for case (f)). Not part of `make test`.
SCALE ?= small
BENCH_REPS ?= 5
bench: $(VENV)/.installed messages
	@set -e; scales="$(SCALE)"; [ "$(SCALE)" = small ] || scales="small $(SCALE)"; \
	dbs=sqlite; if $(PY) -c "import bench.common as c,sys; sys.exit(not c.pg_reachable())"; then dbs="sqlite pg"; \
	  else echo "PostgreSQL unreachable: SQLite only"; fi; \
	for db in $$dbs; do for s in $$scales; do $(PY) -m bench.generate --db $$db --scale $$s; done; \
	  if [ "$(SCALE)" = small ]; then $(PY) -m bench.run --db $$db --scale small --reps $(BENCH_REPS); \
	  else $(PY) -m bench.run --db $$db --scale small --cases a,b --reps $(BENCH_REPS); \
	       $(PY) -m bench.run --db $$db --scale $(SCALE) --reps $(BENCH_REPS); fi; \
	  for s in $$scales; do $(PY) -m bench.drop --db $$db --scale $$s; done; done; \
	$(PY) -m bench.report --scale $(SCALE)

# Bench case (g), issue 9 (bench/scorecard.py): the national task scorecard by province through the maintained
# counts vs one GROUP BY over the task table, at 100,000 then 1,000,000 tasks; each database is dropped after
# its run (~15 min in all here). Writes the (g) section of bench/RESULTS.md.
G_TASKS ?= 100000 1000000
G_REPS ?= 11
bench-g: $(VENV)/.installed messages
	@set -e; dbs=sqlite; if $(PY) -c "import bench.common as c,sys; sys.exit(not c.pg_reachable())"; then dbs="sqlite pg"; \
	  else echo "PostgreSQL unreachable: SQLite only"; fi; \
	for db in $$dbs; do for n in $(G_TASKS); do \
	  $(PY) -m bench.scorecard generate --db $$db --tasks $$n; \
	  $(PY) -m bench.scorecard run --db $$db --tasks $$n --reps $(G_REPS); \
	  $(PY) -m bench.scorecard drop --db $$db --tasks $$n; done; done; \
	$(PY) -m bench.scorecard report

# Bench case (h), search part, issue 10 (bench/documents.py): the register's search over 100,000 documents
# (PostgreSQL full-text GIN, SQLite FTS5) vs a LIKE scan of the folded text, in the same run; each database is
# dropped after its run. Writes the (h) search section of bench/RESULTS.md.
H_DOCS ?= 100000
H_REPS ?= 11
bench-h-search: $(VENV)/.installed messages
	@set -e; dbs=sqlite; if $(PY) -c "import bench.common as c,sys; sys.exit(not c.pg_reachable())"; then dbs="sqlite pg"; \
	  else echo "PostgreSQL unreachable: SQLite only"; fi; \
	for db in $$dbs; do \
	  $(PY) -m bench.documents generate --db $$db --docs $(H_DOCS); \
	  $(PY) -m bench.documents run --db $$db --docs $(H_DOCS) --reps $(H_REPS); \
	  $(PY) -m bench.documents drop --db $$db --docs $(H_DOCS); done; \
	$(PY) -m bench.documents report
