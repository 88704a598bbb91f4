# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The federation matrix from each vantage point's reports and each homeserver's health (pure data)."""

import os

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import federation_matrix
from ansible_collections.matrix.federation.plugins.module_utils._federation.federation_matrix import (
    MatrixInputError,
    build_federation_matrix,
    check_matrix,
    version_ranges,
)

HOMESERVERS = ('example.test', 'other.test', 'third.test')


def report(name, *codes):
    return {'server_name': name, 'federation_ok': not codes, 'resolution': {'method': 'srv'},
            'errors': [{'code': code, 'message': '%s: %s from here' % (name, code)} for code in codes]}


def batch(*reports):
    """A registered matrix_federation_test result with server_names."""
    return {'changed': False, 'federation_ok': all(r['federation_ok'] for r in reports),
            'reports': dict((r['server_name'], r) for r in reports), 'summary': {}, 'duration_ms': 5}


def everyone_ok():
    results = {'controller': batch(*(report(n) for n in HOMESERVERS + ('peer.test',)))}
    for vantage in HOMESERVERS:
        results[vantage] = batch(*(report(n) for n in HOMESERVERS + ('peer.test',) if n != vantage))
    return results


def health(default, available, destinations=()):
    return {'changed': False, 'room_versions': {'default': default, 'available': dict(
        (str(v), 'stable') for v in available)}, 'destinations': _destinations(destinations)}


def _destinations(backing_off):
    """matrix_homeserver_health's destinations: null (Dendrite) or the ones Synapse backs off from."""
    if backing_off is None:
        return None
    return {'total': len(backing_off), 'read': len(backing_off), 'truncated': False, 'backing_off': list(backing_off)}


def test_symmetric_ok():
    matrix = build_federation_matrix(everyone_ok())
    assert matrix['ok'] is True
    assert matrix['vantages'] == ['controller', 'example.test', 'other.test', 'third.test']
    assert matrix['targets'] == ['example.test', 'other.test', 'third.test', 'peer.test']
    assert matrix['failing'] == [] and matrix['one_way'] == []
    assert sorted(matrix['cells']['other.test']) == ['example.test', 'peer.test', 'third.test']
    assert matrix['cells']['controller']['example.test'] == {'ok': True, 'codes': [], 'message': ''}
    assert matrix['room_versions'] == {} and matrix['room_version_conflicts'] == [] and matrix['backing_off'] == {}
    assert matrix['health_errors'] == {}


def test_controller_comes_first_whatever_the_order_given():
    results = everyone_ok()
    reordered = dict((key, results[key]) for key in ('third.test', 'controller', 'example.test'))
    matrix = build_federation_matrix(reordered)
    assert matrix['vantages'] == ['controller', 'third.test', 'example.test']
    assert matrix['targets'] == ['third.test', 'example.test', 'other.test', 'peer.test']


def test_one_way_failure_is_named():
    results = everyone_ok()
    results['example.test']['reports']['third.test'] = report('third.test', 'CERT_UNTRUSTED', 'KEYS_NOT_FOUND',
                                                              'CERT_UNTRUSTED')
    matrix = build_federation_matrix(results)
    assert matrix['ok'] is False
    assert matrix['cells']['example.test']['third.test'] == {
        'ok': False, 'codes': ['CERT_UNTRUSTED', 'KEYS_NOT_FOUND'], 'message': 'third.test: CERT_UNTRUSTED from here'}
    assert matrix['failing'] == [{'from': 'example.test', 'to': 'third.test', 'codes': ['CERT_UNTRUSTED', 'KEYS_NOT_FOUND'],
                                  'message': 'third.test: CERT_UNTRUSTED from here'}]
    assert matrix['one_way'] == [{
        'target': 'third.test', 'ok_from': ['controller', 'other.test'], 'failing_from': ['example.test'],
        'message': 'third.test is reached from the controller and other.test but not from example.test'}]


def test_we_reach_them_they_cannot_reach_us():
    results = {'controller': batch(report('a.test'), report('b.test')),
               'a.test': batch(report('b.test')), 'b.test': batch(report('a.test', 'DNS_TIMEOUT'))}
    matrix = build_federation_matrix(results)
    assert [o['message'] for o in matrix['one_way']] == ['a.test is reached from the controller but not from b.test']


