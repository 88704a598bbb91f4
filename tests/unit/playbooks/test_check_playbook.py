# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/check.yml run by ansible-playbook against the loopback lab.

The homeservers are local-connection hosts: their own run of the test (the
per-host part of the matrix) happens on this machine, with the nameservers and
CA each host's inventory gives it.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import ansible_collections

from ansible_collections.matrix.federation.tests.unit.servers.run_module import COLLECTION


def _collections_path():
    return os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)


def _local(host_vars):
    return dict({'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}, **host_vars)


def _run(lab, tmp_path, homeservers, peers, host_vars=None, extra_vars=None, checkers=None):
    """Run check.yml; ``host_vars`` per homeserver (default: the lab's nameservers and CA for its own run);
    ``checkers``: ``{host: vars}`` of a checkers group (local-connection hosts unless the vars say otherwise)."""
    inventory = tmp_path / 'inventory.yml'
    lab_view = {'matrix_federation_check_host_nameservers': lab.nameservers, 'matrix_federation_check_host_ca_path': lab.ca_path}
    hosts = dict((name, _local(lab_view if host_vars is None else host_vars.get(name, {}))) for name in homeservers)
    groups = {'homeservers': {'hosts': hosts}} if homeservers else {}
    if checkers is not None:
        groups['checkers'] = {'hosts': dict((name, _local(v)) for name, v in checkers.items())}
    inventory.write_text(json.dumps(groups))
    extra = {'matrix_federation_check_peers': peers, 'matrix_federation_check_nameservers': lab.nameservers,
             'matrix_federation_check_ca_path': lab.ca_path, 'matrix_federation_check_timeout': 3,
             'matrix_federation_check_report_dir': str(tmp_path / 'reports'),
             'matrix_federation_check_prometheus_file': str(tmp_path / 'reports' / 'federation.prom'),
             # The loopback sites do not verify signed requests: the signed round trip is the federation lab's.
             'matrix_federation_check_signed': False}
    extra.update(extra_vars or {})
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = _collections_path()
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_NOCOLOR'] = '1'
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    return subprocess.run([playbook, '-i', str(inventory), os.path.join(COLLECTION, 'playbooks', 'check.yml'),
                           '-e', json.dumps(extra)], capture_output=True, text=True, env=env, timeout=300, check=False)


def _printed_matrix(output):
    """The lines the "Show who reaches whom" task printed (the default callback shows msg as a JSON list)."""
    start = output.index('"msg": [', output.index('TASK [Show who reaches whom]'))
    return json.loads(output[start + len('"msg": '):output.index(']\n}', start) + 1])


def test_check_playbook_writes_reports_and_fails_on_broken(federation_lab, tmp_path):
    proc = _run(federation_lab, tmp_path, ['srv.lab.test', 'certsrv.lab.test'], ['wksrv.lab.test'])
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert 'Traceback' not in output
    # Both homeservers see certsrv's certificate as the controller does: broken from everywhere, not one-way;
    # certsrv still reaches srv, so that pair is asymmetric.
    assert ('federation is broken: controller -> certsrv.lab.test (CERT_NAME_MISMATCH); '
            'srv.lab.test -> certsrv.lab.test (CERT_NAME_MISMATCH)') in output, output
    reports = tmp_path / 'reports'
    for name, ok in (('srv.lab.test', True), ('certsrv.lab.test', False), ('wksrv.lab.test', True)):
        report = json.loads((reports / (name + '.json')).read_text())
        assert report['federation_ok'] is ok and report['server_name'] == name
        assert 'invocation' not in report
    # Each homeserver's own reports, never one of itself.
    assert sorted(os.listdir(str(reports / 'from-srv.lab.test'))) == ['certsrv.lab.test.json', 'wksrv.lab.test.json']
    assert sorted(os.listdir(str(reports / 'from-certsrv.lab.test'))) == ['srv.lab.test.json', 'wksrv.lab.test.json']
    matrix = json.loads((reports / 'federation-matrix.json').read_text())
    assert matrix['ok'] is False
    assert matrix['vantages'] == ['controller', 'srv.lab.test', 'certsrv.lab.test']
    assert matrix['targets'] == ['srv.lab.test', 'certsrv.lab.test', 'wksrv.lab.test']
    assert set(matrix['cells']['srv.lab.test']) == {'certsrv.lab.test', 'wksrv.lab.test'}
    assert matrix['cells']['certsrv.lab.test']['srv.lab.test'] == {'ok': True, 'codes': [], 'message': ''}
    assert [(f['from'], f['to'], f['codes']) for f in matrix['failing']] == [
        ('controller', 'certsrv.lab.test', ['CERT_NAME_MISMATCH']), ('srv.lab.test', 'certsrv.lab.test', ['CERT_NAME_MISMATCH'])]
    assert matrix['one_way'] == [] and matrix['room_version_conflicts'] == [] and matrix['backing_off'] == {}
    assert [(a['reaches'], a['not_reached_from']) for a in matrix['asymmetric']] == [('certsrv.lab.test', 'srv.lab.test')]
    lines = _printed_matrix(output)
    assert lines[0] == 'federation matrix: 3 vantage point(s), 3 server(s), 2 failing direction(s)'
    assert lines[1].split() == ['from', '/', 'to', 'srv.lab.test', 'certsrv.lab.test', 'wksrv.lab.test']
    assert [line.split() for line in lines[2:5]] == [['controller', 'ok', 'FAIL', 'ok'], ['srv.lab.test', '-', 'FAIL', 'ok'],
                                                     ['certsrv.lab.test', 'ok', '-', 'ok']]
    assert lines[5].startswith('FAIL controller -> certsrv.lab.test: CERT_NAME_MISMATCH: ')
    assert lines[6].startswith('FAIL srv.lab.test -> certsrv.lab.test: CERT_NAME_MISMATCH: ')
    assert lines[7:] == ['asymmetric: certsrv.lab.test reaches srv.lab.test, but srv.lab.test cannot reach certsrv.lab.test '
                         '(CERT_NAME_MISMATCH)']
    junit = ET.parse(str(reports / 'federation-junit.xml')).getroot()
    suites = dict((s.get('name'), s) for s in junit.findall('testsuite'))
    assert set(suites) == {'srv.lab.test', 'certsrv.lab.test', 'wksrv.lab.test'}
    assert suites['srv.lab.test'].get('failures') == '0' and suites['certsrv.lab.test'].get('failures') != '0'
    # The report a person reads: printed per server, and as one HTML page and Markdown, with the catalogue's fix.
    assert 'certsrv.lab.test: federation FAILS' in output and 'issue a certificate with the right SAN' in output, output
    html = (reports / 'federation-report.html').read_text()
    assert html.startswith('<!DOCTYPE html>') and 'Matrix federation: 3 server(s) seen from the controller' in html
    assert 'CERT_NAME_MISMATCH' in html and 'issue a certificate with the right SAN' in html
    markdown = (reports / 'federation-report.md').read_text()
    assert 'certsrv.lab.test' in markdown and 'CERT_NAME_MISMATCH' in markdown
    prom = (reports / 'federation.prom').read_text()
    assert 'matrix_federation_ok{server_name="srv.lab.test"} 1' in prom
    assert 'matrix_federation_ok{server_name="certsrv.lab.test"} 0' in prom
    assert 'matrix_federation_cert_expiry_days{server_name="wksrv.lab.test"' in prom


def test_check_playbook_names_a_one_way_failure(federation_lab, tmp_path):
    # default.lab.test resolves with the lab's DNS but trusts only the system CA store: it cannot reach the others,
    # while they and the controller reach it. wksrv.lab.test does not test from itself; srvtwo.lab.test cannot run
    # the test (a nameserver that is not an address): its cells fail, and do not count as one-way failures.
    lab = federation_lab
    proc = _run(lab, tmp_path, ['srv.lab.test', 'default.lab.test', 'wksrv.lab.test', 'srvtwo.lab.test'], [], host_vars={
        'srv.lab.test': {'matrix_federation_check_host_nameservers': lab.nameservers,
                         'matrix_federation_check_host_ca_path': lab.ca_path},
        'default.lab.test': {'matrix_federation_check_host_nameservers': lab.nameservers},
        'wksrv.lab.test': {'matrix_federation_check_from_homeservers': False},
        'srvtwo.lab.test': {'matrix_federation_check_host_nameservers': ['resolver.invalid']}})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert 'Traceback' not in output
    matrix = json.loads((tmp_path / 'reports' / 'federation-matrix.json').read_text())
    assert matrix['vantages'] == ['controller', 'srv.lab.test', 'default.lab.test', 'srvtwo.lab.test']
    assert matrix['targets'] == ['srv.lab.test', 'default.lab.test', 'srvtwo.lab.test', 'wksrv.lab.test']
    assert [(f['from'], f['to']) for f in matrix['failing']] == [
        ('default.lab.test', 'srv.lab.test'), ('default.lab.test', 'srvtwo.lab.test'), ('default.lab.test', 'wksrv.lab.test'),
        ('srvtwo.lab.test', 'srv.lab.test'), ('srvtwo.lab.test', 'default.lab.test'), ('srvtwo.lab.test', 'wksrv.lab.test')]
    assert all(f['codes'] and f['message'] for f in matrix['failing'])
    cell = matrix['cells']['srvtwo.lab.test']['srv.lab.test']
    assert cell['codes'] == ['VANTAGE_TEST_FAILED']
    assert cell['message'].startswith('matrix_federation_test could not run on srvtwo.lab.test: ') and 'resolver.invalid' in cell['message']
    assert [o['message'] for o in matrix['one_way']] == [
        'srv.lab.test is reached from the controller but not from default.lab.test',
        'srvtwo.lab.test is reached from the controller and srv.lab.test but not from default.lab.test',
        'wksrv.lab.test is reached from the controller and srv.lab.test but not from default.lab.test']
    lines = _printed_matrix(output)
    assert [line.split() for line in lines[2:6]] == [
        ['controller', 'ok', 'ok', 'ok', 'ok'], ['srv.lab.test', '-', 'ok', 'ok', 'ok'],
        ['default.lab.test', 'FAIL', '-', 'FAIL', 'FAIL'], ['srvtwo.lab.test', 'FAIL', 'FAIL', '-', 'FAIL']]
    assert 'one-way: srv.lab.test is reached from the controller but not from default.lab.test' in lines
    assert 'federation is broken: default.lab.test -> srv.lab.test (' in output
    assert 'srvtwo.lab.test -> wksrv.lab.test (VANTAGE_TEST_FAILED) (reports in' in output
    assert not (tmp_path / 'reports' / 'from-wksrv.lab.test').exists()
    assert not (tmp_path / 'reports' / 'from-srvtwo.lab.test').exists()


def test_check_playbook_passes_when_all_ok(federation_lab, tmp_path):
    # One homeserver and no peers: nothing to test from the homeserver, the matrix is the controller's row.
    proc = _run(federation_lab, tmp_path, ['default.lab.test'], [])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((tmp_path / 'reports' / 'default.lab.test.json').read_text())['federation_ok']
    matrix = json.loads((tmp_path / 'reports' / 'federation-matrix.json').read_text())
    assert matrix['ok'] is True and matrix['vantages'] == ['controller'] and matrix['failing'] == []
    assert _printed_matrix(proc.stdout)[0] == 'federation matrix: 1 vantage point(s), 1 server(s), every direction ok'


def test_check_playbook_shows_progress_of_a_long_list(federation_lab, tmp_path):
    # Three servers in parts of two: a line as each part ends, and the reports of both parts in the matrix and files.
    proc = _run(federation_lab, tmp_path, ['srv.lab.test'], ['wksrv.lab.test', 'default.lab.test'],
                extra_vars={'matrix_federation_check_batch_size': 2, 'matrix_federation_check_from_homeservers': False})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert '(item=2/3 servers tested)' in output and '(item=3/3 servers tested)' in output, output
    matrix = json.loads((tmp_path / 'reports' / 'federation-matrix.json').read_text())
    assert matrix['targets'] == ['srv.lab.test', 'wksrv.lab.test', 'default.lab.test']
    assert sorted(matrix['cells']['controller']) == ['default.lab.test', 'srv.lab.test', 'wksrv.lab.test']
    assert all(cell['ok'] for cell in matrix['cells']['controller'].values())
    assert sorted(p.name for p in (tmp_path / 'reports').glob('*.lab.test.json')) == [
        'default.lab.test.json', 'srv.lab.test.json', 'wksrv.lab.test.json']
    junit = ET.parse(str(tmp_path / 'reports' / 'federation-junit.xml')).getroot()
    assert len(junit.findall('testsuite')) == 3


def test_check_playbook_spreads_the_servers_over_the_checkers(federation_lab, tmp_path):
    # No homeservers, a list of servers and two checker hosts: each tests its share (in parts of one here, with its
    # own progress lines) and the controller merges their reports, naming who tested what.
    lab = federation_lab
    view = {'matrix_federation_check_host_nameservers': lab.nameservers, 'matrix_federation_check_host_ca_path': lab.ca_path}
    peers = ['srv.lab.test', 'wksrv.lab.test', 'default.lab.test', 'srvtwo.lab.test']
    proc = _run(lab, tmp_path, [], peers, checkers={'chk-a': view, 'chk-b': view},
                extra_vars={'matrix_federation_check_batch_size': 1})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert 'Traceback' not in output
    assert output.count('(item=1/2 servers tested)') == 2 and output.count('(item=2/2 servers tested)') == 2, output
    reports = tmp_path / 'reports'
    checked_from = dict((name, json.loads((reports / (name + '.json')).read_text())['checked_from']) for name in peers)
    assert checked_from == {'srv.lab.test': 'chk-a', 'wksrv.lab.test': 'chk-b', 'default.lab.test': 'chk-a',
                            'srvtwo.lab.test': 'chk-b'}
    matrix = json.loads((reports / 'federation-matrix.json').read_text())
    assert matrix['ok'] is True and matrix['vantages'] == ['checkers'] and matrix['targets'] == peers
    assert _printed_matrix(output)[0] == 'federation matrix: 1 vantage point(s), 4 server(s), every direction ok'
    html = (reports / 'federation-report.html').read_text()
    assert 'Matrix federation: 4 server(s) seen from the checkers (chk-a, chk-b)' in html
    assert len(ET.parse(str(reports / 'federation-junit.xml')).getroot().findall('testsuite')) == 4


def test_check_playbook_names_what_each_checker_could_not_test(federation_lab, tmp_path):
    # chk-a sees the lab as it is; chk-nocca trusts only the system CA store, so its share fails from its own view;
    # chk-gone cannot be reached, so its share is not tested and says so. The homeserver still tests from itself.
    lab = federation_lab
    view = {'matrix_federation_check_host_nameservers': lab.nameservers, 'matrix_federation_check_host_ca_path': lab.ca_path}
    checkers = {'chk-a': view, 'chk-noca': {'matrix_federation_check_host_nameservers': lab.nameservers},
                'chk-gone': {'ansible_connection': 'ssh', 'ansible_host': '127.0.0.1', 'ansible_port': 9,
                             'ansible_ssh_common_args': '-o ConnectTimeout=3 -o BatchMode=yes'}}
    proc = _run(lab, tmp_path, ['srv.lab.test'], ['wksrv.lab.test', 'default.lab.test'], checkers=checkers)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert 'Traceback' not in output
    reports = tmp_path / 'reports'
    report = dict((name, json.loads((reports / (name + '.json')).read_text()))
                  for name in ('srv.lab.test', 'wksrv.lab.test', 'default.lab.test'))
    assert report['srv.lab.test']['federation_ok'] and report['srv.lab.test']['checked_from'] == 'chk-a'
    assert not report['wksrv.lab.test']['federation_ok'] and report['wksrv.lab.test']['checked_from'] == 'chk-noca'
    assert 'CHECKER_FAILED' not in [e['code'] for e in report['wksrv.lab.test']['errors']]
    assert report['default.lab.test']['checked_from'] == 'chk-gone'
    assert report['default.lab.test']['errors'] == [{'code': 'CHECKER_FAILED', 'message': (
        'checker chk-gone did not test default.lab.test: it was unreachable or failed before its test ran')}]
    matrix = json.loads((reports / 'federation-matrix.json').read_text())
    assert matrix['vantages'] == ['checkers', 'srv.lab.test']
    assert [(f['from'], f['to']) for f in matrix['failing']] == [('checkers', 'wksrv.lab.test'), ('checkers', 'default.lab.test')]
    assert sorted(matrix['cells']['srv.lab.test']) == ['default.lab.test', 'wksrv.lab.test']
    assert 'checkers -> default.lab.test (CHECKER_FAILED)' in output, output
