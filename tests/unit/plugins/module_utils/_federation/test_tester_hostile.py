# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hostile servers: whole federation tests against real loopback DNS and TLS servers that answer badly on purpose.

Each trigger once gave a traceback (MODULE FAILURE, no report) or let the
remote side choose how many threads and connections a test opens; every run
here must end in a report with coded findings.
"""

import json
import os
import selectors
import shutil
import socket
import subprocess
import threading
import time

import dns.flags
import dns.message
import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import check_srv_records
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import make_clients
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    HOST_MAX_ADDRESSES,
    JSON_MAX_DEPTH,
    MAX_CONNECTIONS,
    SRV_MAX_RECORDS,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_test
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.hostile_certs import (
    duplicate_extension_certificate,
)
from ansible_collections.matrix.federation.tests.unit.servers.lab import (
    KEY_PATH, VERSION_PATH, WELL_KNOWN, DnsServer, HttpsSite, Reply, lab_prefix,
)
from ansible_collections.matrix.federation.tests.unit.servers.lab import TestCA as LabCA
from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module

ZONE = 'hostile.test'
FLOOD_RECORDS = 2000
FLOOD_ADDRESSES = 500


def _codes(entries):
    return set(entry['code'] for entry in entries)


def _deep_json(depth):
    return b'{"a":' * depth + b'1' + b'}' * depth


class TruncatingDnsServer(DnsServer):
    """The lab DNS server, but as a real one answers a query without EDNS: over 512 octets, TC set, retry over TCP."""

    def __init__(self):
        self.truncated = 0
        super().__init__()

    def _reply_udp(self, wire, peer):
        try:
            out = self.answer(wire)
            if len(out) > 512:
                response = dns.message.make_response(dns.message.from_wire(wire))
                response.flags |= dns.flags.TC
                out = response.to_wire()
                self.truncated += 1
            self.udp.sendto(out, peer)
        except Exception:  # pylint: disable=broad-except
            pass


class ConnectionCounter:
    """Listening TCP sockets on many loopback addresses, one port: counts accepted connections, closes each."""

    def __init__(self, addresses):
        self.accepted = 0
        self.selector = selectors.DefaultSelector()
        self.sockets = []
        self.port = None
        for address in addresses:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, self.port or 0))
            self.port = sock.getsockname()[1]
            sock.listen(64)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
            self.sockets.append(sock)
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            for key, dummy in self.selector.select(0.2):
                try:
                    conn, dummy = key.fileobj.accept()
                except OSError:
                    continue
                self.accepted += 1
                conn.close()

    def close(self):
        self._stop = True
        self.thread.join()
        for sock in self.sockets:
            sock.close()


class HostileLab:
    """DNS, TLS sites and counting listeners for the hostile scenarios."""

    def __init__(self, directory):
        self.directory = directory
        self.prefix = lab_prefix(251, 254)
        self._next = 0
        self.ca = LabCA(directory)
        self.dns = TruncatingDnsServer()
        self.nameservers = [self.dns.address]
        self.sites = []
        self.processes = []
        base = self.prefix.rsplit('.', 2)[0]
        third = int(self.prefix.split('.')[2])
        self.flood_addresses = ['%s.%d.%d' % (base, third + 1 + i // 250, i % 250 + 1) for i in range(FLOOD_ADDRESSES)]
        self.counter = ConnectionCounter(self.flood_addresses)

    def ip(self):
        self._next += 1
        return self.prefix + str(self._next)

    def host(self, name, address=None):
        address = address or self.ip()
        self.dns.add(name, 'A', address)
        return address

    def site(self, name, port, routes):
        ip = self.host(name)
        cert, key = self.ca.issue([name])
        self.sites.append(HttpsSite(ip, port, cert, key, routes))
        return ip

    def openssl_site(self, name, port, files):
        """``openssl s_server -WWW`` (it serves certificates Python's ssl refuses to load) with ``files`` as routes."""
        ip = self.host(name)
        leaf, key = duplicate_extension_certificate(self.ca, name)
        root = os.path.join(self.directory, 'www-' + name)
        for path, body in files.items():
            os.makedirs(os.path.dirname(root + path), exist_ok=True)
            with open(root + path, 'wb') as handle:
                handle.write(body)
        with open(root + '.crt', 'wb') as handle:
            handle.write(leaf.public_bytes(serialization.Encoding.PEM))
        with open(root + '.key', 'wb') as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        process = subprocess.Popen(['openssl', 's_server', '-quiet', '-WWW', '-accept', '%s:%d' % (ip, port),
                                    '-cert', root + '.crt', '-key', root + '.key'], cwd=root,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        for dummy in range(50):
            try:
                socket.create_connection((ip, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        return ip

    def run(self, server_name, timeout=5.0):
        self.counter.accepted = 0
        started = time.monotonic()
        report = run_federation_test(server_name, nameservers=self.nameservers, ca_path=self.ca.path, timeout=timeout)
        return report, time.monotonic() - started

    def close(self):
        for process in self.processes:
            process.terminate()
            process.wait()
        for site in self.sites:
            site.close()
        self.counter.close()
        self.dns.close()


@pytest.fixture(scope='module')
def hostile(tmp_path_factory):
    lab = HostileLab(str(tmp_path_factory.mktemp('hostile-lab')))
    yield lab
    lab.close()


def _assert_report(report):
    for entry in report['errors'] + report['federation_warnings']:
        assert set(entry) == {'code', 'message'} and entry['message']
    assert report['federation_ok'] is False or not report['errors']


# --------------------------------------------------------------------------- deep JSON

def test_deep_well_known_is_a_broken_delegation(hostile):
    name = 'deepwk.' + ZONE
    if name not in hostile.dns.records:
        hostile.site(name, 443, {WELL_KNOWN: Reply(body=_deep_json(5000))})
    report, dummy = hostile.run(name)
    _assert_report(report)
    assert report['resolution']['method'] == 'default'
    broken = [w for w in report['federation_warnings'] if w['code'] == 'WELLKNOWN_BROKEN']
    assert broken and 'WELLKNOWN_INVALID_JSON' in broken[0]['message'] and str(JSON_MAX_DEPTH) in broken[0]['message']


@pytest.mark.parametrize('depth', [JSON_MAX_DEPTH + 1, 1500, 10000])
def test_deep_key_and_version_responses_are_invalid_json(hostile, depth):
    name = 'deepkeys%d.%s' % (depth, ZONE)
    hostile.site(name, 8443, {KEY_PATH: Reply(body=_deep_json(depth)), VERSION_PATH: Reply(body=_deep_json(depth))})
    report, dummy = hostile.run(name + ':8443')
    _assert_report(report)
    assert 'KEYS_INVALID_JSON' in _codes(report['errors'])
    assert report['version'] == {'error': 'response has no "server" object'}
    (connection,) = report['connection_reports'].values()
    assert connection['keys'] is None


# --------------------------------------------------------------------------- names DNS cannot carry

# 245 octets: a valid server name whose SRV names (17 octets more) DNS cannot carry.
LONG_NAME = '.'.join(['a' * 63, 'b' * 63, 'c' * 63, 'd' * 40, ZONE])


def test_server_name_whose_srv_name_is_too_long(hostile):
    report, dummy = hostile.run(LONG_NAME)
    _assert_report(report)
    assert report['resolution']['method'] == 'srv' and report['resolution']['targets'] == []
    assert _codes(report['errors']) == {'SRV_NAME_INVALID'}
    assert '262 octets long' in report['errors'][0]['message']


def test_m_server_whose_srv_name_is_too_long(hostile):
    name = 'wklong.' + ZONE
    hostile.site(name, 443, {WELL_KNOWN: Reply(body={'m.server': LONG_NAME})})
    report, dummy = hostile.run(name)
    _assert_report(report)
    assert report['resolution']['method'] == 'well_known_srv'
    assert report['resolution']['delegated_hostname'] == LONG_NAME
    assert _codes(report['errors']) == {'SRV_NAME_INVALID'}


def test_m_server_over_the_dns_limit_is_ignored(hostile):
    name = 'wktoolong.' + ZONE
    hostile.site(name, 443, {WELL_KNOWN: Reply(body={'m.server': LONG_NAME + 'x' * 10})})
    report, dummy = hostile.run(name)
    _assert_report(report)
    assert report['resolution']['method'] == 'default'
    assert 'WELLKNOWN_INVALID_M_SERVER' in _codes(report['federation_warnings'])


# --------------------------------------------------------------------------- certificates

@pytest.mark.skipif(shutil.which('openssl') is None, reason='openssl s_server serves the certificate ssl refuses to load (make setup installs it)')
def test_certificate_with_duplicate_extensions_is_reported(hostile):
    name = 'dupext.' + ZONE
    server = name + ':8443'
    keys = b'{"server_name": "%s", "valid_until_ts": 1}' % server.encode()
    hostile.openssl_site(name, 8443, {KEY_PATH: keys, VERSION_PATH: b'{"server": {"name": "S", "version": "1"}}'})
    report, dummy = hostile.run(server)
    _assert_report(report)
    (connection,) = report['connection_reports'].values()
    assert connection['certificate_error']
    assert connection['checks']['valid_certificates'] is False
    assert 'CERT_UNPARSABLE' in _codes(report['errors'])
    message = [e['message'] for e in report['errors'] if e['code'] == 'CERT_UNPARSABLE'][0]
    assert 'Duplicate 2.5.29.17 extension' in message
    leaf = connection['certificates'][0]
    assert leaf['subject'] == 'CN=' + name and leaf['days_until_expiry'] > 0 and leaf['dns_names'] == []
    assert report['version'] == {'name': 'S', 'version': '1'}


# --------------------------------------------------------------------------- fan-out

def _flood_dns_queries(lab, since, suffix):
    return [query for query in lab.dns.queries[since:] if query[0].endswith(suffix)]


def test_thousands_of_srv_records_are_bounded(hostile):
    # Short targets outside the zone: SRV targets are never compressed, and the answer must fit 64 KiB.
    name, suffix = 'srvflood.' + ZONE, '.fl'
    if not hostile.dns.records.get('_matrix-fed._tcp.' + name):
        for index in range(FLOOD_RECORDS):
            target = 'x%d%s' % (index, suffix)
            record = '%d %d %d %s.' % (index % 5, index % 7, hostile.counter.port, target)
            hostile.dns.add('_matrix-fed._tcp.' + name, 'SRV', record)
            hostile.host(target, hostile.flood_addresses[index % FLOOD_ADDRESSES])
    truncated, queries = hostile.dns.truncated, len(hostile.dns.queries)
    report, elapsed = hostile.run(name)
    _assert_report(report)
    assert hostile.dns.truncated > truncated  # the answer came over TCP after a truncated UDP one
    targets = report['resolution']['targets']
    assert report['resolution']['method'] == 'srv' and len(targets) == SRV_MAX_RECORDS
    assert all(target['priority'] == 0 for target in targets)  # the first ones in RFC 2782 order
    (warning,) = [w for w in report['federation_warnings'] if w['code'] == 'SRV_TOO_MANY_RECORDS']
    assert '%d SRV records' % FLOOD_RECORDS in warning['message'] and 'first %d' % SRV_MAX_RECORDS in warning['message']
    assert len(_flood_dns_queries(hostile, queries, suffix)) <= 2 * SRV_MAX_RECORDS
    assert 0 < hostile.counter.accepted <= SRV_MAX_RECORDS
    assert len(report['dns_result']['srv']['_matrix-fed._tcp.' + name]['records']) == SRV_MAX_RECORDS
    assert elapsed < 10


def test_hundreds_of_addresses_are_bounded(hostile):
    host = 'manyaddr.' + ZONE
    if host not in hostile.dns.records:
        for address in hostile.flood_addresses:
            hostile.host(host, address)
    truncated = hostile.dns.truncated
    report, dummy = hostile.run('%s:%d' % (host, hostile.counter.port))
    _assert_report(report)
    assert hostile.dns.truncated > truncated
    (target,) = report['resolution']['targets']
    assert len(target['addresses']) == HOST_MAX_ADDRESSES
    assert 0 < hostile.counter.accepted <= HOST_MAX_ADDRESSES
    (warning,) = [w for w in report['federation_warnings'] if w['code'] == 'DNS_TOO_MANY_ADDRESSES']
    assert '%d addresses' % FLOOD_ADDRESSES in warning['message'] and '%d are tested' % HOST_MAX_ADDRESSES in warning['message']


def test_the_well_known_of_hundreds_of_addresses_is_bounded(hostile):
    host = 'manyaddr.' + ZONE
    if host not in hostile.dns.records:
        for address in hostile.flood_addresses:
            hostile.host(host, address)
    report, elapsed = hostile.run(host, timeout=3.0)
    _assert_report(report)
    assert len(report['well_known_result']['by_address']) == HOST_MAX_ADDRESSES
    (warning,) = [w for w in report['federation_warnings'] if w['code'] == 'DNS_TOO_MANY_ADDRESSES']
    assert '%d addresses' % FLOOD_ADDRESSES in warning['message']
    assert elapsed < 3.0 + 1.5


def test_connections_of_a_whole_test_are_bounded(hostile):
    name, suffix = 'srvwide.' + ZONE, '.wide.' + ZONE
    per_host = FLOOD_ADDRESSES // SRV_MAX_RECORDS
    if not hostile.dns.records.get('_matrix-fed._tcp.' + name):
        for index in range(SRV_MAX_RECORDS):
            target = 'w%d%s' % (index, suffix)
            hostile.dns.add('_matrix-fed._tcp.' + name, 'SRV', '10 0 %d %s.' % (hostile.counter.port, target))
            for address in hostile.flood_addresses[index * per_host:(index + 1) * per_host]:
                hostile.host(target, address)
    report, dummy = hostile.run(name)
    _assert_report(report)
    planned = sum(len(t['addresses']) for t in report['resolution']['targets'])
    assert planned == MAX_CONNECTIONS
    assert 0 < hostile.counter.accepted <= MAX_CONNECTIONS
    (warning,) = [w for w in report['federation_warnings'] if w['code'] == 'TOO_MANY_CONNECTIONS']
    assert '%d addresses' % (SRV_MAX_RECORDS * HOST_MAX_ADDRESSES) in warning['message']
    assert 'first %d' % MAX_CONNECTIONS in warning['message']
    assert sum(w['code'] == 'DNS_TOO_MANY_ADDRESSES' for w in report['federation_warnings']) == SRV_MAX_RECORDS


def test_srv_check_of_thousands_of_records_is_bounded(hostile):
    test_thousands_of_srv_records_are_bounded(hostile)  # makes the records
    name, suffix = 'srvflood.' + ZONE, '.fl'
    dns, dummy = make_clients(hostile.nameservers, hostile.ca.path, 5.0)
    queries = len(hostile.dns.queries)
    result = check_srv_records(name, dns)
    assert len(result['records']['_matrix-fed._tcp.' + name]) == SRV_MAX_RECORDS
    assert len(result['effective']) == SRV_MAX_RECORDS and result['errors'] == []
    assert _codes(result['federation_warnings']) == {'SRV_TOO_MANY_RECORDS'}
    assert len(_flood_dns_queries(hostile, queries, suffix)) <= 2 * SRV_MAX_RECORDS


# --------------------------------------------------------------------------- redirects

def test_well_known_redirect_the_client_cannot_follow(hostile):
    name = 'redirectipv6.' + ZONE
    hostile.site(name, 443, {WELL_KNOWN: Reply(302, b'', headers={'Location': 'https://[::1/x'})})
    report, dummy = hostile.run(name)
    _assert_report(report)
    assert report['resolution']['method'] == 'default'
    broken = [w for w in report['federation_warnings'] if w['code'] == 'WELLKNOWN_BROKEN']
    # Named since #19 (a Location that does not parse is INVALID_URL), no longer the catch-all FETCH_FAILED.
    assert broken and 'WELLKNOWN_INVALID_URL' in broken[0]['message'] and 'https://[::1/x' in broken[0]['message']


# --------------------------------------------------------------------------- the modules, as Ansible runs them

def test_the_modules_report_every_trigger_without_a_traceback(hostile, tmp_path):
    """``run_module`` fails on any traceback in the module's output; each trigger ends in a coded report."""
    test_deep_well_known_is_a_broken_delegation(hostile)
    test_thousands_of_srv_records_are_bounded(hostile)
    common = {'nameservers': hostile.nameservers, 'ca_path': hostile.ca.path, 'timeout': 3}
    for server_name, code in (('deepwk.' + ZONE, 'WELLKNOWN_BROKEN'), (LONG_NAME, 'SRV_NAME_INVALID'),
                              ('srvflood.' + ZONE, 'SRV_TOO_MANY_RECORDS'), (LONG_NAME + 'x' * 10, 'INVALID_SERVER_NAME')):
        result, dummy, dummy = run_module('matrix_federation_test', dict(common, server_name=server_name), tmp_path)
        assert code in _codes(result.get('errors', []) + result.get('federation_warnings', [])), result
    for domain, code in (('srvflood.' + ZONE, 'SRV_TOO_MANY_RECORDS'), (LONG_NAME, 'SRV_NAME_INVALID')):
        result, dummy, dummy = run_module('matrix_srv_check', {'domain': domain, 'nameservers': hostile.nameservers,
                                                               'timeout': 3}, tmp_path)
        assert code in _codes(result.get('errors', []) + result.get('federation_warnings', [])), result
    result, dummy, dummy = run_module('matrix_wellknown', dict(common, server_name='deepwk.' + ZONE, state='present',
                                                               server='hs.example.org:443'), tmp_path)
    assert result.get('failed') and 'deeper than %d levels' % JSON_MAX_DEPTH in json.dumps(result), result
