# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every resolution row and every check against the real loopback lab."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.checks import (
    run_federation_test,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import DEADLINE_STEPS, Deadline

LABELS = [
    'ip_literal_v4', 'ip_literal_v6', 'explicit', 'closing', 'wkip', 'wkport', 'wksrv', 'wklegacy', 'wkdefault', 'srv',
    'srvlegacy', 'default', 'wkhtml', 'wkbadjson', 'wkhuge', 'wknomserver', 'wkinvalid', 'wkredirect', 'wkloop',
    'wkchain', 'wkbadcert', 'wkslow', 'wrongname', 'expired', 'expiring', 'badsig', 'nokey', 'shortkey',
    'certexpired', 'certexpiring', 'untrusted', 'certwrongname', 'certsrv', 'keys404', 'keysbadjson', 'keyshuge',
    'keysslow', 'noversion', 'unreachable', 'nxdomain', 'nxdomain_default', 'servfail', 'slowdns', 'srvdot',
    'srvcname', 'srvtwo', 'dual', 'v4only', 'invalid0', 'invalid1', 'invalid2', 'invalid3', 'invalid4', 'invalid5',
]
IPV6_LABELS = ('ip_literal_v6', 'dual', 'v4only')


def _codes(entries):
    return set(entry['code'] for entry in entries)


def test_every_lab_scenario_is_tested(federation_lab):
    expected = set(LABELS) if federation_lab.ipv6 else set(LABELS) - set(IPV6_LABELS)
    assert set(federation_lab.labels) == expected


@pytest.mark.parametrize('label', LABELS)
def test_scenario(federation_lab, label):
    if label not in federation_lab.labels:
        pytest.skip('no IPv6 loopback on this machine')
    server_name = federation_lab.labels[label]
    want = federation_lab.expect[server_name]
    started = time.monotonic()
    report = run_federation_test(server_name, nameservers=federation_lab.nameservers,
                                 ca_path=federation_lab.ca_path, timeout=want['timeout'])
    elapsed = time.monotonic() - started
    resolution = report['resolution']
    assert resolution['method'] == want['method']
    assert resolution['host_header'] == want['host_header']
    assert resolution['sni'] == want['sni']
    assert resolution['delegated_hostname'] == want['delegated']
    assert [(t['host'], t['port']) for t in resolution['targets']] == want['targets']
    assert _codes(report['errors']) == want['errors'], report['errors']
    assert _codes(report['federation_warnings']) == want['warnings'], report['federation_warnings']
    assert report['federation_ok'] is want['ok']
    assert elapsed < DEADLINE_STEPS * want['timeout'] + 1
    assert 0 <= report['duration_ms'] <= elapsed * 1000 + 50
    for entry in report['errors'] + report['federation_warnings']:
        assert set(entry) == {'code', 'message'} and entry['message']
    if want['ok']:
        for key, conn in report['connection_reports'].items():
            assert conn['checks']['all_checks_ok'], key
            assert conn['tls']['version'].startswith('TLS')
            assert conn['verify_keys'] == {
                federation_lab.identities[server_name].key_id: federation_lab.identities[server_name].public}
        assert report['version'] == {'name': 'LabServer', 'version': '1.0'}
        addresses = sum((t['addresses'] for t in resolution['targets']), [])
        assert len(report['connection_reports']) + len(report['connection_errors']) == len(addresses)
    # What the servers saw: the right SNI (none for IP literals) and Host header.
    for site in federation_lab.sites_by_name.get(server_name, []):
        for request in site.requests:
            assert request['host'] == want['host_header']
            assert request['sni'] == want['sni']


def test_srv_delegation_cert_message_names_the_problem(federation_lab):
    report = run_federation_test(federation_lab.labels['certsrv'], nameservers=federation_lab.nameservers,
                                 ca_path=federation_lab.ca_path, timeout=5)
    message = [e['message'] for e in report['errors'] if e['code'] == 'CERT_NAME_MISMATCH'][0]
    assert 'SRV delegation needs a certificate for the server name (certsrv.lab.test)' in message
    conn = list(report['connection_reports'].values())[0]
    # The keys were still fetched and checked despite the certificate.
    assert conn['checks']['all_ed25519_checks_ok'] and not conn['checks']['valid_certificates']


def test_expected_keys_drift(federation_lab):
    name = federation_lab.labels['explicit']
    identity = federation_lab.identities[name]
    kwargs = dict(nameservers=federation_lab.nameservers, ca_path=federation_lab.ca_path, timeout=5)
    same = run_federation_test(name, expected_keys={identity.key_id: identity.public}, **kwargs)
    assert same['federation_ok'] and not same['errors']
    other = run_federation_test(name, expected_keys={'ed25519:old': identity.public}, **kwargs)
    assert _codes(other['errors']) == {'KEYS_EXPECTED_MISSING', 'KEYS_UNEXPECTED'}
    changed = run_federation_test(name, expected_keys={identity.key_id: 'A' * 43}, **kwargs)
    assert _codes(changed['errors']) == {'KEYS_EXPECTED_MISMATCH'}
    assert not changed['federation_ok']


