# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real loopback servers for the federation tests.

* :class:`DnsServer`: dnspython answering UDP and TCP on 127.0.0.1 (ephemeral
  port) with A, AAAA, SRV, CNAME, SERVFAIL, NXDOMAIN/NODATA and slow answers.
* :class:`TestCA`: a CA made with cryptography issuing leaf certificates for
  chosen names / IPs and validity windows.
* :class:`HttpsSite`: ``http.server`` behind ``ssl`` on any ``ip:port``
  (real ports 443 / 8448 on distinct 127.x.y.z addresses: Linux routes all of
  127/8 to ``lo``), recording each request's SNI and Host header and counting
  connections; HTTP/1.1 keep-alive and pipelining unless ``keep_alive=False``.
"""

import datetime
import ipaddress
import json
import os
import random
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing


def has_ipv6_loopback():
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.bind(('::1', 0))
        sock.close()
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------- DNS

def lab_prefix(second_low, second_high):
    """A /24 of 127/8 for one lab: ``'127.A.B.'`` with ``A`` in ``[second_low, second_high]``.

    Under pytest-xdist (``make unit`` runs one process per core) each worker
    draws ``B`` from its own residue class, so labs of two workers never share
    a /24 even on fixed ports (443, 8448); within one worker labs are random as
    before.
    """
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'gw0')
    count = max(1, int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1')))
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    third = random.choice([b for b in range(1, 241) if b % count == index % count])
    return '127.%d.%d.' % (random.randint(second_low, second_high), third)


class DnsServer:
    """Authoritative-and-recursive-looking DNS for the lab zone."""

    def __init__(self):
        self.records = {}
        self.servfail = set()
        self.slow = {}
        self.queries = []
        # UDP and TCP on the same port: the port the system picks for UDP may be
        # taken for TCP (a client's connection elsewhere on a busy machine): pick again.
        for attempt in range(50):
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(('127.0.0.1', 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind(('127.0.0.1', self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
                if attempt == 49:
                    raise
        self.tcp.listen(32)
        self._stop = False
        for target in (self._serve_udp, self._serve_tcp):
            thread = threading.Thread(target=target)
            thread.daemon = True
            thread.start()

    @property
    def address(self):
        return '127.0.0.1:%d' % self.port

    def add(self, name, rdtype, *values):
        self.records.setdefault(name.lower().rstrip('.'), {}).setdefault(rdtype, []).extend(values)

    def answer(self, wire):
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA | dns.flags.AA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        qtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, qtype))
        time.sleep(self.slow.get(name, 0))
        if name in self.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        current = name
        for dummy in range(10):
            entry = self.records.get(current)
            if entry is None:
                if current == name:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                break
            if 'CNAME' in entry and qtype != 'CNAME':
                target = entry['CNAME'][0]
                response.answer.append(dns.rrset.from_text(current + '.', 60, 'IN', 'CNAME', target + '.'))
                current = target
                continue
            if qtype in entry:
                response.answer.append(dns.rrset.from_text(current + '.', 60, 'IN', qtype, *entry[qtype]))
            break
        return response.to_wire()

    def _serve_udp(self):
        while not self._stop:
            try:
                wire, peer = self.udp.recvfrom(4096)
            except OSError:
                return
            thread = threading.Thread(target=self._reply_udp, args=(wire, peer))
            thread.daemon = True
            thread.start()

    def _reply_udp(self, wire, peer):
        try:
            self.udp.sendto(self.answer(wire), peer)
        except Exception:  # pylint: disable=broad-except
            pass

    def _serve_tcp(self):
        while not self._stop:
            try:
                conn, dummy = self.tcp.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._reply_tcp, args=(conn,))
            thread.daemon = True
            thread.start()

    def _reply_tcp(self, conn):
        try:
            conn.settimeout(10)
            length = struct.unpack('!H', conn.recv(2))[0]
            wire = b''
            while len(wire) < length:
                wire += conn.recv(length - len(wire))
            out = self.answer(wire)
            conn.sendall(struct.pack('!H', len(out)) + out)
        except Exception:  # pylint: disable=broad-except
            pass
        finally:
            conn.close()

    def close(self):
        self._stop = True
        self.udp.close()
        self.tcp.close()


# --------------------------------------------------------------------------- CA

def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class TestCA:
    """A throwaway CA; ``issue()`` writes a cert/key pair for the given names."""

    def __init__(self, directory, name='matrix.federation test CA'):
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(_now() - datetime.timedelta(days=1))
                     .not_valid_after(_now() + datetime.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.path = os.path.join(directory, 'ca-%d.pem' % id(self))
        with open(self.path, 'wb') as handle:
            handle.write(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, names, days_valid=90, days_ago=1, cn=None):
        key = ec.generate_private_key(ec.SECP256R1())
        sans = []
        for name in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                sans.append(x509.DNSName(name))
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn or (names[0] if names else 'no-san'))])
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(self.cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(_now() - datetime.timedelta(days=days_ago))
                   .not_valid_after(_now() + datetime.timedelta(days=days_valid)))
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        base = os.path.join(self.directory, 'leaf-%d' % random.getrandbits(48))
        with open(base + '.crt', 'wb') as handle:
            handle.write(cert.public_bytes(serialization.Encoding.PEM))
            handle.write(self.cert.public_bytes(serialization.Encoding.PEM))
        with open(base + '.key', 'wb') as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        return base + '.crt', base + '.key'


# --------------------------------------------------------------------------- HTTPS

class Reply:
    """What a route answers."""

    def __init__(self, status=200, body=b'', content_type='application/json', headers=None, delay=0.0):
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode('utf-8')
        self.content_type = content_type
        self.headers = headers or {}
        self.delay = delay


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout = 30  # idle keep-alive connections end

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def do_POST(self):  # pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        self.do_GET(self.rfile.read(length) if length else b'')

    def do_GET(self, body=None):  # pylint: disable=invalid-name,arguments-differ
        site = self.server.site
        sni = getattr(self.connection, 'lab_sni', None)
        self.request_body = body
        site.requests.append({'path': self.path, 'host': self.headers.get('Host'), 'sni': sni, 'method': self.command,
                              'user_agent': self.headers.get('User-Agent'), 'headers': dict(self.headers.items()),
                              'body': body})
        route = site.routes.get(self.path.split('?')[0])
        reply = route(self) if callable(route) else route
        if reply is None:
            reply = Reply(404, {'errcode': 'M_NOT_FOUND'})
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header('Content-Type', reply.content_type)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header('Content-Length', str(len(reply.body)))
            # HTTP/1.1 keep-alive (and pipelining) unless the site refuses it or the client asked to close.
            if not site.keep_alive or self.close_connection:
                self.send_header('Connection', 'close')
                self.close_connection = True
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        sock, addr = self.socket.accept()
        self.site.connections += 1
        return self.site.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass


class _TLSServer6(_TLSServer):
    address_family = socket.AF_INET6


class HttpsSite:
    """One HTTPS listener with routes ``{path: Reply or callable(handler)}``."""

    def __init__(self, ip, port, cert_file, key_file, routes=None, keep_alive=True):
        self.ip, self.routes, self.requests = ip, dict(routes or {}), []
        self.keep_alive = keep_alive
        self.connections = 0
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_file, key_file)

        def remember_sni(sslsock, name, dummy):
            sslsock.lab_sni = name
        self.context.sni_callback = remember_sni
        server_class = _TLSServer6 if ':' in ip else _TLSServer
        server_class.site = None
        self.server = server_class((ip, port), _Handler, bind_and_activate=True)
        self.server.site = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.2})
        self.thread.daemon = True
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- Matrix content

KEY_PATH = '/_matrix/key/v2/server'
VERSION_PATH = '/_matrix/federation/v1/version'
WELL_KNOWN = '/.well-known/matrix/server'


class SigningIdentity:
    """A homeserver's ed25519 signing key."""

    def __init__(self, key_id='ed25519:a_lab'):
        self.seed = signing.generate_seed()
        self.key_id = key_id
        self.private = signing.signing_key_from_seed(self.seed)
        self.public = signing.public_key_from_seed(self.seed)


