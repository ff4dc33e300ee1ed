# Nimbus: the two commands are `make up` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: up test bench lint lint-quiet schema install python-install services libvirt web vcsim

# Without Node.js (exit 3) the platform still runs; the api then serves no console.
install: python-install
	@scripts/web-build.sh || [ $$? -eq 3 ]

python-install:
	@scripts/install.sh

## Build the web console into web/dist when a source changed (the api serves it at /).
web:
	@scripts/web-build.sh

services:
	@scripts/services.sh

libvirt:
	@scripts/libvirt-setup.sh

## Build the vCenter simulator the VMware tests and benchmark run (cached under .venv/vcsim).
vcsim: python-install
	@scripts/vcsim-build.sh >/dev/null

## Run the whole platform on this machine (SQLite, a private Redis); prints the URL and admin login.
up: install
	$(BIN)/nimbus up $(if $(PORT),--port $(PORT),)

## Install what is missing, start what the tests need, lint, run the whole suite.
test: install services libvirt vcsim lint-quiet
	$(BIN)/pytest $(PYTEST_ARGS)

lint-quiet:
	@$(BIN)/ruff check -q .
	@$(BIN)/ruff format --check -q .
	@$(BIN)/mypy domain

## Benchmarks: print the figures the issues ask for.
bench: install services libvirt vcsim
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain

## Re-export schema/schema.graphql after a schema change.
# Not `install`: the console is built from the SDL this target writes.
schema: python-install
	$(BIN)/python -m schema.export
