# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Building the report from connection results (pure)."""

from ansible_collections.matrix.federation.plugins.module_utils._federation.report import build_report, family_verdicts


def _conn(ok=True):
    checks = dict((k, ok) for k in ('matching_server_name', 'future_valid_until_ts', 'has_ed25519_key',
                                    'all_ed25519_checks_ok', 'valid_certificates', 'all_checks_ok'))
    return {'checks': checks, 'errors': [] if ok else [{'code': 'KEYS_X', 'message': 'bad'}], 'warnings': [],
            'version': {'name': 'S', 'version': '1'}, 'certificates': [{'days_until_expiry': 30.5}]}


def _discovery():
    return {'resolution': {'method': 'default', 'server_name': 'example.org', 'targets': [
        {'host': 'example.org', 'port': 8448, 'addresses': ['192.0.2.1', '2001:db8::1']}]},
        'well_known_result': None, 'dns_result': {}, 'errors': [], 'warnings': []}


def test_report_partial_family_is_a_warning():
    refused = {'code': 'CONNECTION_REFUSED', 'message': 'refused'}
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', _conn(), None),
                                                        ('[2001:db8::1]:8448', None, refused)], 5)
    assert report['federation_ok'] is True
    assert [w['code'] for w in report['federation_warnings']] == ['CONNECTION_REFUSED', 'IP_FAMILY_PARTIAL']


def test_report_all_unreachable_is_an_error():
    refused = {'code': 'CONNECTION_REFUSED', 'message': 'refused'}
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', None, refused)], 5)
    assert report['federation_ok'] is False and [e['code'] for e in report['errors']] == ['CONNECTION_REFUSED']


def _families(report):
    return dict((family, verdict['ok']) for family, verdict in report['families'].items())


def test_families_both_working():
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', _conn(), None),
                                                        ('[2001:db8::1]:8448', _conn(), None)], 5)
    assert _families(report) == {'IPv4': True, 'IPv6': True}
    assert report['families']['IPv6']['reason'] == '[2001:db8::1]:8448 answers and passes every check'


def test_a_family_without_addresses_is_stated_not_warned():
    discovery = _discovery()
    discovery['resolution']['targets'][0]['addresses'] = ['192.0.2.1']
    discovery['dns_result'] = {'hosts': {'example.org': {'ipv4': ['192.0.2.1'], 'ipv6': [], 'family_errors': []}}}
    report = build_report('example.org', discovery, [('192.0.2.1:8448', _conn(), None)], 5)
    assert report['families']['IPv6'] == {'ok': False, 'reason': 'no AAAA record for example.org'}
    assert report['federation_ok'] and report['federation_warnings'] == []


def test_a_failed_family_lookup_is_the_reason():
    discovery = _discovery()
    discovery['resolution']['targets'][0]['addresses'] = ['192.0.2.1']
    discovery['dns_result'] = {'hosts': {'example.org': {'family_errors': [
        {'code': 'DNS_SERVFAIL', 'message': 'AAAA lookup for example.org: 192.0.2.53 answered SERVFAIL'}]}}}
    report = build_report('example.org', discovery, [('192.0.2.1:8448', _conn(), None)], 5)
    assert report['families']['IPv6']['reason'] == 'the AAAA lookup for example.org failed (DNS_SERVFAIL)'


def test_a_family_with_failing_checks():
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', _conn(), None),
                                                        ('[2001:db8::1]:8448', _conn(False), None)], 5)
    assert _families(report) == {'IPv4': True, 'IPv6': False}
    assert report['families']['IPv6']['reason'] == 'every IPv6 address fails ([2001:db8::1]:8448: KEYS_X)'
    # The key error already fails the test; the family warning says who is affected.
    assert [w['code'] for w in report['federation_warnings']] == ['IP_FAMILY_PARTIAL']


def _delegated_discovery(by_address):
    return {'resolution': {'method': 'well_known_port', 'server_name': 'example.org', 'targets': [
        {'host': 'hs.example.org', 'port': 8448, 'addresses': ['192.0.2.1', '2001:db8::1']}]},
        'well_known_result': {'json': {'m.server': 'hs.example.org:8448'}, 'by_address': by_address,
                              'dns': {'host': 'example.org', 'ipv4': [], 'ipv6': [], 'errors': []}},
        'dns_result': {}, 'errors': [], 'warnings': []}


def test_a_family_that_gets_no_delegation_fails():
    delegation = {'status': 200, 'm_server': 'hs.example.org:8448', 'error': None}
    refused = {'status': None, 'm_server': None, 'error': 'WELLKNOWN_CONNECTION_REFUSED'}
    connections = [('192.0.2.1:8448', _conn(), None), ('[2001:db8::1]:8448', _conn(), None)]
    report = build_report('example.org', _delegated_discovery({'192.0.2.1': delegation, '2001:db8::1': refused}),
                          connections, 5)
    assert _families(report) == {'IPv4': True, 'IPv6': False}
    assert report['families']['IPv6']['reason'] == (
        'no IPv6 address of example.org serves the well-known (2001:db8::1: WELLKNOWN_CONNECTION_REFUSED): IPv6-only '
        'peers get no delegation to hs.example.org:8448 and fall back to SRV or port 8448 of example.org')
    assert [w['code'] for w in report['federation_warnings']] == ['IP_FAMILY_PARTIAL']
    # No AAAA for the well-known host at all: stated, not warned.
    report = build_report('example.org', _delegated_discovery({'192.0.2.1': delegation}), connections, 5)
    assert report['families']['IPv6']['ok'] is False
    assert report['families']['IPv6']['reason'].startswith(
        'no AAAA record for example.org, so IPv6-only peers cannot fetch the well-known: IPv6-only peers get no '
        'delegation')
    assert report['federation_warnings'] == []


def test_ip_literal_families():
    discovery = {'resolution': {'method': 'ip_literal', 'server_name': '192.0.2.1', 'targets': [
        {'host': '192.0.2.1', 'port': 8448, 'addresses': ['192.0.2.1']}]}, 'well_known_result': None,
        'dns_result': {}, 'errors': [], 'warnings': []}
    report = build_report('192.0.2.1', discovery, [('192.0.2.1:8448', _conn(), None)], 5)
    assert report['families']['IPv6'] == {'ok': False, 'reason': 'the server name is an IPv4 address: IPv6-only '
                                                                 'peers cannot reach it'}


def test_unresolvable_name_fails_both_families():
    verdicts = family_verdicts({'resolution': {'method': None, 'targets': []}}, {}, {},
                               [{'code': 'INVALID_SERVER_NAME', 'message': 'bad'}])
    assert verdicts['IPv4'] == (False, 'the server name does not resolve (INVALID_SERVER_NAME)', False)


def test_global_errors_fail_the_working_family():
    conn = _conn()
    conn['version'] = {'error': 'HTTP 404'}
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', conn, None)], 5)
    assert report['families']['IPv4']['ok'] is False and 'VERSION_FAILED' in report['families']['IPv4']['reason']
