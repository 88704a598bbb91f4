# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The federation test of one server and of a batch: every resolution row and every check against the real loopback lab."""

import copy
import json
import socket
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import make_clients
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_batch, run_federation_test, run_federation_tests, summarize

LABELS = [
    'ip_literal_v4', 'ip_literal_v6', 'explicit', 'closing', 'wkip', 'wkport', 'wksrv', 'wklegacy', 'wkdefault', 'srv',
    'srvlegacy', 'default', 'wkhtml', 'wkbadjson', 'wkhuge', 'wknomserver', 'wkinvalid', 'wkredirect', 'wkloop',
    'wkchain', 'wkbadcert', 'wkslow', 'wrongname', 'expired', 'expiring', 'badsig', 'nokey', 'shortkey',
    'certexpired', 'certexpiring', 'untrusted', 'certwrongname', 'certsrv', 'keys404', 'keysbadjson', 'keyshuge',
    'keysslow', 'noversion', 'unreachable', 'nxdomain', 'nxdomain_default', 'servfail', 'slowdns', 'srvdot',
    'srvcname', 'srvtwo', 'dual', 'v4only', 'wkdiffer', 'wkv6', 'wksrvignored', 'wk403', 'wk503', 'wkcachelong',
    'wknostore', 'wkmaxage', 'wkexpires', 'mediahtml', 'mediaempty', 'mediaunrecognized', 'invalid0', 'invalid1',
    'invalid2', 'invalid3', 'invalid4', 'invalid5',
]
IPV6_LABELS = ('ip_literal_v6', 'dual', 'v4only', 'wkv6')
# ``timeout`` is each server's whole deadline: a run ends by then, plus this much for threads and the report.
SLACK = 1.5


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
    assert elapsed < want['timeout'] + SLACK
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
    assert time.monotonic() - started < 1.0 + SLACK
    assert report['well_known_result']['error']['code'] == 'WELLKNOWN_HTTP_TIMEOUT'


def test_untrusted_without_ca_path_is_reported(federation_lab):
    report = run_federation_test(federation_lab.labels['explicit'], nameservers=federation_lab.nameservers, timeout=5)
    assert _codes(report['errors']) == {'CERT_UNTRUSTED'}


def test_invalid_ca_path(tmp_path):
    with pytest.raises(FederationError) as exc:
        run_federation_test('example.org', ca_path=str(tmp_path / 'missing.pem'), nameservers=['127.0.0.1:9'], timeout=1)
    assert exc.value.code == 'INVALID_CA_PATH'


def comparable(report):
    """A report without what depends on when it ran (duration, the HTTP Date header)."""
    report = copy.deepcopy(report)
    report.pop('duration_ms', None)
    well_known = report.get('well_known_result') or {}
    (well_known.get('headers') or {}).pop('date', None)
    (well_known.get('headers') or {}).pop('expires', None)
    return report


def _lab_kwargs(lab, timeout):
    return dict(nameservers=lab.nameservers, ca_path=lab.ca_path, timeout=timeout)


