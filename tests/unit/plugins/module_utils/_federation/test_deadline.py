# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One deadline for every byte: hostile loopback servers (real sockets, real TLS, real DNS) never outlast ``timeout``.

Each server here misbehaves in one way: it trickles one byte just before
each socket timeout, stalls the TLS handshake, sends an endless body, chains
slow redirects, or, for DNS, never answers or truncates and then hangs on
TCP. With ``timeout: T`` every call must end by ``T + SLACK`` with a coded
error, never an exception.
"""

import socket
import ssl
import struct
import threading
import time

import dns.flags
import dns.message
import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.deadline import Deadline
from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import PHASES
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_test, run_federation_tests
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_fetch import fetch_well_known

T = 1.5
SLACK = 1.5
# Just under the longest single wait the client allows (a third of T): each byte resets a naive socket timeout.
GAP = T / PHASES - 0.1
# A hostile server gives up after this long, so a client that fails the test does not hang the suite.
GIVE_UP = 12.0


class HostileServer:
    """A TCP listener on 127.0.0.1 running ``behaviour(conn, server)`` in a thread per connection."""

    def __init__(self, behaviour, context=None, ip='127.0.0.1', port=0):
        self.behaviour, self.context = behaviour, context
        self.stop = threading.Event()
        self.connections = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((ip, port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.name = '%s:%d' % (ip, self.port)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, dummy = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(GIVE_UP)
            self.behaviour(conn, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def tls(self, conn):
        """The server side of a real TLS handshake, then the request head."""
        tls = self.context.wrap_socket(conn, server_side=True)
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = tls.recv(4096)
            if not chunk:
                break
            data += chunk
        return tls, data

    def hold(self):
        self.stop.wait(GIVE_UP)

    def trickle(self, sock, data, gap=GAP):
        """Send ``data`` one byte at a time, ``gap`` seconds apart (for at most :data:`GIVE_UP` seconds)."""
        started = time.monotonic()
        for index in range(len(data)):
            if self.stop.wait(gap) or time.monotonic() - started > GIVE_UP:
                return
            sock.sendall(data[index:index + 1])

    def close(self):
        self.stop.set()
        self.listener.close()


@pytest.fixture
def hostile(federation_lab):
    """``hostile(behaviour, ip=, port=)`` starts a :class:`HostileServer`, certificate from the lab CA.

    The certificate covers 127.0.0.1 and ``*.lab.test``.
    """
    cert, key = federation_lab.ca.issue(['127.0.0.1', '*.lab.test'])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    servers = []

    def start(behaviour, **where):
        servers.append(HostileServer(behaviour, context, **where))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


def _client(lab, timeout=T):
    return HttpsClient(DnsClient(lab.nameservers, timeout), lab.ca_path, timeout)


def _request(client, server, path='/_matrix/key/v2/server', max_bytes=512 * 1024):
    started = time.monotonic()
    with pytest.raises(FederationError) as exc:
        client.request('127.0.0.1', server.port, path, server.name, max_bytes=max_bytes)
    return exc.value, time.monotonic() - started


HEAD = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: ' + b'p' * 40 + b'\r\n'


# What the server sends at once, then what it trickles one byte at a time just under each socket timeout.
TRICKLED = {
    'headers': (b'', HEAD * 20),
    'body': (HEAD + b'Content-Length: 1000\r\n\r\n{', b' ' * 999),
    'chunked body': (HEAD + b'Transfer-Encoding: chunked\r\n\r\n', b'1\r\n \r\n' * 200),
}


@pytest.mark.parametrize('part', sorted(TRICKLED))
def test_trickled_answer_ends_at_the_deadline(federation_lab, hostile, part):
    sent, trickled = TRICKLED[part]

    def behaviour(conn, server):
        tls, dummy = server.tls(conn)
        if sent:
            tls.sendall(sent)
        server.trickle(tls, trickled)
    server = hostile(behaviour)
    exc, elapsed = _request(_client(federation_lab), server)
    assert elapsed < T + SLACK
    assert exc.code == 'HTTP_TIMEOUT'


def test_endless_fast_body_stops_at_the_size_cap(federation_lab, hostile):
    def behaviour(conn, server):
        tls, dummy = server.tls(conn)
        tls.sendall(HEAD + b'\r\n')
        while not server.stop.is_set():
            tls.sendall(b'x' * 65536)
    server = hostile(behaviour)
    exc, elapsed = _request(_client(federation_lab), server, max_bytes=256 * 1024)
    assert elapsed < T + SLACK
    assert exc.code == 'RESPONSE_TOO_LARGE'


def test_stalled_tls_handshake_is_a_tls_timeout(federation_lab, hostile):
    # TCP accepted, no ServerHello ever.
    server = hostile(lambda conn, server: server.hold())
    exc, elapsed = _request(_client(federation_lab), server)
    assert elapsed < T + SLACK
    assert exc.code == 'TLS_TIMEOUT'


def test_trickled_tls_handshake_ends_at_the_deadline(federation_lab, hostile):
    # A relay in front of a real TLS server that passes the server's bytes on one at a time.
    backend = hostile(lambda conn, server: server.tls(conn) and server.hold())

    def relay(conn, server):
        upstream = socket.create_connection(('127.0.0.1', backend.port), timeout=GIVE_UP)
        hello = conn.recv(65536)
        upstream.sendall(hello)
        server.trickle(conn, upstream.recv(65536))
    server = hostile(relay)
    exc, elapsed = _request(_client(federation_lab), server)
    assert elapsed < T + SLACK
    assert exc.code in ('TLS_TIMEOUT', 'HTTP_TIMEOUT')


def test_pipelined_second_answer_trickled_still_ends_at_the_deadline(federation_lab, hostile):
    body = b'{}'

    def behaviour(conn, server):
        tls, dummy = server.tls(conn)
        tls.sendall(HEAD + b'Content-Length: 2\r\n\r\n' + body)
        server.trickle(tls, HEAD * 20)
    server = hostile(behaviour)
    client = _client(federation_lab)
    started = time.monotonic()
    answers = client.request_many('127.0.0.1', server.port, [('/a', 100), ('/b', 100)], server.name)
    assert time.monotonic() - started < T + SLACK
    assert answers[0].body == body
    assert isinstance(answers[1], FederationError) and answers[1].code == 'HTTP_TIMEOUT'


def _redirects(delay, hops=20):
    def behaviour(conn, server):
        tls, head = server.tls(conn)
        last = head.split(b' ')[1].rsplit(b'/', 1)[-1]
        hop = int(last) if last.isdigit() else 0
        if server.stop.wait(delay):
            return
        tls.sendall(b'HTTP/1.1 302 Found\r\nLocation: /r/%d\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
                    % ((hop + 1) % hops))
    return behaviour


def test_redirect_chain_of_slow_hops_shares_one_deadline(federation_lab, hostile):
    server = hostile(_redirects(GAP))
    client = _client(federation_lab)
    started = time.monotonic()
    with pytest.raises(FederationError) as exc:
        client.get_url('https://%s/r/0' % server.name, max_bytes=1024, budget=T)
    assert time.monotonic() - started < T + SLACK
    assert exc.value.code in ('TIMEOUT', 'HTTP_TIMEOUT')
    assert server.connections >= 2


@pytest.mark.parametrize('location', ['https://[zz]/', 'https://127.0.0.1:99999/', 'https://127.0.0.1:x/',
                                      'ftp://127.0.0.1/', 'https:///nohost', 'https://exa mple.org/'])
def test_unparsable_redirect_is_a_coded_error(federation_lab, hostile, location):
    def behaviour(conn, server):
        tls, dummy = server.tls(conn)
        tls.sendall(b'HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n' % location.encode())
    server = hostile(behaviour)
    result = fetch_well_known(server.name, _client(federation_lab))
    assert result['error']['code'] == 'WELLKNOWN_INVALID_URL', result['error']
    assert location in result['error']['message']


# --------------------------------------------------------------------------- DNS

class HostileDns:
    """UDP and TCP on one 127.0.0.1 port: ``udp(wire)`` returns a reply or ``None``; ``tcp(conn)`` does anything."""

    def __init__(self, udp, tcp=None):
        self.stop = threading.Event()
        self.udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp_socket.bind(('127.0.0.1', 0))
        self.port = self.udp_socket.getsockname()[1]
        self.tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp_socket.bind(('127.0.0.1', self.port))
        self.tcp_socket.listen(16)
        self.udp, self.tcp = udp, tcp
        self.address = '127.0.0.1:%d' % self.port
        threading.Thread(target=self._udp, daemon=True).start()
        threading.Thread(target=self._tcp, daemon=True).start()

    def _udp(self):
        while True:
            try:
                wire, peer = self.udp_socket.recvfrom(4096)
                reply = self.udp(wire)
                if reply:
                    self.udp_socket.sendto(reply, peer)
            except OSError:
                return

    def _tcp(self):
        while True:
            try:
                conn, dummy = self.tcp_socket.accept()
            except OSError:
                return
            threading.Thread(target=self._tcp_one, args=(conn,), daemon=True).start()

    def _tcp_one(self, conn):
        try:
            if self.tcp:
                self.tcp(conn, self)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.udp_socket.close()
        self.tcp_socket.close()


def _truncated(wire):
    response = dns.message.make_response(dns.message.from_wire(wire))
    response.flags |= dns.flags.TC
    return response.to_wire()


def _tcp_hangs(conn, server):
    server.stop.wait(GIVE_UP)


def _tcp_trickles(conn, server):
    wire = conn.recv(65535)[2:]
    answer = dns.message.make_response(dns.message.from_wire(wire)).to_wire()
    for byte in struct.pack('!H', len(answer)) + answer:
        if server.stop.wait(GAP):
            return
        conn.sendall(bytes([byte]))


@pytest.fixture
def hostile_dns():
    servers = []

    def start(udp, tcp=None):
        servers.append(HostileDns(udp, tcp))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


@pytest.mark.parametrize('udp,tcp', [(lambda wire: None, None), (_truncated, _tcp_hangs), (_truncated, _tcp_trickles)],
                         ids=['udp-silent', 'truncated-then-tcp-hangs', 'truncated-then-tcp-trickles'])
def test_dns_never_outlasts_the_deadline(hostile_dns, udp, tcp):
    server = hostile_dns(udp, tcp)
    # Three nameservers, all the same hostile one: the run's deadline, not the sum of the steps.
    client = DnsClient([server.address] * 3, T)
    started = time.monotonic()
    result = client.resolve_host('stalled.example')
    assert time.monotonic() - started < T + SLACK
    assert 'TIMEOUT' in result['error']['code'], result['error']
    started = time.monotonic()
    with pytest.raises(FederationError) as exc:
        client.lookup_srv('_matrix-fed._tcp.stalled.example')
    assert time.monotonic() - started < 0.2  # the deadline has passed: no new exchange starts
    assert 'TIMEOUT' in exc.value.code


# --------------------------------------------------------------------------- whole tests, single and batch

def _trickled_keys(conn, server):
    tls, dummy = server.tls(conn)
    server.trickle(tls, HEAD * 20)


def test_one_server_test_ends_by_the_timeout(federation_lab, hostile):
    server = hostile(_trickled_keys)
    started = time.monotonic()
    report = run_federation_test(server.name, nameservers=federation_lab.nameservers, ca_path=federation_lab.ca_path,
                                 timeout=T)
    assert time.monotonic() - started < T + SLACK
    assert any('TIMEOUT' in e['code'] for e in report['errors']), report['errors']


def test_well_known_redirect_chain_then_probe_ends_by_the_timeout(federation_lab, hostile):
    # A name whose well-known (port 443 on its own loopback address) redirects forever, slowly.
    ip = federation_lab.ip()
    chain = hostile(_redirects(GAP), ip=ip, port=443)
    name = 'slowchain.lab.test'
    federation_lab.dns.add(name, 'A', ip)
    started = time.monotonic()
    report = run_federation_test(name, nameservers=federation_lab.nameservers, ca_path=federation_lab.ca_path,
                                 timeout=T)
    assert time.monotonic() - started < T + SLACK
    assert chain.connections >= 2
    assert report['well_known_result']['error']['code'] == 'WELLKNOWN_HTTP_TIMEOUT'
    # Nothing listens on port 8448 there: the fallback was still tried, within the same deadline.
    assert {e['code'] for e in report['errors']} == {'CONNECTION_REFUSED'}


def test_batch_one_stalled_server_does_not_delay_the_others(federation_lab, hostile):
    stalled = hostile(_trickled_keys)
    labels = federation_lab.labels
    fast = [labels[label] for label in ('ip_literal_v4', 'explicit', 'srv', 'default')]
    started = time.monotonic()
    batch = run_federation_tests([stalled.name] + fast, concurrency=len(fast) + 1, nameservers=federation_lab.nameservers,
                                 ca_path=federation_lab.ca_path, timeout=T)
    elapsed = time.monotonic() - started
    assert elapsed < T + SLACK
    for name in fast:
        report = batch['reports'][name]
        assert report['federation_ok'], (name, report['errors'])
        # Done while the stalled server was still trickling (it is held until the deadline).
        assert report['duration_ms'] < 1000 * T / 2, (name, report['duration_ms'])
    slow = batch['reports'][stalled.name]
    assert any('TIMEOUT' in e['code'] for e in slow['errors']), slow['errors']
    assert slow['duration_ms'] >= 1000 * T * 0.9


def test_deadline_steps_are_capped_and_expire():
    deadline = Deadline(0.3)
    assert 0 < deadline.step(10) <= 0.3
    time.sleep(0.35)
    with pytest.raises(FederationError) as exc:
        deadline.step(1)
    assert exc.value.code == 'TIMEOUT'
