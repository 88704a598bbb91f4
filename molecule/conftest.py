# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the scenarios' testinfra tests (Molecule's testinfra verifier).

Molecule runs pytest from the scenario directory with the scenario's
environment (MOLECULE_INVENTORY_FILE, ANSIBLE_* of its provisioner). The
tests reach the lab's containers with testinfra's podman backend and run the
scenario's playbooks with ansible-playbook when a step needs Ansible (a
renewal, a changed variable, a --check --diff run).

Molecule hands pytest the test files in directory-walk order; the tests of a
scenario build on each other (converged state first, then the changes), so
they are run sorted by file name, each file's tests in their own order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess

import pytest
import testinfra

RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)


def pytest_collection_modifyitems(items):
    """Run the test files in name order (test_10_*, test_20_*, ...)."""
    order = {id(item): index for index, item in enumerate(items)}
    items.sort(key=lambda item: (os.path.basename(str(item.fspath)), order[id(item)]))


class PlaybookRun:
    """One ansible-playbook run: return code, output and the play recap."""

    def __init__(self, argv, completed):
        self.argv = argv
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.recap = {}
        for match in RECAP.finditer(self.stdout):
            self.recap[match.group("host")] = dict(
                (key, int(match.group(key))) for key in ("ok", "changed", "unreachable", "failed")
            )

    def __repr__(self):
        tail = "\n".join(self.stdout.splitlines()[-40:])
        return "<ansible-playbook rc=%s %s>\n%s\n%s" % (self.rc, " ".join(self.argv), tail, self.stderr[-2000:])

    def assert_no_change(self, host):
        """The run went through cleanly on host and changed nothing (a --check --diff run)."""
        recap = self.recap.get(host)
        assert self.rc == 0 and recap is not None, "the run failed: %r" % self
        assert recap["failed"] == 0 and recap["unreachable"] == 0 and recap["ok"] >= 1, (
            "the run did not go through cleanly: %s\n%r" % (recap, self))
        assert recap["changed"] == 0, "the run would change %s:\n%r" % (self.changed_tasks(), self)

    def changed_tasks(self):
        """The task headers followed by a 'changed:' line, for messages."""
        found, task = [], None
        for line in self.stdout.splitlines():
            if line.startswith("TASK ["):
                task = line
            elif line.startswith("changed:") and task:
                found.append(task)
        return found


class Lab:
    """The scenario's inventory, its containers and its playbooks."""

    def __init__(self):
        try:
            self.inventory_file = os.environ["MOLECULE_INVENTORY_FILE"]
            self.scenario_dir = os.environ["MOLECULE_SCENARIO_DIRECTORY"]
        except KeyError as exc:
            raise pytest.UsageError("run these tests through `molecule verify` (%s is not set)" % exc)
        listing = subprocess.run(
            ["ansible-inventory", "--inventory", self.inventory_file, "--list"],
            check=True, capture_output=True, text=True,
        )
        self.inventory = json.loads(listing.stdout)
        self._hosts = {}

    def group(self, name):
        """The hosts of an inventory group, in inventory order."""
        return list(self.inventory.get(name, {}).get("hosts", []))

    def vars(self, name):
        """A host's inventory variables, unrendered (plain values only)."""
        return self.inventory["_meta"]["hostvars"].get(name, {})

    def host(self, name):
        """A testinfra host for a lab container (podman exec)."""
        if name not in self._hosts:
            self._hosts[name] = testinfra.get_host("podman://%s" % name)
        return self._hosts[name]

    def playbook(self, path, *args, **kwargs):
        """Run a playbook (relative to the scenario directory) against the lab.

        kwargs: check, diff (bool), limit (str), extra_vars (dict).
        """
        argv = ["ansible-playbook", "--inventory", self.inventory_file]
        if kwargs.get("check"):
            argv.append("--check")
        if kwargs.get("diff"):
            argv.append("--diff")
        if kwargs.get("limit"):
            argv += ["--limit", kwargs["limit"]]
        if kwargs.get("extra_vars"):
            argv += ["--extra-vars", json.dumps(kwargs["extra_vars"])]
        argv += list(args)
        argv.append(os.path.join(self.scenario_dir, path))
        env = dict(os.environ)
        # Molecule forces colour for its own output; the recap must be plain.
        env.update(ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1", PY_COLORS="0")
        completed = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=self.scenario_dir, check=False)
        return PlaybookRun(argv, completed)


@pytest.fixture(scope="session")
def lab():
    """The scenario's lab."""
    return Lab()
