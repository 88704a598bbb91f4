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
# The oldest ansible-core meta/runtime.yml's requires_ansible claims (requirements-oldest.txt).
OLDEST := $(BUILD)/venv-oldest
OLDEST_BIN := $(OLDEST)/bin
LAB_IMAGE := localhost/matrix-federation-lab:bookworm
# The unit tests run in this many processes (pytest-xdist; 'auto': one per core, 0: in pytest's own).
UNIT_JOBS ?= auto

export CONTAINERS_CONF := $(CURDIR)/lab/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

SCENARIOS ?= $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))

.PHONY: help setup host-packages venv venv-oldest image collection-link unit sanity lint build-check docs-check changelog-lint \
	unit-oldest sanity-oldest docs-check-oldest test-oldest molecule test test-fast demo demo-down clean bench

help:
	@echo "make demo       bring up the federation lab and show it federating"
	@echo "make demo-down  remove the lab"
	@echo "make test       unit, sanity, lint, docs, changelog, build + install check (and unit, sanity,"
	@echo "                docs again under the oldest supported ansible-core), every Molecule scenario"
	@echo "make test-fast  the same without Molecule"
	@echo "make test-oldest  unit, sanity and docs under the oldest supported ansible-core only"

host-packages:
	@bash lab/host-packages.sh

$(BIN)/.stamp: requirements-dev.txt requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@$(PY) lab/ansible-test-bootstrap.py
	@touch $@

venv: $(BIN)/.stamp

# A second venv with the oldest ansible-core requires_ansible claims, built once.
$(OLDEST_BIN)/.stamp: requirements-oldest.txt requirements.txt
	@test -x $(OLDEST_BIN)/python || python3 -m venv $(OLDEST)
	@$(OLDEST_BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(OLDEST_BIN)/python -m pip install -q --disable-pip-version-check -r requirements-oldest.txt
	@$(OLDEST_BIN)/python lab/ansible-test-bootstrap.py
	@touch $@

venv-oldest: $(OLDEST_BIN)/.stamp

collection-link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)

image: host-packages
	@bash lab/build-image.sh

setup: host-packages venv collection-link image

unit: venv collection-link
	$(BIN)/pytest -q -n $(UNIT_JOBS) tests/unit

# ansible-test runs on a copy at .build/sanity/ansible_collections/matrix/federation
sanity: venv collection-link
	bash tests/sanity.sh

lint: venv collection-link
	$(BIN)/ansible-lint

build-check: venv
	@bash tests/build-check.sh

# ansible-doc of every filter, lookup, module and role: no error, no warning.
docs-check: venv collection-link
	@bash tests/docs-check.sh

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

# The tests run by the oldest venv's Python, so their ansible-playbook, ansible
# and module runs use its ansible-core too. tests/unit/plugins/module_utils is
# left out: the library imports nothing from ansible-core, so its tests would
# test the same code twice.
unit-oldest: venv-oldest collection-link
	$(OLDEST_BIN)/pytest -q -n $(UNIT_JOBS) tests/unit --ignore=tests/unit/plugins/module_utils

sanity-oldest: venv-oldest collection-link
	VENV_BIN=$(OLDEST_BIN) bash tests/sanity.sh

docs-check-oldest: venv-oldest collection-link
	@VENV_BIN=$(OLDEST_BIN) bash tests/docs-check.sh

test-oldest: unit-oldest sanity-oldest docs-check-oldest

# Two scenarios at a time (MOLECULE_JOBS), longest first: tests/molecule.sh.
molecule: setup
	@bash tests/molecule.sh $(SCENARIOS)

test-fast: unit sanity lint build-check docs-check changelog-lint test-oldest

test: setup test-fast browser molecule

demo: setup
	@bash lab/demo.sh up

demo-down:
	@bash lab/demo.sh down

# Benchmarks (not part of make test): see benchmarks/README.md.
bench: venv collection-link
	@# All run even when one misses its target; the exit status says whether all held (startup.py has none:
	@# it splits rtt.py's start-up between the controller and the module process).
	cd benchmarks && rc=0; $(PY) rtt.py || rc=1; $(PY) startup.py || rc=1; $(PY) fleet.py || rc=1; $(PY) noop.py || rc=1; exit $$rc

# The HTML report in headless Chromium (host-packages installs it), offline: no console error, no
# Content-Security-Policy violation, a real screenshot. `.venv/bin/python tests/browser/check_report.py FILE`
# checks any report page.
.PHONY: browser
browser: host-packages venv collection-link
	$(BIN)/pytest -q tests/browser


clean:
	rm -rf $(BUILD) tests/output .pytest_cache
