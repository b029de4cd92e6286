# ahpanel: `make demo` serves the demo, `make test` runs the suite. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYDECISION := pydecision==5.1.8

.PHONY: demo test test-services lint bench clean refresh-reference system-packages

$(BIN)/activate:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "ahpanel needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when a lock file changes.
$(VENV)/.installed-runtime: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed-dev
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) -m pip install --quiet --no-deps $(PYDECISION)
	touch $@

# DEBUG=1: a developer's machine, which may run without a SECRET_KEY (the settings refuse to
# start without one otherwise).
demo: $(VENV)/.installed-runtime system-packages
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk

# What the PDF and Word reports load from the system: Pango and HarfBuzz (WeasyPrint), cairo
# (CairoSVG draws the charts for Word) and the Chinese font the PDF embeds. The Dockerfile
# installs the same list (tests/test_deployment_files.py). Installed already: dpkg says so
# and nothing runs.
REPORT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-noto-cjk

system-packages:
	@dpkg -s $(REPORT_PACKAGES) >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    $(REPORT_PACKAGES); }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# The whole suite on SQLite with in-process tasks. Tests marked `services` need real
# PostgreSQL, Redis and a worker; .ci/run runs them with `make test-services`. The tests run
# with DEBUG off and a throwaway SECRET_KEY (tests/environment.py).
# TEST_JOBS: pytest-xdist processes (one per core by default; each has its own test
# database and live server).
TEST_JOBS ?= auto

test: lint $(CHROMIUM) system-packages
	$(PY) -m pytest -m "not services" -n $(TEST_JOBS)

# Against the real services: every test that touches the database, the broker or a worker.
# The engine's tests (pure numpy, no database) and the browser tests (the pages' scripts and
# layout in Chromium) ran in `make test` a moment before, with the same code; running them
# twice would only add minutes to CI. The `services` tests run one at a time first: they share
# the broker's default queue and stop and start the machine's Redis and PostgreSQL; the rest
# then run in parallel, each xdist process on its own test database.
test-services: $(VENV)/.installed-dev
	$(PY) -m pytest -m services
	$(PY) -m pytest -m "not services" -n $(TEST_JOBS) --ignore=tests/engine --ignore=tests/browser

# The engine benchmarks (weights and CR; the robustness simulations), the PDF and Word reports
# (on a throwaway SQLite database), then ballot POSTs under load on PostgreSQL, Redis,
# gunicorn and a worker (.ci/services starts PostgreSQL and Redis if they are down).
bench: $(VENV)/.installed-bench
	$(PY) -m bench.ahp_bench --output BENCHMARKS.md
	$(PY) -m bench.robustness_simulation --output BENCHMARKS.md
	$(PY) -m bench.report_bench --output BENCHMARKS.md
	.ci/services
	$(PY) -m bench.load_bench --output BENCHMARKS.md

# Copy the upstream reference data into tests/reference and rebuild the template catalogue,
# keeping the project's additions (tests/reference/README.md). FROM names the upstream folder.
refresh-reference: $(VENV)/.installed-runtime
	@test -n "$(FROM)" || { echo "usage: make refresh-reference FROM=<upstream folder>"; exit 2; }
	$(PY) -m tests.reference.refresh "$(FROM)"

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
