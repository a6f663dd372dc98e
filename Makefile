# parbrief: the two commands are `make briefings` and `make test`; both set up from nothing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := parbrief
LOCK := requirements.lock
PARAMS ?= params/nghe-an-latest.yaml
WORKERS ?=
# JupyterLab's own options; the defaults suit a headless server reached through an SSH tunnel.
# e.g. make lab LAB_ARGS="--ip=0.0.0.0 --port=9000 --IdentityProvider.token=SECRET --no-browser"
LAB_ARGS ?= --ip=127.0.0.1 --port=8888 --no-browser

.PHONY: setup lock fonts briefings scores test test-fast lab bench bench-national sample clean

setup: $(STAMP) fonts

# The documents' font: Liberation Serif 2 (SIL OFL 1.1; Times New Roman metrics, every Vietnamese
# letter), Debian's fonts-liberation2. Installed when missing and we are root (CI, containers);
# otherwise say how, since the PDFs cannot be made without it.
fonts:
	@if [ ! -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] && [ -z "$$PARBRIEF_FONT_DIR" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation2 >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation2 >/dev/null; }; \
	  else \
	    echo "parbrief needs the font Liberation Serif 2: sudo apt-get install fonts-liberation2 (or set PARBRIEF_FONT_DIR to a folder holding LiberationSerif-Regular.ttf)" >&2; exit 1; \
	  fi; \
	fi

# The venv is rebuilt when the declared or locked dependencies change. It holds exactly the
# versions of requirements.lock, every file checked against its sha256; then parbrief itself.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# The kernel lives inside the venv (--sys-prefix) so notebooks run with exactly these packages.
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (parbrief)" >/dev/null
	touch $(STAMP)

# Resolve the dependencies of pyproject.toml again (after editing it) into requirements.lock.
lock: setup
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --extra lab --python-version 3.11 \
		--python-platform linux --generate-hashes --quiet -o $(LOCK)

briefings: setup
	$(BIN)/parbrief batch $(PARAMS) $(if $(WORKERS),--workers $(WORKERS))

scores: setup
	$(BIN)/parbrief score --data data/sample --methodology par-commune --period latest --level commune --parent 40 --out reports/scores-latest.csv

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# JupyterLab on the project root (data/, reports/ in reach), as root too; templates and
# published reports read-only, working copies in work/ (see src/parbrief/lab.py).
lab: setup
	$(BIN)/parbrief lab $(LAB_ARGS)

sample: setup
	$(BIN)/parbrief sample --out data/sample --province 40 --from 2023Q1 --to 2026Q3 --seed 876

bench: setup
	$(BIN)/python bench/bench_batch.py --workload province

bench-national: setup
	$(BIN)/python bench/bench_batch.py --workload national

clean:
	rm -rf reports/*/ reports/*.csv reports/index.html bench/out
