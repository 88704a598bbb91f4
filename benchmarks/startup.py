# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""startup: where a single matrix_federation_test run spends the time rtt.py calls start-up.

rtt.py measures the module's run minus a no-op module's (``ansible.builtin.ping``)
beside the network floor. This splits that difference, on the loopback lab of
the unit tests (no injected RTT, so the network part is a few milliseconds):

1. the controller building the AnsiballZ payload (``module_common.modify_module``
   with an empty payload cache, as each new playbook run has): CPU, payload size;
2. the module process alone (the AnsiballZ files Ansible wrote, run directly):
   wall and CPU, and the module's own ``duration_ms`` (its run after start-up);
3. one ansible-playbook run: ping and the module in turn, each timed between
   ``set_fact`` timestamps (the module's first task pays step 1).

Step 3 minus step 2 is the controller's per-task work beyond ping's. Environment:
BENCH_ROUNDS (10), BENCH_LABEL (the path, a FederationLab label: ip_literal_v4).
"""

import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

from ansible_collections.matrix.federation.tests.unit.servers.federation_lab import FederationLab

ROUNDS = int(os.environ.get('BENCH_ROUNDS', '10'))
LABEL = os.environ.get('BENCH_LABEL', 'ip_literal_v4')
PING = 'ansible.builtin.ping'
MODULE = 'matrix.federation.matrix_federation_test'
PAYLOAD = os.path.join(benchlib.ROOT, 'tests', 'unit', 'servers', 'payload.py')


def playbook(workdir, tasks, extra_vars=None, env=None):
    play = [{'name': 'startup', 'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
             'vars': dict({'ansible_python_interpreter': sys.executable}, **(extra_vars or {})), 'tasks': tasks}]
    path = os.path.join(workdir, 'startup-%d.yml' % len(os.listdir(workdir)))
    with open(path, 'w') as handle:
        json.dump(play, handle)
    environment = benchlib.env_with_collection()
    environment.update(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    environment.update(env or {})
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', path],
                          capture_output=True, text=True, env=environment, check=False)
    if proc.returncode != 0:
        raise RuntimeError('the playbook failed: %s' % (proc.stdout + proc.stderr)[-3000:])
    return proc.stdout


def module_task(lab, name, register=None):
    task = {'name': 'test', MODULE: {'server_name': name, 'nameservers': lab.nameservers, 'ca_path': lab.ca_path,
                                     'timeout': 10}}
    if register:
        task['register'] = register
    return task


def payload_build():
    proc = subprocess.run([sys.executable, PAYLOAD, 'time', str(ROUNDS), PING, MODULE], capture_output=True, text=True,
                          env=benchlib.env_with_collection(), check=True)
    return json.loads(proc.stdout)


def module_process(lab, name, workdir):
    """Run the AnsiballZ files of ping and the module directly, in turn; ``{name: [(wall, cpu, duration_ms)]}``."""
    remote = os.path.join(workdir, 'remote')
    os.makedirs(remote)
    playbook(workdir, [{'name': 'ping', PING: {}}, module_task(lab, name)], {'ansible_remote_tmp': remote},
             {'ANSIBLE_KEEP_REMOTE_FILES': '1', 'ANSIBLE_PIPELINING': '0'})
    files = dict((os.path.basename(path)[len('AnsiballZ_'):-3], path)
                 for path in glob.glob(os.path.join(remote, '*', 'AnsiballZ_*.py')))
    out = {}
    for dummy in range(ROUNDS):
        for label, path in sorted(files.items()):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            proc = subprocess.run([sys.executable, path], capture_output=True, text=True, check=True)
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            out.setdefault(label, []).append((wall, cpu, json.loads(proc.stdout).get('duration_ms')))
    return out


def in_playbook(lab, name, workdir):
    """One playbook: ping and the module in turn, ROUNDS times; ``(ping seconds, module seconds)`` lists."""
    tasks = []
    for index in range(ROUNDS):
        tasks += [{'name': 'a', 'ansible.builtin.set_fact': {'a%d' % index: '{{ now().timestamp() }}'}},
                  {'name': 'ping', PING: {}},
                  {'name': 'b', 'ansible.builtin.set_fact': {'b%d' % index: '{{ now().timestamp() }}'}},
                  module_task(lab, name, 'r%d' % index),
                  {'name': 'c', 'ansible.builtin.set_fact': {'c%d' % index: '{{ now().timestamp() }}'}}]
    summary = '[%s]' % ', '.join('[a%d, b%d, c%d, r%d.federation_ok]' % (i, i, i, i) for i in range(ROUNDS))
    tasks.append({'name': 'report', 'ansible.builtin.debug': {'msg': 'BENCH{{ %s | to_json }}BENCH' % summary}})
    text = playbook(workdir, tasks)
    values = json.loads(json.loads('"%s"' % text.split('BENCH', 1)[1].rsplit('BENCH', 1)[0]))
    if isinstance(values, str):
        values = json.loads(values)
    if not all(row[3] for row in values):
        raise RuntimeError('a federation test failed on the lab')
    return [float(b) - float(a) for a, b, c, ok in values], [float(c) - float(b) for a, b, c, ok in values]


def ms(value):
    return '%.0f' % (value * 1000)


def main():
    print('startup benchmark: where matrix_federation_test spends its time beyond ansible.builtin.ping')
    print('machine: %s' % benchlib.machine())
    workdir = tempfile.mkdtemp(prefix='bench-startup-')
    lab = FederationLab(workdir)
    try:
        name = lab.labels[LABEL]
        built = payload_build()
        process = module_process(lab, name, workdir)
        pings, tests = in_playbook(lab, name, workdir)
    finally:
        lab.close()
    print('path: %s (%s), %d rounds, ping and the module alternating' % (LABEL, name, ROUNDS))
    rows = []
    ping_cpu = statistics.median(row[0] for row in built[PING])
    test_cpu = statistics.median(row[0] for row in built[MODULE])
    rows.append(['1. controller builds the payload (CPU, fresh cache)', ms(ping_cpu), ms(test_cpu), ms(test_cpu - ping_cpu),
                 '%d vs %d bytes' % (built[PING][0][1], built[MODULE][0][1])])
    ping_p, test_p = process['ping'], process['matrix_federation_test']
    for label, column in (('wall', 0), ('CPU', 1)):
        p, t = statistics.median(r[column] for r in ping_p), statistics.median(r[column] for r in test_p)
        note = 'module duration_ms median %d' % statistics.median(r[2] for r in test_p) if column == 0 else ''
        rows.append(['2. module process alone (%s)' % label, ms(p), ms(t), ms(t - p), note])
    p, t = statistics.median(pings), statistics.median(tests[1:])
    rows.append(['3. task in a playbook (wall, payload cached)', ms(p), ms(t), ms(t - p),
                 'first module task %s ms' % ms(tests[0])])
    print(benchlib.table(rows, ['step', 'ping ms', 'module ms', 'difference ms', 'note']))
    controller = (t - p) - (statistics.median(r[0] for r in test_p) - statistics.median(r[0] for r in ping_p))
    print('controller per task beyond ping (3 minus 2, wall): %s ms' % ms(controller))


if __name__ == '__main__':
    main()