def test_whole_run_bounded_by_deadline(federation_lab):
    # Slow well-known and slow keys at once: still within the overall deadline.
    started = time.monotonic()
    report = run_federation_test(federation_lab.labels['wkslow'], nameservers=federation_lab.nameservers,
                                 ca_path=federation_lab.ca_path, timeout=1.0)
    assert time.monotonic() - started < DEADLINE_STEPS * 1.0 + 1
    assert report['well_known_result']['error']['code'] == 'WELLKNOWN_HTTP_TIMEOUT'


def test_untrusted_without_ca_path_is_reported(federation_lab):
    report = run_federation_test(federation_lab.labels['explicit'], nameservers=federation_lab.nameservers, timeout=5)
    assert _codes(report['errors']) == {'CERT_UNTRUSTED'}


def test_dns_client_resolves_each_host_once(federation_lab):
    dns = DnsClient(federation_lab.nameservers, 5)
    before = len([q for q in federation_lab.dns.queries if q[0] == 'dual.lab.test'])
    first = dns.resolve_host('dual.lab.test')
    second = dns.resolve_host('DUAL.lab.test.')
    assert first is second
    asked = [q for q in federation_lab.dns.queries if q[0] == 'dual.lab.test'][before:]
    assert sorted(asked) == [('dual.lab.test', 'A'), ('dual.lab.test', 'AAAA')] or not federation_lab.ipv6


def test_dns_client_errors(federation_lab):
    dns = DnsClient(federation_lab.nameservers, 1.0)
    with pytest.raises(FederationError) as exc:
        dns.lookup_srv('_matrix-fed._tcp.servfail.lab.test')
    assert exc.value.code == 'DNS_SERVFAIL'
    assert dns.lookup_srv('_matrix-fed._tcp.nxdomain.lab.test') == []
    assert dns.lookup_srv('_matrix-fed._tcp.srvdot.lab.test') == [{'priority': 0, 'weight': 0, 'port': 0, 'target': '.'}]
    records, chain = dns.query('alias-srvcname.lab.test', 'A')
    assert chain == ['alias-srvcname.lab.test'] and len(records) == 1
    with pytest.raises(FederationError) as exc:
        dns.resolve_host('slowdns.lab.test') and dns.query('slowdns.lab.test', 'A')
    assert exc.value.code == 'DNS_TIMEOUT'
    # Nothing listens on this port: every query times out, within the deadline.
    dead = DnsClient(['127.0.0.1:9'], 0.3, Deadline(0.5))
    started = time.monotonic()
    assert dead.resolve_host('explicit.lab.test')['error']['code'] in ('DNS_TIMEOUT', 'DNS_ERROR', 'TIMEOUT')
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize('bad', ['nonsense', '1.2.3.4:0', '1.2.3.4:x', '[::1', '::1]:53', '127.0.0.1:99999'])
def test_invalid_nameservers(bad):
    with pytest.raises(FederationError) as exc:
        DnsClient([bad])
    assert exc.value.code == 'INVALID_NAMESERVER'


def test_nameserver_forms():
    client = DnsClient(['127.0.0.1', '127.0.0.2:5353', '[::1]:54', '::1'])
    assert client.nameservers == [('127.0.0.1', 53), ('127.0.0.2', 5353), ('::1', 54), ('::1', 53)]


def test_invalid_ca_path(tmp_path):
    with pytest.raises(FederationError) as exc:
        run_federation_test('example.org', ca_path=str(tmp_path / 'missing.pem'), nameservers=['127.0.0.1:9'], timeout=1)
    assert exc.value.code == 'INVALID_CA_PATH'


def test_addresses_come_back_in_one_order_whatever_dns_rotates(federation_lab):
    # DNS servers rotate A/AAAA answers (round robin); reports must not change with it.
    federation_lab.dns.add('rotating.lab.test', 'A', '127.0.0.10', '127.0.0.9', '127.0.0.3')
    federation_lab.dns.add('rotating.lab.test', 'AAAA', 'fd00::2', 'fd00::1')
    dns = DnsClient(federation_lab.nameservers, 5)
    first = dns.resolve_host('rotating.lab.test')
    federation_lab.dns.records['rotating.lab.test']['A'].reverse()
    federation_lab.dns.records['rotating.lab.test']['AAAA'].reverse()
    second = DnsClient(federation_lab.nameservers, 5).resolve_host('rotating.lab.test')
    assert first['ipv4'] == second['ipv4'] == ['127.0.0.3', '127.0.0.9', '127.0.0.10']
    assert first['ipv6'] == second['ipv6'] == ['fd00::1', 'fd00::2']
    assert first['addresses'] == second['addresses'] == ['127.0.0.3', '127.0.0.9', '127.0.0.10', 'fd00::1', 'fd00::2']
