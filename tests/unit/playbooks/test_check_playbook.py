# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/check.yml run by ansible-playbook against the loopback lab."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import ansible_collections

from ansible_collections.matrix.federation.tests.unit.servers.run_module import COLLECTION


def _run(lab, tmp_path, homeservers, peers):
    inventory = tmp_path / 'inventory.yml'
    hosts = dict((name, {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable})
                 for name in homeservers)
    inventory.write_text(json.dumps({'homeservers': {'hosts': hosts}}))
    extra = {'matrix_federation_check_peers': peers, 'matrix_federation_check_nameservers': lab.nameservers,
             'matrix_federation_check_ca_path': lab.ca_path, 'matrix_federation_check_timeout': 3,
             'matrix_federation_check_report_dir': str(tmp_path / 'reports'),
             'matrix_federation_check_prometheus_file': str(tmp_path / 'reports' / 'federation.prom')}
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_NOCOLOR'] = '1'
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    return subprocess.run([playbook, '-i', str(inventory), os.path.join(COLLECTION, 'playbooks', 'check.yml'),
                           '-e', json.dumps(extra)], capture_output=True, text=True, env=env, timeout=300, check=False)


def test_check_playbook_writes_reports_and_fails_on_broken(federation_lab, tmp_path):
    proc = _run(federation_lab, tmp_path, ['srv.lab.test', 'certsrv.lab.test'], ['wksrv.lab.test'])
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert 'federation is broken for certsrv.lab.test' in output and 'CERT_NAME_MISMATCH' in output
    reports = tmp_path / 'reports'
    for name, ok in (('srv.lab.test', True), ('certsrv.lab.test', False), ('wksrv.lab.test', True)):
        report = json.loads((reports / (name + '.json')).read_text())
        assert report['federation_ok'] is ok and report['server_name'] == name
        assert 'invocation' not in report
    junit = ET.parse(str(reports / 'federation-junit.xml')).getroot()
    suites = dict((s.get('name'), s) for s in junit.findall('testsuite'))
    assert set(suites) == {'srv.lab.test', 'certsrv.lab.test', 'wksrv.lab.test'}
    assert suites['srv.lab.test'].get('failures') == '0' and suites['certsrv.lab.test'].get('failures') != '0'
    prom = (reports / 'federation.prom').read_text()
    assert 'matrix_federation_ok{server_name="srv.lab.test"} 1' in prom
    assert 'matrix_federation_ok{server_name="certsrv.lab.test"} 0' in prom
    assert 'matrix_federation_cert_expiry_days{server_name="wksrv.lab.test"' in prom


def test_check_playbook_passes_when_all_ok(federation_lab, tmp_path):
    proc = _run(federation_lab, tmp_path, ['default.lab.test'], [])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((tmp_path / 'reports' / 'default.lab.test.json').read_text())['federation_ok']
