# matrix.federation: `make demo` and `make test` set everything up themselves.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
PY := $(BIN)/python
BUILD := $(CURDIR)/.build
COLLECTIONS := $(BUILD)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/matrix/federation
LAB_IMAGE := localhost/matrix-federation-lab:bookworm

export CONTAINERS_CONF := $(CURDIR)/lab/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

SCENARIOS ?= $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))

.PHONY: help setup host-packages venv image collection-link unit sanity lint build-check molecule test test-fast demo demo-down clean bench

help:
	@echo "make demo       bring up the federation lab and show it federating"
	@echo "make demo-down  remove the lab"
	@echo "make test       unit, sanity, lint, build + install check, every Molecule scenario"
	@echo "make test-fast  the same without Molecule"

host-packages:
	@bash lab/host-packages.sh

$(BIN)/.stamp: requirements-dev.txt requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@$(PY) lab/ansible-test-bootstrap.py
	@touch $@

venv: $(BIN)/.stamp

collection-link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)

image: host-packages
	@bash lab/build-image.sh

setup: host-packages venv collection-link image

unit: venv collection-link
	$(BIN)/pytest -q tests/unit

# ansible-test runs on a copy at .build/sanity/ansible_collections/matrix/federation
sanity: venv collection-link
	bash tests/sanity.sh

lint: venv collection-link
	$(BIN)/ansible-lint

build-check: venv
	@bash tests/build-check.sh

# Two scenarios at a time (MOLECULE_JOBS), longest first: tests/molecule.sh.
molecule: setup
	@bash tests/molecule.sh $(SCENARIOS)

test-fast: unit sanity lint build-check

test: setup test-fast browser molecule

demo: setup
	@bash lab/demo.sh up

demo-down:
	@bash lab/demo.sh down

# Benchmarks (not part of make test): see benchmarks/README.md.
bench: venv collection-link
	@# All three run even when one misses its target; the exit status says whether all held.
	cd benchmarks && rc=0; $(PY) rtt.py || rc=1; $(PY) fleet.py || rc=1; $(PY) noop.py || rc=1; exit $$rc

# The HTML report in headless Chromium (host-packages installs it), offline: no console error, no
# Content-Security-Policy violation, a real screenshot. `.venv/bin/python tests/browser/check_report.py FILE`
# checks any report page.
.PHONY: browser
browser: host-packages venv collection-link
	$(BIN)/pytest -q tests/browser


clean:
	rm -rf $(BUILD) tests/output .pytest_cache
