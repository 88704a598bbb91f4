# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A long batch spread over forked processes: the same reports as one process, a lost process costs only its share."""

import json
import os
import re
import signal
import threading
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import processes
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import lost_report
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_tests
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_tester import comparable
from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module


def test_plan_uses_the_cpus_only_for_a_long_list(monkeypatch):
    monkeypatch.setattr(processes, 'usable_cpus', lambda: 4)
    assert processes.plan_processes(10) == 1  # too short to be worth a fork
    assert processes.plan_processes(2 * processes.MIN_SHARE) == 2
    assert processes.plan_processes(1000) == 4
    assert processes.plan_processes(1000, concurrency=3) == 3  # together they never exceed concurrency
    monkeypatch.setattr(processes, 'usable_cpus', lambda: 64)
    assert processes.plan_processes(100000) == processes.MAX_PROCESSES
    # Asked for: as many as asked, but never more than servers or concurrency.
    assert processes.plan_processes(10, requested=3) == 3
    assert processes.plan_processes(2, requested=3) == 2
    assert processes.plan_processes(1000, requested=1) == 1


def test_shares_are_disjoint_and_cover_the_list():
    names = ['s%d' % index for index in range(11)]
    parts = processes.shares(names, 3)
    assert sorted(sum(parts, [])) == sorted(names)
    assert [len(part) for part in parts] == [4, 4, 3]
    assert parts[0][:2] == ['s0', 's3']  # neighbours go to different processes


def test_no_fork_while_another_thread_runs(federation_lab):
    # The lab's servers are threads of this process: forking now could
    # leave one of their locks held in the child, so the batch stays here.
    assert threading.active_count() > 1 and not processes.can_fork()
    names = [federation_lab.labels[label] for label in ('explicit', 'srv')]
    batch = run_federation_tests(names, processes=2, nameservers=federation_lab.nameservers,
                                 ca_path=federation_lab.ca_path, timeout=5)
    assert batch['processes'] == 1
    assert all(report['federation_ok'] for report in batch['reports'].values())


def test_module_spreads_a_long_list_and_reports_the_same(federation_lab, tmp_path):
    # As Ansible runs it: a process of its own, with no other thread, so it forks.
    names = [name for name, want in federation_lab.expect.items() if want['timeout'] == 5.0]
    args = {'server_names': names, 'processes': 3, 'nameservers': federation_lab.nameservers,
            'ca_path': federation_lab.ca_path, 'timeout': 5, 'fail_on_error': False}
    now = time.time()
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 0, result
    assert result['processes'] == 3
    assert list(result['reports']) == names
    alone = run_federation_tests(names, processes=1, now=now, nameservers=federation_lab.nameservers,
                                 ca_path=federation_lab.ca_path, timeout=5)
    assert alone['processes'] == 1
    for name in names:
        got = comparable(result['reports'][name])
        want = comparable(alone['reports'][name])
        # Certificate lifetimes and keys' remaining minutes count down from each run's own clock (the module has
        # no `now`): a minute may turn between the two runs.
        for report in (got, want):
            for conn in report['connection_reports'].values():
                for cert in conn.get('certificates') or []:
                    cert.pop('days_until_expiry')
        got, want = (json.loads(re.sub(r'valid_until_ts is \d+ minutes away', 'valid_until_ts is N minutes away',
                                       json.dumps(report))) for report in (got, want))
        assert got == want, name
    assert result['summary'] == alone['summary']


def test_module_refuses_zero_processes(federation_lab, tmp_path):
    result, rc, dummy = run_module('matrix_federation_test', {'server_names': ['example.org'], 'processes': 0,
                                                              'nameservers': federation_lab.nameservers}, tmp_path)
    assert rc == 1 and result['failed']
    assert 'processes must be at least 1' in result['msg']


def test_a_killed_process_costs_only_the_reports_it_had_not_written():
    names = ['a', 'b', 'c', 'd', 'e', 'f']

    def run_share(share, emit):
        for name in share:
            if name == 'e':  # in the second share (b, e): dies after reporting b
                os.kill(os.getpid(), signal.SIGKILL)
            emit(name, {'server_name': name, 'federation_ok': True, 'errors': []})

    reports = processes.run_in_processes(names, 3, run_share, lost_report)
    assert list(reports) == names
    assert [name for name in names if reports[name]['federation_ok']] == ['a', 'b', 'c', 'd', 'f']
    lost = reports['e']['errors']
    assert [error['code'] for error in lost] == ['INTERNAL_ERROR']
    assert 'killed by signal %d' % signal.SIGKILL in lost[0]['message']


@pytest.mark.parametrize('failure', ['exception', 'not_json'])
def test_a_failing_process_is_reported_not_raised(failure):
    def run_share(share, emit):
        for name in share:
            if name == 'b':
                if failure == 'exception':
                    raise RuntimeError('boom')
                emit(name, {'value': object()})
            emit(name, {'server_name': name, 'federation_ok': True, 'errors': []})

    reports = processes.run_in_processes(['a', 'b', 'c'], 2, run_share, lost_report)
    assert reports['a']['federation_ok'] and reports['c']['federation_ok']
    assert reports['b']['federation_ok'] is False
    assert 'exited with status 1' in reports['b']['errors'][0]['message']