@pytest.fixture
def tarpit():
    """A TCP listener that never accepts: connects succeed, TLS never starts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    sock.listen(64)
    yield '127.0.0.1:%d' % sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize('timeout', [5.0, 1.5])
def test_batch_equals_one_at_a_time(federation_lab, timeout):
    names = [name for name, want in federation_lab.expect.items() if want['timeout'] == timeout]
    assert len(names) > 2
    now = time.time()
    kwargs = _lab_kwargs(federation_lab, timeout)
    batch = run_federation_tests(names, concurrency=16, now=now, **kwargs)
    assert list(batch['reports']) == names
    for name in names:
        single = run_federation_test(name, now=now, **kwargs)
        assert comparable(batch['reports'][name]) == comparable(single), name
        want = federation_lab.expect[name]
        assert batch['reports'][name]['resolution']['method'] == want['method']
        assert batch['reports'][name]['federation_ok'] is want['ok']
    assert batch['federation_ok'] is all(federation_lab.expect[n]['ok'] for n in names)
    assert batch['summary']['total'] == len(names)
    assert batch['summary']['by_result']['ok'] == sum(1 for n in names if federation_lab.expect[n]['ok'])


def test_hostile_servers_do_not_stall_or_fail_the_others(federation_lab, tarpit):
    labels = federation_lab.labels
    good = [labels[label] for label in ('explicit', 'closing', 'wksrv', 'srv', 'srvtwo', 'default', 'ip_literal_v4',
                                        'wkredirect', 'srvlegacy')]
    hostile = [labels[label] for label in ('keysslow', 'keyshuge', 'wkslow', 'wkloop', 'wkchain', 'unreachable',
                                           'slowdns', 'nxdomain', 'servfail', 'invalid0')] + [tarpit]
    timeout = 1.5
    now = time.time()
    started = time.monotonic()
    batch = run_federation_tests(hostile + good, concurrency=len(hostile + good), now=now,
                                 **_lab_kwargs(federation_lab, timeout))
    elapsed = time.monotonic() - started
    # Every server has its own deadline; all of them run at once here.
    assert elapsed < timeout + SLACK
    for name in good:
        report = batch['reports'][name]
        assert report['federation_ok'], (name, report['errors'])
        assert comparable(report) == comparable(run_federation_test(name, now=now, **_lab_kwargs(federation_lab, 5.0))), name
    codes = dict((name, set(e['code'] for e in batch['reports'][name]['errors'])) for name in hostile)
    assert codes[labels['keysslow']] == {'KEYS_TIMEOUT'}
    assert codes[labels['keyshuge']] == {'KEYS_TOO_LARGE'}
    assert codes[labels['unreachable']] == {'CONNECTION_REFUSED'}
    assert codes[labels['slowdns']] == {'DNS_TIMEOUT'}
    assert codes[tarpit] == {'TLS_TIMEOUT'}
    assert codes[labels['invalid0']] == {'INVALID_SERVER_NAME'}
    assert batch['federation_ok'] is False
    summary = batch['summary']
    # wkloop, wkchain and wkslow fall through to port 8448 with a warning.
    assert summary['by_result'] == {'ok': len(good) + 3, 'failed': len(hostile) - 3}
    assert summary['by_error_code']['KEYS_TIMEOUT'] == 1 and summary['by_error_code']['TLS_TIMEOUT'] == 1
    assert summary['by_warning_code']['WELLKNOWN_BROKEN'] >= 3


def test_small_concurrency_still_bounds_each_server(federation_lab):
    labels = federation_lab.labels
    names = [labels['keysslow'], labels['wkslow'], labels['explicit'], labels['srv']]
    started = time.monotonic()
    batch = run_federation_tests(names, concurrency=2, **_lab_kwargs(federation_lab, 1.0))
    # Two rounds of at most one deadline each.
    assert time.monotonic() - started < 2 * 1.0 + SLACK
    assert batch['reports'][labels['explicit']]['federation_ok'] and batch['reports'][labels['srv']]['federation_ok']
    assert not batch['reports'][labels['keysslow']]['federation_ok']


def test_an_exception_is_contained_to_its_server():
    def test(name):
        if name == 'boom':
            raise ValueError('kaputt')
        return {'server_name': name, 'federation_ok': True, 'errors': [], 'federation_warnings': [],
                'resolution': {'method': 'default'}}
    reports = run_batch(['a', 'boom', 'b', 'a'], test, concurrency=3)
    assert list(reports) == ['a', 'boom', 'b']
    assert reports['a']['federation_ok'] and reports['b']['federation_ok']
    assert reports['boom']['federation_ok'] is False
    assert [e['code'] for e in reports['boom']['errors']] == ['INTERNAL_ERROR']
    assert 'kaputt' in reports['boom']['errors'][0]['message']
    assert summarize(reports)['by_error_code'] == {'INTERNAL_ERROR': 1}
    assert summarize(reports)['by_result'] == {'ok': 2, 'failed': 1}


def test_batch_resolves_each_host_once(federation_lab):
    before = len(federation_lab.dns.queries)
    names = ['explicit.lab.test:8443', 'explicit.lab.test:8444', 'explicit.lab.test:8445']
    batch = run_federation_tests(names, concurrency=3, **_lab_kwargs(federation_lab, 5.0))
    asked = federation_lab.dns.queries[before:]
    assert sorted(q for q in asked if q[0] == 'explicit.lab.test') == [('explicit.lab.test', 'A'),
                                                                       ('explicit.lab.test', 'AAAA')]
    assert batch['reports'][names[0]]['federation_ok']
    for name in names[1:]:
        assert set(e['code'] for e in batch['reports'][name]['errors']) == {'CONNECTION_REFUSED'}
        assert batch['reports'][name]['resolution']['targets'][0]['addresses'] == \
            batch['reports'][names[0]]['resolution']['targets'][0]['addresses']


def test_keys_version_and_media_share_one_connection(federation_lab):
    for label, connections in (('explicit', 1), ('closing', 3)):
        name = federation_lab.labels[label]
        site = federation_lab.sites_by_name[name][0]
        before_conns, before_reqs = site.connections, len(site.requests)
        report = run_federation_test(name, **_lab_kwargs(federation_lab, 5.0))
        assert report['federation_ok'] and report['version'] == {'name': 'LabServer', 'version': '1.0'}
        assert site.connections - before_conns == connections, label
        paths = sorted(r['path'] for r in site.requests[before_reqs:])
        assert paths[1:] == ['/_matrix/federation/v1/version', '/_matrix/key/v2/server'], label
        assert paths[0].startswith('/_matrix/federation/v1/media/download/'), label
        assert [conn['media'] for conn in report['connection_reports'].values()] == [
            {'status': 401, 'errcode': 'M_UNAUTHORIZED', 'verdict': 'homeserver'}], label


def test_bad_settings_fail_before_the_batch(tmp_path):
    with pytest.raises(FederationError) as exc:
        run_federation_tests(['a.example', 'b.example'], nameservers=['nope'])
    assert exc.value.code == 'INVALID_NAMESERVER'
    with pytest.raises(FederationError) as exc:
        make_clients(['127.0.0.1:9'], str(tmp_path / 'missing.pem'), 1)
    assert exc.value.code == 'INVALID_CA_PATH'


def test_empty_batch():
    result = run_federation_tests([], nameservers=['127.0.0.1:9'], timeout=1)
    assert result['reports'] == {} and result['federation_ok'] is False
    assert result['summary']['total'] == 0


@pytest.fixture
def no_pipelining(federation_lab):
    """A TLS server answering only the first request of each connection, then staying silent (no pipelining)."""
    import ssl
    import threading
    from ansible_collections.matrix.federation.tests.unit.servers.lab import SigningIdentity, key_response

    ip = '127.0.0.1'
    cert, key = federation_lab.ca.issue([ip])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((ip, 0))
    listener.listen(16)
    name = '%s:%d' % (ip, listener.getsockname()[1])
    identity = SigningIdentity()
    bodies = {'/_matrix/key/v2/server': key_response(name, identity),
              '/_matrix/federation/v1/version': {'server': {'name': 'Silent', 'version': '2'}}}
    connections = []

    def serve(conn):
        try:
            tls = context.wrap_socket(conn, server_side=True)
            data = b''
            while b'\r\n\r\n' not in data:
                data += tls.recv(4096)
            path = data.split(b' ')[1].decode()
            body = json.dumps(bodies[path]).encode()
            tls.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s'
                        % (len(body), body))
            time.sleep(8)  # the pipelined request is never answered
            tls.close()
        except (OSError, ssl.SSLError, KeyError):
            pass

    def accept():
        while True:
            try:
                conn, dummy = listener.accept()
            except OSError:
                return
            connections.append(conn)
            thread = threading.Thread(target=serve, args=(conn,))
            thread.daemon = True
            thread.start()
    thread = threading.Thread(target=accept)
    thread.daemon = True
    thread.start()
    yield name, identity, connections
    listener.close()


def test_server_without_pipelining_still_gives_the_version(federation_lab, no_pipelining):
    name, identity, connections = no_pipelining
    started = time.monotonic()
    report = run_federation_test(name, nameservers=federation_lab.nameservers, ca_path=federation_lab.ca_path,
                                 timeout=1.0)
    assert time.monotonic() - started < 1.0 + SLACK
    assert report['federation_ok'], report['errors']
    assert report['version'] == {'name': 'Silent', 'version': '2'}
    assert list(report['connection_reports'].values())[0]['verify_keys'] == {identity.key_id: identity.public}
    assert len(connections) == 2


@pytest.mark.parametrize('label, media', [
    ('explicit', {'status': 401, 'errcode': 'M_UNAUTHORIZED', 'verdict': 'homeserver'}),
    ('mediahtml', {'status': 404, 'errcode': None, 'verdict': 'not_homeserver'}),
    ('mediaempty', {'status': 502, 'errcode': None, 'verdict': 'not_homeserver'}),
    ('mediaunrecognized', {'status': 404, 'errcode': 'M_UNRECOGNIZED', 'verdict': 'unsupported'}),
])
def test_media_route_on_every_connection(federation_lab, label, media):
    report = run_federation_test(federation_lab.labels[label], **_lab_kwargs(federation_lab, 5.0))
    assert [conn['media'] for conn in report['connection_reports'].values()] == [media]
    assert report['federation_ok']


def test_families_of_lab_servers(federation_lab):
    kwargs = _lab_kwargs(federation_lab, 5.0)
    report = run_federation_test(federation_lab.labels['wkport'], **kwargs)
    assert report['families']['IPv4']['ok'] is True
    assert report['families']['IPv6'] == {'ok': False, 'reason': (
        'no AAAA record for wkport.lab.test, so IPv6-only peers cannot fetch the well-known: IPv6-only peers get no '
        'delegation to hs-wkport.lab.test:8443 and fall back to SRV or port 8448 of wkport.lab.test')}
    if 'wkv6' in federation_lab.labels:
        report = run_federation_test(federation_lab.labels['wkv6'], **kwargs)
        assert report['families']['IPv4']['ok'] and not report['families']['IPv6']['ok']
        (message,) = [w['message'] for w in report['federation_warnings'] if w['code'] == 'IP_FAMILY_PARTIAL']
        assert 'no IPv6 address of wkv6.lab.test serves the well-known (::1: WELLKNOWN_CONNECTION_REFUSED)' in message
        assert 'IPv6-only peers get no delegation to hs-wkv6.lab.test:8443' in message
    if 'dual' in federation_lab.labels:
        report = run_federation_test(federation_lab.labels['dual'], **kwargs)
        assert report['families']['IPv4']['ok'] and report['families']['IPv6']['ok']
