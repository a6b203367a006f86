# Ningbo 2027 target tracker. The README's two commands, `make reports` and `make test`,
# set everything up themselves (venv, pinned dependencies, Jupyter kernel, CJK font).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := ningbo-315
STAMP := $(VENV)/.setup-stamp
FONT_STAMP := $(VENV)/.font-stamp
PERIOD ?=
JOBS ?=
LAB_ARGS ?=
M3 ?= ../shared/benchmarks/m3_yearly.csv

export PYTHONHASHSEED := 0
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: setup reports reports-all test test-unit test-notebooks test-e2e lab bench bench-reports mutation clean lock setup-browser validate

setup: $(STAMP) $(FONT_STAMP)

# Re-run only when the lock or the package metadata changes; idempotent otherwise.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (Ningbo 315 tracker)" >/dev/null
	$(PY) -m analysis fonts --check
	@bash scripts/setup_browser.sh || echo "warning: Chromium unavailable: briefings are rendered without PDF (make setup-browser)"
	@touch $(STAMP)

# The pages' web-font source (a TrueType copy of the CJK face, ~30 s once): its own step, so a venv
# made before this step existed, or a change of fonts.py, gets it too (without it every page is
# subset from the full face, ~0.5 s slower).
$(FONT_STAMP): $(STAMP) src/analysis/report/fonts.py
	$(PY) -m analysis.report.fonts
	@touch $@

# Everything one-off (venv, kernel, fonts, Chromium) is done by `setup`; a render only renders.
# Works as root and as PID 1 (a container's entrypoint).
reports: setup
	$(PY) -m analysis reports $(if $(PERIOD),--period $(PERIOD)) $(if $(JOBS),--jobs $(JOBS)) --lang zh,en --out reports

reports-all: setup
	$(PY) -m analysis reports --all --lang zh,en --out reports $(if $(JOBS),--jobs $(JOBS))

validate: setup
	$(PY) -m analysis validate

# Unit tests, then the notebooks under nbval, then the end-to-end render (and the browser check).
test: setup
	$(PY) -m pytest -q -m "not e2e and not browser" tests
	$(PY) -m pytest -q --nbval-lax --nbval-kernel-name $(KERNEL) notebooks
	$(PY) -m pytest -q -m "e2e or browser" tests

# Jupyter refuses to start as root without --allow-root (containers usually run as root).
# LAB_ARGS adds options, e.g. LAB_ARGS="--no-browser --ip=0.0.0.0" in a container.
lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# M3 yearly, the project's own series (bench china) and the Brier/reliability of P(meet) (bench probability)
bench: setup
	$(PY) -m analysis bench m3 --data $(M3) --output bench-results/m3.csv
	$(PY) -m analysis bench china --out-dir bench-results
	$(PY) -m analysis bench probability --data $(M3) --out-dir bench-results

bench-reports: setup
	$(PY) scripts/bench_reports.py

# Deliberate bugs, each in a copy of the project: prints which the tests killed and the kill rate
# (exit 1 when one survived). SAMPLE=n runs n of them, drawn from SEED (CI: the commit id).
mutation: setup
	$(PY) scripts/mutation_check.py $(if $(SAMPLE),--sample $(SAMPLE) --seed "$(SEED)")

# Debian's Chromium and poppler-utils: briefing PDFs and the browser checks (idempotent); with a
# venv, also the pages' CJK web-font source (analysis.report.fonts.prepare_font, once per venv).
setup-browser:
	bash scripts/setup_browser.sh

# Resolve requirements.in into exact pins (needs the package index); review the diff.
lock:
	rm -rf /tmp/ningbo-lock-venv && $(PYTHON) -m venv /tmp/ningbo-lock-venv
	/tmp/ningbo-lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Exact pins installed by 'make setup' (resolved from requirements.in with Python 3.11 by 'make lock')."; \
	  /tmp/ningbo-lock-venv/bin/pip freeze --all | grep -v '^pip=='; } > requirements.lock
	$(PYTHON) scripts/sync_environment_yml.py

clean:
	rm -rf $(VENV) bench-results .pytest_cache .hypothesis .benchmarks src/*.egg-info
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
	find . -name __pycache__ -prune -exec rm -rf {} +
