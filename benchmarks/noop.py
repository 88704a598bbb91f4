# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""noop: playbooks/site.yml re-run on a converged lab host.

Prints the wall time of the re-run, the number of remote module executions,
the tasks that reported changed (target: none) and the command/shell tasks
that ran at all (target: none). The inventory of a converged lab host is
given as BENCH_NOOP_INVENTORY (for example the one Molecule writes for the
federation scenario after ``molecule converge -s federation``); without
playbooks/site.yml or an inventory the benchmark says it is pending.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import benchlib

SITE = os.path.join(benchlib.ROOT, 'playbooks', 'site.yml')


def main():
    print('noop benchmark: playbooks/site.yml re-run on a converged lab host')
    print('machine: %s' % benchlib.machine())
    if not os.path.exists(SITE):
        print('PENDING: playbooks/site.yml does not exist yet (the lead is building it with the federation lab)')
        return 0
    inventory = os.environ.get('BENCH_NOOP_INVENTORY')
    brought_up = False
    if not inventory:
        # The federation lab of `make demo`: brought up (or reused) and converged with site.yml.
        print('bringing up the federation lab (lab/demo.sh up, as `make demo`)...')
        # A lab someone brought up with `make demo` stays up afterwards.
        lab_was_up = subprocess.run(['podman', 'container', 'exists', 'fed-hs1'], check=False,
                                    env=benchlib.env_with_collection()).returncode == 0
        demo = subprocess.run(['bash', os.path.join(benchlib.ROOT, 'lab', 'demo.sh'), 'up'],
                              capture_output=True, text=True, env=benchlib.env_with_collection(), check=False)
        if demo.returncode != 0:
            print('the lab did not come up (rc %d):\n%s' % (demo.returncode, (demo.stdout + demo.stderr)[-3000:]))
            return 1
        brought_up = not lab_was_up and os.environ.get('BENCH_KEEP_LAB') != '1'
        found = sorted(glob.glob(os.path.expanduser('~/.ansible/tmp/molecule.*.federation/inventory')),
                       key=os.path.getmtime)
        if not found:
            print('the lab came up but its Molecule inventory was not found')
            return 1
        inventory = found[-1]
    try:
        return measure(inventory)
    finally:
        if brought_up:
            subprocess.run(['bash', os.path.join(benchlib.ROOT, 'lab', 'demo.sh'), 'down'], capture_output=True,
                           env=benchlib.env_with_collection(), check=False)


def measure(inventory):
    """Re-run site.yml on the converged lab and print the figures."""
    print('inventory: %s' % inventory)
    handle, count_file = tempfile.mkstemp(prefix='bench-noop-', suffix='.json')
    os.close(handle)
    os.unlink(count_file)
    env = benchlib.env_with_collection()
    # The lab's variables (its CA bundle, keys) live in the scenario's ephemeral directory.
    env.setdefault('MOLECULE_EPHEMERAL_DIRECTORY', os.path.dirname(os.path.abspath(inventory)))
    env.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(benchlib.HERE, 'callback_plugins'),
               ANSIBLE_CALLBACKS_ENABLED='bench_count', BENCH_COUNT_FILE=count_file, ANSIBLE_NOCOLOR='1')
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    started = time.monotonic()
    proc = subprocess.run([playbook, '-i', inventory, SITE], capture_output=True, text=True, env=env, check=False)
    wall = time.monotonic() - started
    if proc.returncode != 0 or not os.path.exists(count_file):
        print('site.yml failed (rc %d):\n%s' % (proc.returncode, (proc.stdout + proc.stderr)[-3000:]))
        return 1
    with open(count_file) as handle:
        counts = json.load(handle)
    os.unlink(count_file)
    print('wall time of the re-run: %.1f s' % wall)
    print('remote module executions: %d' % counts['remote_module_executions'])
    print('tasks that reported changed: %d (target 0)%s' % (len(counts['changed']), ''.join(
        '\n  ' + name for name in counts['changed'])))
    print('command/shell tasks that ran: %d (target 0)%s' % (len(counts['command_tasks_run']), ''.join(
        '\n  ' + name for name in counts['command_tasks_run'])))
    return 0 if not counts['changed'] and not counts['command_tasks_run'] else 1


if __name__ == '__main__':
    sys.exit(main())
