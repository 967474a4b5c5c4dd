# OST Player: `make run` sets everything up and starts the app; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# The first Python >= 3.11 on PATH; override with `make PYTHON=/path/to/python3.12`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format system-deps audio bench dist clean

run: system-deps $(VENV)/.stamp-run
	$(BIN)/ostplayer

# The tests also need desktop-file-validate, appstreamcli, a D-Bus session bus and playerctl.
test: SYSTEM_DEPS_FOR := --test
test: system-deps $(VENV)/.stamp-test
	$(BIN)/ruff check src tests tools benchmarks
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check src tests tools benchmarks
	$(BIN)/ruff format --check src tests tools benchmarks

format: $(VENV)/.stamp-test
	$(BIN)/ruff format src tests tools benchmarks
	$(BIN)/ruff check --fix src tests tools benchmarks

system-deps:
	@bash packaging/ensure-system-deps.sh $(SYSTEM_DEPS_FOR) "$(or $(PYTHON),python3)"

$(BIN)/python:
	$(or $(PYTHON),python3) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.stamp-run

# Regenerate the demo OST and the test fixtures (needs the `audio` extra: numpy, soundfile).
audio: | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[audio]'
	$(BIN)/python tools/make_audio.py

# Benchmarks are run by hand; they write their figures to docs/performance.md.
bench: system-deps $(VENV)/.stamp-test
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/stall.py

# A wheel and an sdist in dist/, then a PyInstaller one-folder bundle in dist/ostplayer/ that is
# smoke-tested (see docs/packaging.md).
dist: system-deps $(VENV)/.stamp-dist
	rm -rf dist/ostplayer build/pyinstaller dist/ostplayer-*.whl dist/ostplayer-*.tar.gz
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/ostplayer.spec
	bash packaging/smoke-test.sh dist/ostplayer/ostplayer
	@du -sh dist/ostplayer dist/ostplayer-*

$(VENV)/.stamp-dist: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dist]'
	touch $@ $(VENV)/.stamp-run

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