def key_response(server_name, identity, valid_for_ms=86400000, publish_name=None, signer=None, verify_keys=None):
    """A signed ``/_matrix/key/v2/server`` body (optionally broken on purpose)."""
    body = {
        'server_name': publish_name or server_name,
        'valid_until_ts': int(time.time() * 1000) + valid_for_ms,
        'verify_keys': verify_keys if verify_keys is not None else {identity.key_id: {'key': identity.public}},
        'old_verify_keys': {},
    }
    return signing.sign_json(body, publish_name or server_name, identity.key_id, (signer or identity).private)


def keys_route(body, expect_host):
    """Serve ``body`` only for the right Host header (404 otherwise, like a vhost proxy)."""
    def route(handler):
        if handler.headers.get('Host') != expect_host:
            return Reply(404, b'<html>no such vhost</html>', 'text/html')
        return Reply(200, body)
    return route


def version_route(expect_host):
    def route(handler):
        if handler.headers.get('Host') != expect_host:
            return Reply(404, b'<html>no such vhost</html>', 'text/html')
        return Reply(200, {'server': {'name': 'LabServer', 'version': '1.0'}})
    return route


class LoopbackLab:
    """What every loopback lab has: a /24 of 127/8 of its own, a trusted and an untrusted CA, a DNS server and
    the HTTPS sites it started; ``close()`` stops them."""

    def __init__(self, directory, prefix):
        self.prefix = prefix
        self.ca = TestCA(directory)
        self.rogue_ca = TestCA(directory, 'untrusted CA')
        self.ca_path = self.ca.path
        self.dns = DnsServer()
        self.nameservers = [self.dns.address]
        self.sites = []
        self.identities = {}
        self._next = 9

    def ip(self):
        """The next free address of the lab's /24."""
        self._next += 1
        return self.prefix + str(self._next)

    def close(self):
        for site in self.sites:
            site.close()
        self.dns.close()
