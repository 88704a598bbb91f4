# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""discovery.py: the spec's server-name resolution and the SRV check, called directly against the loopback lab."""

import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import (
    address_differences,
    address_outcome,
    bounded_addresses,
    check_srv_records,
    resolve_server_name,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import make_clients
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import HOST_MAX_ADDRESSES

# The lab's rows whose expected codes all come from resolution (no key, certificate or connection check).
RESOLUTION_LABELS = [
    'ip_literal_v4', 'explicit', 'wkip', 'wkport', 'wksrv', 'wklegacy', 'wkdefault', 'srv', 'srvlegacy', 'default',
    'wkhtml', 'wkbadjson', 'wkhuge', 'wknomserver', 'wkinvalid', 'wkredirect', 'wkloop', 'wkchain', 'wkbadcert',
    'nxdomain', 'nxdomain_default', 'servfail', 'srvdot', 'srvcname', 'srvtwo',
    'wkdiffer', 'wksrvignored', 'wk403', 'wk503', 'wkcachelong', 'wknostore', 'wkmaxage', 'wkexpires',
    'invalid0', 'invalid1', 'invalid2', 'invalid3', 'invalid4', 'invalid5',
]


def _codes(entries):
    return set(entry['code'] for entry in entries)


def _resolve(lab, server_name, timeout=5.0):
    dns, https = make_clients(lab.nameservers, lab.ca_path, timeout)
    return resolve_server_name(server_name, dns, https)


def _srv(lab, domain, expected=None):
    dns, dummy = make_clients(lab.nameservers, lab.ca_path, 1.5)
    return check_srv_records(domain, dns, expected)


@pytest.mark.parametrize('label', RESOLUTION_LABELS)
def test_resolution_row(federation_lab, label):
    server_name = federation_lab.labels[label]
    want = federation_lab.expect[server_name]
    out = _resolve(federation_lab, server_name, want['timeout'])
    assert set(out) == {'resolution', 'well_known_result', 'dns_result', 'errors', 'warnings'}
    resolution = out['resolution']
    assert resolution['server_name'] == server_name
    assert resolution['method'] == want['method']
    assert resolution['host_header'] == want['host_header']
    assert resolution['sni'] == want['sni']
    assert resolution['delegated_hostname'] == want['delegated']
    assert [(t['host'], t['port']) for t in resolution['targets']] == want['targets']
    assert _codes(out['errors']) == want['errors'], out['errors']
    assert _codes(out['warnings']) == want['warnings'], out['warnings']
    if not want['errors']:
        assert all(target['addresses'] for target in resolution['targets'])


def test_ip_literal_needs_no_dns_and_no_well_known():
    dns, https = make_clients(['127.0.0.1:9'], None, 5.0)  # a DNS server that never answers
    started = time.monotonic()
    out = resolve_server_name('[2001:db8::1]:8449', dns, https)
    assert time.monotonic() - started < 2.0
    assert out['resolution']['method'] == 'ip_literal' and out['resolution']['sni'] is None
    assert out['resolution']['targets'] == [{'host': '2001:db8::1', 'port': 8449, 'addresses': ['2001:db8::1']}]
    assert out['well_known_result'] is None and out['errors'] == [] and out['warnings'] == []


def test_srv_delegation_records_the_lookups(federation_lab):
    out = _resolve(federation_lab, federation_lab.labels['wksrv'])
    assert out['well_known_result']['json'] == {'m.server': 'hs-wksrv.lab.test'}
    srv = out['dns_result']['srv']
    assert [r['target'] for r in srv['_matrix-fed._tcp.hs-wksrv.lab.test']['records']] == ['target-wksrv.lab.test']
    assert srv['_matrix._tcp.hs-wksrv.lab.test']['records'] == []
    assert out['dns_result']['hosts']['target-wksrv.lab.test']['addresses']


def test_srv_check_gives_both_names_and_the_rfc_order(federation_lab):
    result = _srv(federation_lab, 'srvtwo.lab.test', {'target': 'B-SRVTWO.lab.test.', 'port': 8456})
    assert result['errors'] == [] and result['federation_warnings'] == []
    assert result['service'] == '_matrix-fed._tcp.srvtwo.lab.test'
    assert [(r['target'], r['priority']) for r in result['effective']] == [('a-srvtwo.lab.test', 10),
                                                                           ('b-srvtwo.lab.test', 20)]
    assert all(r['addresses'] and r['cname'] == [] for r in result['effective'])
    assert result['records']['_matrix._tcp.srvtwo.lab.test'] == []


def test_srv_check_legacy_only_is_a_warning(federation_lab):
    result = _srv(federation_lab, 'srvlegacy.lab.test')
    assert result['service'] == '_matrix._tcp.srvlegacy.lab.test' and result['errors'] == []
    assert _codes(result['federation_warnings']) == {'SRV_LEGACY_ONLY'}
    assert '_matrix-fed._tcp.srvlegacy.lab.test' in result['federation_warnings'][0]['message']


def test_srv_check_without_records(federation_lab):
    result = _srv(federation_lab, 'default.lab.test')
    assert result['service'] is None and result['effective'] == [] and result['errors'] == []
    mismatch = _srv(federation_lab, 'default.lab.test', {'target': 'default.lab.test'})
    assert _codes(mismatch['errors']) == {'SRV_EXPECTED_MISMATCH'}
    assert 'no records' in mismatch['errors'][0]['message']


@pytest.mark.parametrize('domain, expected, code', [
    ('srvcname.lab.test', None, 'SRV_TARGET_CNAME'),
    ('srvdot.lab.test', None, 'SRV_SERVICE_UNAVAILABLE'),
    ('servfail.lab.test', None, 'DNS_SERVFAIL'),
    ('srv.lab.test', {'target': 'elsewhere.lab.test', 'port': 8448}, 'SRV_EXPECTED_MISMATCH'),
    ('srv.lab.test', {'port': 1}, 'SRV_EXPECTED_MISMATCH'),
])
def test_srv_check_errors(federation_lab, domain, expected, code):
    assert code in _codes(_srv(federation_lab, domain, expected)['errors'])


def test_srv_check_cname_names_the_chain(federation_lab):
    result = _srv(federation_lab, 'srvcname.lab.test')
    message = [e['message'] for e in result['errors'] if e['code'] == 'SRV_TARGET_CNAME'][0]
    assert message.startswith('SRV target alias-srvcname.lab.test is a CNAME') and 'use the canonical name' in message


@pytest.mark.parametrize('domain', ['a' * 64 + '.org', '.'.join(['a' * 63] * 4), 'a..b'])
def test_srv_check_of_a_name_dns_cannot_carry_is_a_coded_error(federation_lab, domain):
    result = _srv(federation_lab, domain)
    assert result['service'] is None and result['effective'] == []
    assert _codes(result['errors']) == {'SRV_NAME_INVALID'}
    assert 'DNS' in result['errors'][0]['message']


@pytest.mark.parametrize('ipv4, ipv6, kept4, kept6', [
    (500, 1, 7, 1), (500, 0, 8, 0), (3, 500, 3, 5), (500, 500, 4, 4), (4, 4, 4, 4),
])
def test_bounded_addresses_keep_both_families(ipv4, ipv6, kept4, kept6):
    v4 = ['10.0.%d.%d' % (i // 250, i % 250) for i in range(ipv4)]
    v6 = ['2001:db8::%x' % i for i in range(ipv6)]
    kept, warning = bounded_addresses({'host': 'h.example', 'addresses': v4 + v6, 'ipv4': v4, 'ipv6': v6})
    assert kept == v4[:kept4] + v6[:kept6]
    if ipv4 + ipv6 <= HOST_MAX_ADDRESSES:
        assert warning is None
    else:
        assert warning['code'] == 'DNS_TOO_MANY_ADDRESSES'
        assert 'h.example has %d addresses' % (ipv4 + ipv6) in warning['message']


# --------------------------------------------------------------------------- every address, what is ignored

def _warning(out, code):
    (message,) = [w['message'] for w in out['warnings'] if w['code'] == code]
    return message


def test_addresses_that_disagree_on_the_well_known(federation_lab):
    out = _resolve(federation_lab, federation_lab.labels['wkdiffer'])
    by_address = out['well_known_result']['by_address']
    first, second = sorted(by_address)
    assert by_address == {first: {'status': 200, 'm_server': 'hs-wkdiffer.lab.test:8443', 'error': None},
                          second: {'status': 404, 'm_server': None, 'error': 'WELLKNOWN_HTTP_STATUS'}}
    message = _warning(out, 'WELLKNOWN_ADDRESS_DIFFERS')
    assert ('peers that reach %s get no delegation (WELLKNOWN_HTTP_STATUS, HTTP 404) and fall back to '
            'wkdiffer.lab.test:8448' % second) in message
    assert 'peers that reach %s are delegated to hs-wkdiffer.lab.test:8443' % first in message
    # The resolution is still the spec's: the first address decides.
    assert out['resolution']['method'] == 'well_known_port'


def test_an_ipv6_address_without_the_well_known(federation_lab):
    if 'wkv6' not in federation_lab.labels:
        pytest.skip('no IPv6 loopback on this machine')
    out = _resolve(federation_lab, federation_lab.labels['wkv6'])
    refused = {'status': None, 'm_server': None, 'error': 'WELLKNOWN_CONNECTION_REFUSED'}
    assert out['well_known_result']['by_address']['::1'] == refused
    assert 'peers that reach ::1 get no delegation (WELLKNOWN_CONNECTION_REFUSED)' in _warning(out, 'WELLKNOWN_ADDRESS_DIFFERS')


def test_srv_of_the_server_name_beside_a_delegation_is_named(federation_lab):
    out = _resolve(federation_lab, federation_lab.labels['wksrvignored'])
    message = _warning(out, 'SRV_IGNORED')
    assert '_matrix-fed._tcp.wksrvignored.lab.test -> old-wksrvignored.lab.test:8448' in message
    assert 'delegates to hs-wksrvignored.lab.test:8443' in message
    assert out['resolution']['targets'][0]['host'] == 'hs-wksrvignored.lab.test'


@pytest.mark.parametrize('label, status, hint', [('wk403', 403, 'user_agent'), ('wk503', 503, 'keep it until it expires')])
def test_a_well_known_http_error_is_one_warning(federation_lab, label, status, hint):
    out = _resolve(federation_lab, federation_lab.labels[label])
    assert _codes(out['warnings']) == {'WELLKNOWN_HTTP_ERROR'}
    message = _warning(out, 'WELLKNOWN_HTTP_ERROR')
    assert 'HTTP %d' % status in message and hint in message and 'up to 1 h' in message
    assert 'fall back to %s:8448' % federation_lab.labels[label] in message
    assert out['well_known_result']['cache'] == {'lifetime_s': 3600, 'source': 'error', 'capped': False,
                                                 'requested_s': None}


@pytest.mark.parametrize('label, cache', [
    ('wkcachelong', {'lifetime_s': 48 * 3600, 'source': 'max-age', 'capped': True, 'requested_s': 604800}),
    ('wknostore', {'lifetime_s': 300, 'source': 'no-store', 'capped': True, 'requested_s': 0}),
    ('wkmaxage', {'lifetime_s': 3600, 'source': 'max-age', 'capped': False, 'requested_s': 3600}),
    ('wkdefault', {'lifetime_s': 24 * 3600, 'source': 'default', 'capped': False, 'requested_s': None}),
    ('default', {'lifetime_s': 3600, 'source': 'error', 'capped': False, 'requested_s': None}),
])
def test_cache_lifetime_of_the_well_known(federation_lab, label, cache):
    out = _resolve(federation_lab, federation_lab.labels[label])
    assert out['well_known_result']['cache'] == cache


def test_expires_counts_from_the_answers_date(federation_lab):
    cache = _resolve(federation_lab, federation_lab.labels['wkexpires'])['well_known_result']['cache']
    assert cache['source'] == 'expires' and abs(cache['lifetime_s'] - 7200) <= 1


def test_a_long_cache_names_the_lifetime(federation_lab):
    message = _warning(_resolve(federation_lab, federation_lab.labels['wkcachelong']), 'WELLKNOWN_CACHE_LONG')
    assert '168.0 h' in message and '48 h at most' in message


def _outcome(m_server=None, error=None, status=200):
    return {'status': status, 'm_server': m_server, 'error': error}


def test_address_differences_pure():
    same = {'192.0.2.1': _outcome('hs.example.org'), '2001:db8::1': _outcome('hs.example.org')}
    assert address_differences(same, 'hs.example.org', 'example.org:8448') is None
    assert address_differences({'192.0.2.1': _outcome(None, 'WELLKNOWN_HTTP_STATUS', 404)}, 'x', 'y') is None
    elsewhere = dict(same, **{'2001:db8::1': _outcome('old.example.org')})
    message = address_differences(elsewhere, 'hs.example.org', 'example.org:8448')['message']
    assert message.startswith('peers that reach 2001:db8::1 are delegated to old.example.org, while peers that '
                              'reach 192.0.2.1 are delegated to hs.example.org')
    only_v6 = {'192.0.2.1': _outcome(None, 'WELLKNOWN_HTTP_STATUS', 404), '2001:db8::1': _outcome('hs.example.org')}
    message = address_differences(only_v6, None, 'SRV _matrix-fed._tcp.example.org (a.example.org:8448)')['message']
    assert 'peers that reach 2001:db8::1 are delegated to hs.example.org' in message
    assert 'get no delegation (fall back to SRV _matrix-fed._tcp.example.org (a.example.org:8448))' in message


def test_address_outcome_pure():
    good = {'status': 200, 'json': {'m.server': 'hs.example.org'}, 'error': None, 'warnings': [], 'url': 'u'}
    assert address_outcome(good) == {'status': 200, 'm_server': 'hs.example.org', 'error': None}
    empty = dict(good, json={'m.homeserver': 'x'})
    assert address_outcome(empty) == {'status': 200, 'm_server': None, 'error': 'WELLKNOWN_NO_M_SERVER'}
    refused = dict(good, status=None, json=None, error={'code': 'WELLKNOWN_CONNECTION_REFUSED', 'message': 'm'})
    assert address_outcome(refused) == {'status': None, 'm_server': None, 'error': 'WELLKNOWN_CONNECTION_REFUSED'}