def test_a_server_nobody_reaches_that_reaches_them_is_asymmetric():
    # third.test's 8448 closed by its firewall: no one reaches it, it still reaches everyone.
    closed = 'CONNECTION_FAILED'
    results = {'controller': batch(report('a.test'), report('third.test', closed)),
               'a.test': batch(report('third.test', closed)), 'third.test': batch(report('a.test'))}
    matrix = build_federation_matrix(results)
    assert matrix['one_way'] == []
    assert matrix['asymmetric'] == [{
        'reaches': 'third.test', 'not_reached_from': 'a.test', 'codes': [closed],
        'message': 'third.test reaches a.test, but a.test cannot reach third.test (CONNECTION_FAILED)'}]
    both_broken = build_federation_matrix({'a.test': batch(report('b.test', closed)), 'b.test': batch(report('a.test', closed))})
    assert both_broken['asymmetric'] == []


def test_broken_from_everywhere_is_failing_but_not_one_way():
    results = {'controller': batch(report('a.test'), report('b.test', 'CERT_EXPIRED')),
               'a.test': batch(report('b.test', 'CERT_EXPIRED')), 'b.test': batch(report('a.test'))}
    matrix = build_federation_matrix(results)
    assert [(f['from'], f['to']) for f in matrix['failing']] == [('controller', 'b.test'), ('a.test', 'b.test')]
    assert matrix['one_way'] == []


def test_no_self_cells_even_if_a_vantage_tested_itself():
    results = {'controller': [report('a.test')], 'a.test': [report('a.test', 'CERT_EXPIRED'), report('peer.test')]}
    matrix = build_federation_matrix(results)
    assert matrix['cells']['a.test'] == {'peer.test': {'ok': True, 'codes': [], 'message': ''}}
    assert matrix['ok'] is True


def test_a_report_list_one_report_and_reports_by_name_are_accepted():
    one = build_federation_matrix({'controller': report('a.test'), 'a.test': {'b.test': report('b.test')},
                                   'b.test': [report('a.test')]})
    assert one['vantages'] == ['controller', 'a.test', 'b.test']
    assert one['targets'] == ['a.test', 'b.test']


def test_a_vantage_that_tested_nothing_is_left_out():
    skipped = {'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False'}
    matrix = build_federation_matrix({'controller': batch(report('a.test')), 'a.test': skipped, 'b.test': None})
    assert matrix['vantages'] == ['controller'] and matrix['targets'] == ['a.test'] and matrix['ok']


def test_a_vantage_whose_test_could_not_run_fails_its_cells_but_is_not_one_way():
    failed = {'changed': False, 'failed': False, 'failed_when_result': False,
              'msg': 'Failed to import the required Python library (cryptography)'}
    results = {'controller': batch(report('a.test'), report('b.test')), 'a.test': failed, 'b.test': batch(report('a.test'))}
    matrix = build_federation_matrix(results)
    assert matrix['cells']['a.test'] == {'b.test': {
        'ok': False, 'codes': ['VANTAGE_TEST_FAILED'],
        'message': 'matrix_federation_test could not run on a.test: Failed to import the required Python library (cryptography)'}}
    assert [(f['from'], f['to']) for f in matrix['failing']] == [('a.test', 'b.test')]
    assert matrix['one_way'] == [] and matrix['ok'] is False


def test_room_version_conflicts_both_directions():
    results = {'controller': batch(report('new.test'), report('old.test'))}
    matrix = build_federation_matrix(results, {
        'new.test': health('12', range(1, 13)),
        'old.test': health('10', range(1, 12)),
        'older.test': health('9', range(1, 10)),
    })
    assert matrix['room_versions']['old.test'] == {'default': '10', 'available': dict((str(v), 'stable') for v in range(1, 12))}
    conflicts = [(c['creator'], c['joiner'], c['version']) for c in matrix['room_version_conflicts']]
    assert conflicts == [('new.test', 'old.test', '12'), ('new.test', 'older.test', '12'), ('old.test', 'older.test', '10')]
    assert all(c['code'] == 'ROOM_VERSION_UNSUPPORTED' for c in matrix['room_version_conflicts'])
    assert matrix['room_version_conflicts'][0]['message'] == (
        'rooms created on new.test use version 12 by default; old.test supports 1-11: '
        'create shared rooms with room_version 11 or set default_room_version to 11 on new.test')
    assert matrix['room_version_conflicts'][2]['message'].endswith(
        'older.test supports 1-9: create shared rooms with room_version 9 or set default_room_version to 9 on old.test')
    # Conflicts do not make a direction fail.
    assert matrix['ok'] is True


