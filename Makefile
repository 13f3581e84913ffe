# The two commands of the README:
#   make serve   set up, build the browser assets and serve the site on http://127.0.0.1:8000/
#   make test    set up (Chromium included) and run every check CI runs
#   make bench   the engine in CPython, then the calculators in Chromium against bare Pyodide
.PHONY: serve test setup lint bench

PY := .venv/bin/python

setup:
	tools/setup.sh

serve: setup
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

lint: setup
	$(PY) -m ruff check calc docsgen tests tools bench hooks
	$(PY) -m ruff format --check calc docsgen tests tools bench hooks
	$(PY) -m mypy

test:
	tools/setup.sh --browser
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest

bench:
	tools/setup.sh --browser
	$(PY) bench/units_bench.py
	$(PY) bench/audit_bench.py
	$(PY) bench/browser_bench.py
