# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the benchmarks share: paths, the Synapse venv, subprocess measurement, report comparison."""

import copy
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
CACHE = os.path.join(ROOT, '.cache', 'bench')
SYNAPSE_VENV = os.path.join(CACHE, 'synapse-venv')
SYNAPSE_VERSION = '1.163.2'
MODULE = os.path.join(ROOT, 'plugins', 'modules', 'matrix_federation_test.py')

if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


def env_with_collection():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([COLLECTIONS, env.get('PYTHONPATH', '')])
    env['ANSIBLE_COLLECTIONS_PATH'] = COLLECTIONS
    return env


def machine():
    load = os.getloadavg()
    return '%s, %d cores, Python %s, load average %.2f %.2f %.2f, %s UTC' % (
        platform.platform(terse=True), os.cpu_count() or 0, platform.python_version(), load[0], load[1], load[2],
        time.strftime('%Y-%m-%d %H:%M', time.gmtime()))


def measured(argv, stdin=None, env=None, timeout=1800):
    """Run ``argv``; return its stdout, wall seconds, its own CPU seconds and peak RSS (KiB, from ``wait4``)."""
    started = time.monotonic()
    stdout_path = os.path.join(CACHE, 'child-%d.out' % os.getpid())
    stdin_path = os.path.join(CACHE, 'child-%d.in' % os.getpid())
    os.makedirs(CACHE, exist_ok=True)
    with open(stdin_path, 'wb') as handle:
        handle.write(stdin.encode() if isinstance(stdin, str) else (stdin or b''))
    with open(stdout_path, 'wb') as out, open(stdin_path, 'rb') as inp:
        proc = subprocess.Popen(argv, stdin=inp, stdout=out, stderr=subprocess.DEVNULL, env=env)
        dummy, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    with open(stdout_path, 'rb') as handle:
        data = handle.read()
    os.unlink(stdout_path)
    os.unlink(stdin_path)
    return {'stdout': data, 'wall': wall, 'cpu': usage.ru_utime + usage.ru_stime, 'rss_kb': usage.ru_maxrss,
            'status': status}


def synapse_python():
    """The Synapse venv's python, installing matrix-synapse there once (never into the collection's venv)."""
    python = os.path.join(SYNAPSE_VENV, 'bin', 'python')
    if not os.path.exists(python):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.check_call([sys.executable, '-m', 'venv', SYNAPSE_VENV])
    probe = subprocess.run([python, '-c', 'import synapse; print(synapse.__version__)'], capture_output=True, text=True,
                           check=False)
    if probe.returncode != 0 or not probe.stdout.startswith(SYNAPSE_VERSION):
        print('installing matrix-synapse %s into %s ...' % (SYNAPSE_VERSION, SYNAPSE_VENV), flush=True)
        subprocess.check_call([python, '-m', 'pip', 'install', '-q', '--disable-pip-version-check',
                               'matrix-synapse==%s' % SYNAPSE_VERSION])
    return python


def run_synapse(names, nameservers, ca_path, concurrency=32, sequential=False, timeout=10):
    """Synapse's MatrixFederationAgent fetching the keys of ``names``; returns its JSON plus wall/cpu/rss."""
    job = json.dumps({'names': names, 'nameservers': nameservers, 'ca_path': ca_path, 'concurrency': concurrency,
                      'sequential': sequential, 'timeout': timeout})
    result = measured([synapse_python(), os.path.join(HERE, 'synapse_client.py')], stdin=job)
    try:
        body = json.loads(result['stdout'])
    except ValueError:
        raise RuntimeError('the Synapse client printed no JSON: %r' % result['stdout'][-500:])
    body.update(wall=result['wall'], cpu=result['cpu'], rss_kb=result['rss_kb'])
    return body


def comparable(report):
    """A report without what depends on when it ran (durations, Date headers, days left)."""
    report = copy.deepcopy(report)
    report.pop('duration_ms', None)
    ((report.get('well_known_result') or {}).get('headers') or {}).pop('date', None)
    for conn in (report.get('connection_reports') or {}).values():
        for cert in conn.get('certificates') or []:
            cert.pop('days_until_expiry', None)
    return report


def table(rows, headers):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = '  '.join('%-*s' % (w, h) for w, h in zip(widths, headers))
    out = [line, '  '.join('-' * w for w in widths)]
    for row in rows:
        out.append('  '.join('%-*s' % (w, c) for w, c in zip(widths, row)))
    return '\n'.join(out)