def test_each_side_of_a_conflict_is_reported():
    matrix = build_federation_matrix({'controller': []}, {'a.test': health('12', [10, 12]), 'b.test': health('11', [10, 11])})
    assert [(c['creator'], c['joiner']) for c in matrix['room_version_conflicts']] == [('a.test', 'b.test'), ('b.test', 'a.test')]
    assert matrix['room_version_conflicts'][1]['message'] == (
        'rooms created on b.test use version 11 by default; a.test supports 10, 12: '
        'create shared rooms with room_version 10 or set default_room_version to 10 on b.test')


def test_no_common_stable_version():
    unstable = health('12', [12])
    unstable['room_versions']['available']['11'] = 'unstable'
    matrix = build_federation_matrix({}, {'a.test': unstable, 'b.test': health('11', [11])})
    assert matrix['room_version_conflicts'][0]['message'] == (
        'rooms created on a.test use version 12 by default; b.test supports 11: they share no stable room version: '
        'upgrade b.test')
    # An unstable version is still joinable: b.test's rooms (11) can be joined from a.test.
    assert len(matrix['room_version_conflicts']) == 1


def test_backing_off_and_dendrite_without_destinations():
    # matrix_homeserver_health lists only the destinations Synapse backs off from.
    synapse = health('10', range(1, 12), [
        {'destination': 'third.test', 'backing_off': True, 'retry_interval_ms': 600000, 'retry_last_ts': 1, 'failure_ts': 1}])
    idle = health('10', range(1, 12), [])
    matrix = build_federation_matrix({'controller': batch(report('example.test'))},
                                     {'example.test': synapse, 'idle.test': idle, 'dendrite.test': health('10', range(1, 11), None)})
    assert matrix['backing_off'] == {'example.test': synapse['destinations']['backing_off']}
    assert sorted(matrix['room_versions']) == ['dendrite.test', 'example.test', 'idle.test']
    assert matrix['room_version_conflicts'] == []


def test_health_that_did_not_run_or_failed():
    matrix = build_federation_matrix({}, {'a.test': {'skipped': True}, 'b.test': None,
                                          'c.test': {'failed': True, 'msg': 'HTTP 401 from /_synapse/admin: token refused'}})
    assert matrix['room_versions'] == {} and matrix['health_errors'] == {'c.test': 'HTTP 401 from /_synapse/admin: token refused'}


def test_integer_versions_are_strings():
    matrix = build_federation_matrix({}, {'a.test': {'room_versions': {'default': 12, 'available': {12: 'stable'}},
                                                     'destinations': None}})
    assert matrix['room_versions'] == {'a.test': {'default': '12', 'available': {'12': 'stable'}}}


def test_version_ranges():
    assert version_ranges(['3', '1', '2', '5', 'org.matrix.msc2176', '10', '11']) == '1-3, 5, 10-11, org.matrix.msc2176'
    assert version_ranges([]) == 'no room version'
    assert version_ranges(['7']) == '7'


@pytest.mark.parametrize('results, health_results, message', [
    (['controller'], None, 'expected a dict {vantage: matrix_federation_test result}, got list'),
    ({'controller': 'ok'}, None, "vantage 'controller': expected a matrix_federation_test result"),
    ({'controller': {'changed': False}}, None, "vantage 'controller': expected a matrix_federation_test result"),
    ({'controller': {'reports': ['a.test']}}, None, "vantage 'controller': reports must be a dict"),
    ({'controller': [{'federation_ok': True}]}, None, "vantage 'controller': report 0 is not a matrix_federation_test report"),
    ({'controller': ['a.test']}, None, "vantage 'controller': report 0 is not"),
    ({'controller': [{'server_name': 'a.test', 'federation_ok': False, 'errors': 'broken'}]}, None,
     "vantage 'controller': the errors of a.test must be a list of {code, message}"),
    ({'': []}, None, 'vantage names must be non-empty strings'),
    ({}, ['a.test'], 'health must be a dict {server_name: matrix_homeserver_health result}, got list'),
    ({}, {'a.test': 'fine'}, "health of 'a.test': expected a matrix_homeserver_health result, got str"),
    ({}, {'a.test': {'room_versions': {'default': '12'}}}, "health of 'a.test': room_versions must be {default, available"),
    ({}, {'a.test': {'room_versions': {'default': ['12'], 'available': {}}}}, 'room_versions.default must be a version'),
    ({}, {'a.test': {'room_versions': {'default': '1', 'available': {}}, 'destinations': 'none'}},
     "health of 'a.test': destinations must be null or {backing_off: [destinations]}"),
    ({}, {'a.test': {'room_versions': {'default': '1', 'available': {}}, 'destinations': [{'destination': 'b.test'}]}},
     "health of 'a.test': destinations must be null or {backing_off: [destinations]}"),
    ({}, {'a.test': {'room_versions': {'default': '1', 'available': {}},
                     'destinations': {'backing_off': [{'destination': 'b.test', 'retry_interval_ms': 'soon'}]}}},
     "retry_interval_ms of destination 'b.test' must be a number, got str"),
])
def test_malformed_input_says_what_was_expected(results, health_results, message):
    with pytest.raises(MatrixInputError) as info:
        build_federation_matrix(results, health_results)
    assert message in str(info.value)


def test_check_matrix():
    check_matrix(build_federation_matrix(everyone_ok()))
    for value in ({'vantages': []}, [], {'vantages': [], 'targets': [], 'failing': [], 'cells': {'controller': []}}):
        with pytest.raises(MatrixInputError):
            check_matrix(value)


def test_the_matrix_codes_are_in_the_error_catalogue():
    root = os.path.join(os.path.dirname(federation_matrix.__file__), '..', '..', '..')
    with open(os.path.join(root, 'docs', 'errors.md')) as handle:
        catalogue = handle.read()
    rows = set(line.split('|')[1].strip() for line in catalogue.splitlines() if line.startswith('| '))
    assert {federation_matrix.ROOM_VERSION_UNSUPPORTED, federation_matrix.VANTAGE_TEST_FAILED,
            federation_matrix.SIGNED_REQUEST_NOT_RUN} <= rows


def signed(origin, *rejected_by, peers=HOMESERVERS):
    """A registered matrix_signed_request result: every peer but ``rejected_by`` accepted."""
    result = {}
    for peer in peers:
        if peer == origin:
            continue
        errors = [{'code': 'SIGNED_KEY_NOT_FETCHED', 'message': '%s could not fetch the key of %s' % (peer, origin)}] \
            if peer in rejected_by else []
        result[peer] = {'accepted': not errors, 'errors': errors, 'federation_warnings': []}
    return {'changed': False, 'federation_ok': not rejected_by, 'origin': origin, 'peers': result}


def test_signed_requests_every_peer_accepts():
    matrix = build_federation_matrix(everyone_ok(), signed=dict((s, signed(s)) for s in HOMESERVERS))
    assert matrix['ok'] is True and matrix['signed_failing'] == []
    assert matrix['signed']['third.test'] == {'example.test': {'ok': True, 'codes': [], 'message': ''},
                                              'other.test': {'ok': True, 'codes': [], 'message': ''}}
    assert build_federation_matrix(everyone_ok())['signed'] == {}


def test_a_rejected_signed_request_fails_the_matrix_though_every_test_passes():
    results = dict((s, signed(s)) for s in HOMESERVERS)
    results['third.test'] = signed('third.test', 'example.test')
    results['other.test'] = {'skipped': True, 'changed': False}
    matrix = build_federation_matrix(everyone_ok(), signed=results)
    assert matrix['ok'] is False and matrix['failing'] == []
    assert matrix['signed_failing'] == [{'from': 'third.test', 'to': 'example.test', 'codes': ['SIGNED_KEY_NOT_FETCHED'],
                                         'message': 'example.test could not fetch the key of third.test'}]
    assert 'other.test' not in matrix['signed']


def test_a_signed_request_run_that_failed_is_named():
    matrix = build_federation_matrix(everyone_ok(), signed={'example.test': {'failed': True, 'msg': 'SIGNING_KEY_UNUSABLE: no such file'}})
    assert matrix['ok'] is False
    assert matrix['signed_failing'][0]['codes'] == ['SIGNED_REQUEST_NOT_RUN']
    assert 'could not run on example.test: SIGNING_KEY_UNUSABLE: no such file' in matrix['signed_failing'][0]['message']


@pytest.mark.parametrize('value, message', [
    (['x'], 'signed must be a dict {server_name: matrix_signed_request result}, got list'),
    ({'a.test': 'yes'}, "signed requests of 'a.test': expected a matrix_signed_request result, got str"),
    ({'a.test': {'peers': {'b.test': {'accepted': 'yes'}}}}, "peer 'b.test' must be {accepted, errors}"),
    ({'a.test': {'peers': {'b.test': {'accepted': False, 'errors': ['x']}}}}, "the errors of 'b.test' must be a list"),
])
def test_malformed_signed_results_say_what_was_expected(value, message):
    with pytest.raises(MatrixInputError) as info:
        build_federation_matrix(everyone_ok(), signed=value)
    assert message in str(info.value)
