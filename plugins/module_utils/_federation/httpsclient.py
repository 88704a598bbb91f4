# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTPS client of the collection (standard library ``ssl``, answers framed by :mod:`httpwire`).

Federation needs the connect address, the TLS SNI and the HTTP ``Host``
header chosen independently (SRV delegation connects to the target but
checks the certificate for the server name), which high-level clients do not
allow. Every ``connect``, ``send``, ``recv`` and TLS handshake obeys the
run's deadline (``httpwire`` only parses what a :class:`DeadlineReader`
reads), a redirect chain shares one deadline, bodies are capped, and the
peer's certificate chain, TLS version and cipher are returned for inspection.
"""

import json
import socket
import ssl

from ansible_collections.matrix.federation.plugins.module_utils._federation.deadline import DeadlineReader, connect, send_all, tls_handshake
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsurl import parse_https_url, redirect_target
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpwire import Disconnected, HttpProtocolError, read_body, read_head
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import load_library, run_deadline, step_timeout
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import JSON_MAX_DEPTH
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import format_host_port as _host_port
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import is_ip_literal as _is_ip

USER_AGENT = 'ansible-matrix.federation/0.1'
MAX_REDIRECTS = 10
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class HttpsResponse:
    """What one HTTPS request returned (plain attributes, no live socket)."""

    def __init__(self):
        self.ip = None
        self.port = None
        self.status = None
        self.reason = None
        self.headers = {}
        self.body = b''
        self.tls_version = None
        self.cipher = None
        self.certificate_ders = []
        self._certificates = None
        self.verify_error = None

    @property
    def certificates(self):
        """The peer's certificate chain (leaf first) as ``cryptography`` certificates, parsed on first use.

        The connection keeps only the DER bytes, so cryptography is imported
        (:func:`runctx.load_library`) when a certificate is first checked,
        after the network exchange, not before it. Raises
        ``FederationError('MISSING_LIBRARY')`` without cryptography.
        """
        if self._certificates is None:
            self._certificates = parse_certificates(self.certificate_ders)
        return self._certificates

    def json(self):
        """The body parsed as JSON (any content type) or ``FederationError('INVALID_JSON')``.

        Objects and arrays nested deeper than :data:`JSON_MAX_DEPTH` are
        refused too: the parser (and canonical JSON for signatures after
        it) would otherwise end in a ``RecursionError``.
        """
        too_deep = FederationError('INVALID_JSON', 'body is not valid JSON: objects and arrays nest deeper than %d '
                                   'levels' % JSON_MAX_DEPTH)
        try:
            value = json.loads(self.body.decode('utf-8'))
        except RecursionError:
            raise too_deep from None
        except (UnicodeDecodeError, ValueError) as exc:
            raise FederationError('INVALID_JSON', 'body is not valid JSON: %s' % exc)
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if isinstance(item, (dict, list)):
                if depth > JSON_MAX_DEPTH:
                    raise too_deep
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
        return value


class HttpsClient:
    """HTTPS with independent connect address, SNI and Host header.

    ``timeout`` is the run's time limit (the deadline, shared with ``dns``,
    starts when the client is made); a connect, a TLS handshake or a wait for
    a pipelined answer may take a third of it.
    """

    def __init__(self, dns=None, ca_path=None, timeout=10.0, deadline=None, user_agent=None):
        self.dns = dns
        self.user_agent = user_agent or USER_AGENT
        self.timeout = float(timeout)
        self.step = step_timeout(self.timeout)
        self.deadline = deadline or (dns.deadline if dns is not None else run_deadline(self.timeout))
        try:
            self._verified = ssl.create_default_context(cafile=ca_path)
        except (IOError, OSError, ssl.SSLError) as exc:
            raise FederationError('INVALID_CA_PATH', 'cannot load CA bundle %r: %s' % (ca_path, exc))
        # Matrix requires the name in the subjectAltName; never fall back to the CN.
        self._verified.hostname_checks_common_name = False
        # No trust store for the unverified context: loading the system's
        # costs tens of milliseconds of CPU and verifies nothing here.
        self._insecure = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._insecure.check_hostname = False
        self._insecure.verify_mode = ssl.CERT_NONE

    def _connect(self, ip, port, tls_name, verify, deadline):
        """TCP connect + TLS handshake; ``tls_name`` is SNI (names) or the IP to verify (no SNI)."""
        try:
            sock = connect((ip, port), deadline, self.step)
        except socket.timeout:
            raise FederationError('CONNECTION_TIMEOUT', 'connecting to %s timed out' % _host_port(ip, port))
        except ConnectionRefusedError:
            raise FederationError('CONNECTION_REFUSED', 'connection to %s refused' % _host_port(ip, port))
        except OSError as exc:
            raise FederationError('CONNECTION_FAILED', 'cannot connect to %s: %s' % (_host_port(ip, port), exc))
        # wrap_socket takes the descriptor over: from then on the TLS socket is the one to close.
        conn = sock
        try:
            context = self._verified if verify else self._insecure
            # Python sends no SNI when server_hostname is an IP literal, and
            # then checks the certificate's IP addresses, as the spec wants.
            conn = context.wrap_socket(sock, server_hostname=tls_name if (verify or not _is_ip(tls_name or '')) else None,
                                       do_handshake_on_connect=False)
            tls_handshake(conn, deadline, self.step)
            return conn
        except ssl.SSLCertVerificationError as exc:
            conn.close()
            raise FederationError('TLS_CERT_INVALID', getattr(exc, 'verify_message', None) or str(exc))
        except socket.timeout:
            conn.close()
            raise FederationError('TLS_TIMEOUT', 'TLS handshake with %s did not finish in time' % _host_port(ip, port))
        except (ssl.SSLError, OSError) as exc:
            conn.close()
            raise FederationError('TLS_ERROR', 'TLS handshake with %s failed: %s' % (_host_port(ip, port), exc))
        except BaseException:
            conn.close()
            raise

    def for_run(self, dns, deadline):
        """A client for one run of a batch: the same TLS contexts (CA bundle loaded once), its own deadline."""
        client = HttpsClient.__new__(HttpsClient)
        client.dns, client.timeout, client.step, client.deadline = dns, self.timeout, self.step, deadline
        client.user_agent = self.user_agent
        client._verified, client._insecure = self._verified, self._insecure  # pylint: disable=protected-access
        return client

    def request(self, ip, port, path, host_header, tls_name=None, verify=True, insecure_fallback=False, *, max_bytes,
                deadline=None, headers=None, method='GET', body=None):
        """GET ``path`` from ``ip:port`` with SNI/verify name ``tls_name`` and ``Host: host_header``.

        ``tls_name`` defaults to ``ip`` (then no SNI is sent and the
        certificate must cover the IP). With ``insecure_fallback`` a
        certificate that fails verification is recorded in
        ``verify_error`` and the request is repeated without verification,
        so the server's keys can still be checked. ``headers`` are extra
        request headers (``{name: value}``, e.g. a signed request's
        ``Authorization``); ``method`` and ``body`` (bytes, sent as JSON)
        make it another request than a GET. ``deadline`` (default: the
        client's) bounds it all. Raises ``FederationError`` for network,
        TLS, protocol, size and time failures.
        """
        result = self.request_many(ip, port, [(path, max_bytes, headers or {}, method, body)], host_header, tls_name=tls_name, verify=verify,
                                   insecure_fallback=insecure_fallback, deadline=deadline)[0]
        if isinstance(result, FederationError):
            raise result
        return result

    def request_many(self, ip, port, requests, host_header, tls_name=None, verify=True, insecure_fallback=False,
                     deadline=None):
        """Send several ``(path, max_bytes[, headers[, method, body]])`` to one ``ip:port`` over one connection.

        The requests are pipelined (HTTP/1.1 keep-alive: all sent at once,
        answered in order), so they cost one TCP and one TLS handshake and
        the time of the slowest answer. When the server closes the
        connection early, or answers the first requests and then stays
        silent (no pipelining), the remaining requests get a new connection.
        ``deadline`` (default: the client's) bounds every byte of it.
        Returns one :class:`HttpsResponse` or ``FederationError`` per
        request; an error of the connection itself is raised.
        """
        deadline = deadline or self.deadline
        tls_name = tls_name or ip
        results = []
        retried = False
        while len(results) < len(requests):
            pending = requests[len(results):]
            try:
                tls, verify_error = self._open(ip, port, tls_name, verify, insecure_fallback, deadline)
            except FederationError as exc:
                if not results:
                    raise
                results.extend([self._failure(exc, pending[0][0], ip, port)] * len(pending))
                break
            try:
                answered = self._exchange(tls, ip, port, pending, host_header, verify_error, deadline)
            finally:
                tls.close()
            if (len(answered) > 1 and not retried and isinstance(answered[-1], FederationError)
                    and answered[-1].code == 'HTTP_TIMEOUT'):
                # Answered the first requests, then nothing: a server (or proxy) that does not
                # handle pipelining. The rest get a new connection, within the same deadline.
                retried = True
                results.extend(answered[:-1])
                continue
            results.extend(answered)
            if isinstance(answered[-1], FederationError):
                # The connection is in an unknown state after a failed answer: the rest are not tried.
                left = len(requests) - len(results)
                results.extend([FederationError(answered[-1].code, 'not sent after an earlier failure on the '
                                                'connection: %s' % answered[-1].message)] * left)
        return results

    def _open(self, ip, port, tls_name, verify, insecure_fallback, deadline):
        try:
            return self._connect(ip, port, tls_name, verify, deadline), None
        except FederationError as exc:
            if exc.code != 'TLS_CERT_INVALID' or not insecure_fallback:
                raise
            return self._connect(ip, port, tls_name, False, deadline), exc.message

    def _exchange(self, tls, ip, port, requests, host_header, verify_error, deadline):
        """Send every request at once, read the answers in order; stop at the first lost one."""
        tls_version = tls.version()
        cipher = tls.cipher()
        certificate_ders = _peer_chain(tls)
        wire = []
        for index, request in enumerate(requests):
            last = index == len(requests) - 1
            headers = dict(request[2]) if len(request) > 2 else {}
            method, body = (request[3], request[4]) if len(request) > 4 else ('GET', None)
            if body is not None:
                headers.update({'Content-Type': 'application/json', 'Content-Length': str(len(body))})
            extra = ''.join('%s: %s\r\n' % (name, value) for name, value in headers.items())
            connection = 'close' if last else 'keep-alive'
            wire.append('%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: application/json\r\n%s'
                        'Connection: %s\r\n\r\n' % (method, request[0], host_header, self.user_agent, extra, connection))
            if body is not None:
                wire.append(body.decode('latin-1'))
        results = []
        try:
            send_all(tls, ''.join(wire).encode('latin-1'), deadline, self.step)
        except (FederationError, OSError) as exc:
            return [self._failure(exc, requests[0][0], ip, port)]
        # The first answer may take all the time left; a later (pipelined) one a
        # step's share, so a server that ignores pipelining leaves time to reconnect.
        reader = DeadlineReader(tls, deadline)
        for request in requests:
            path, max_bytes = request[0], request[1]
            response = HttpsResponse()
            response.ip, response.port = ip, port
            response.verify_error = verify_error
            response.tls_version = tls_version
            response.cipher = cipher[0] if cipher else None
            response.certificate_ders = certificate_ders
            try:
                will_close = read_response(reader, response, path, ip, port, max_bytes)
            except (Disconnected, ConnectionResetError, BrokenPipeError) as exc:
                if response.status is None and results:
                    return results  # closed after the previous answer: the caller reconnects for the rest
                if response.status is None:
                    exc = FederationError('HTTP_ERROR', 'GET %s from %s failed: the server closed the connection '
                                          'without answering' % (path, _host_port(ip, port)))
                results.append(self._failure(exc, path, ip, port))
                return results
            except (FederationError, socket.timeout, HttpProtocolError, OSError) as exc:
                results.append(self._failure(exc, path, ip, port))
                return results
            results.append(response)
            if will_close:
                return results
            reader.cap = self.step
        return results

    def _failure(self, exc, path, ip, port):
        if isinstance(exc, FederationError):
            if exc.code == 'TIMEOUT':
                return FederationError('HTTP_TIMEOUT', 'GET %s from %s did not complete within the time limit (%.1f s)'
                                       % (path, _host_port(ip, port), self.timeout))
            return exc
        if isinstance(exc, socket.timeout):
            return FederationError('HTTP_TIMEOUT', 'GET %s from %s did not complete in time (%.1f s in all, a '
                                   'pipelined answer %.1f s)' % (path, _host_port(ip, port), self.timeout, self.step))
        return FederationError('HTTP_ERROR', 'GET %s from %s failed: %s'
                               % (path, _host_port(ip, port), exc or type(exc).__name__))

    def get_url(self, url, *, max_bytes, max_redirects=MAX_REDIRECTS, budget=None, max_addresses=None):
        """GET an https URL, resolving its host with the DNS client and following redirects.

        The whole chain (every hop's DNS, connection and bytes) shares one
        deadline: ``budget`` seconds (default: a step's share of the
        client's ``timeout``), never past the client's deadline. Returns
        ``(response, redirects)`` where ``redirects`` lists the URLs
        followed. A host's addresses are tried in turn while connections
        fail, at most ``max_addresses`` of them (all when ``None``); the
        last connection error then says how many were left. Raises
        ``FederationError`` (``REDIRECT_LOOP``,
        ``TOO_MANY_REDIRECTS``, ``INVALID_URL`` for a URL or ``Location``
        that does not parse, is not https or has a bad port, ``TIMEOUT``,
        DNS, connection, TLS and HTTP codes).
        """
        deadline = self.deadline.sub(self.step if budget is None else budget)
        dns = self.dns.for_run(deadline) if self.dns is not None else None
        seen = [url]
        redirects = []
        while True:
            response = self._get_one(url, max_bytes, dns, deadline, max_addresses)
            location = response.headers.get('location')
            if response.status not in _REDIRECT_STATUSES or not location:
                return response, redirects
            target = redirect_target(url, location)
            if target in seen:
                raise FederationError('REDIRECT_LOOP', 'redirect loop: %s -> %s' % (' -> '.join(seen), target))
            if len(redirects) >= max_redirects:
                raise FederationError('TOO_MANY_REDIRECTS', 'more than %d redirects starting at %s' % (max_redirects, seen[0]))
            seen.append(target)
            redirects.append(target)
            url = target

    def _get_one(self, url, max_bytes, dns, deadline, max_addresses):
        host, port, path, host_header = parse_https_url(url)
        if _is_ip(host):
            addresses = [host]
        else:
            if dns is None:
                raise FederationError('DNS_ERROR', 'no DNS client to resolve %s' % host)
            resolved = dns.resolve_host(host)
            if resolved['error']:
                raise FederationError(resolved['error']['code'], resolved['error']['message'])
            addresses = resolved['addresses']
        left = addresses[max_addresses:] if max_addresses is not None else []
        error = None
        for address in addresses[:len(addresses) - len(left)]:
            try:
                return self.request(address, port, path, host_header, tls_name=host, max_bytes=max_bytes, deadline=deadline)
            except FederationError as exc:
                # Only a failed connection moves on to the next address.
                if exc.code not in ('CONNECTION_REFUSED', 'CONNECTION_FAILED', 'CONNECTION_TIMEOUT'):
                    raise
                error = exc
        if left:
            raise FederationError(error.code, '%s; %d more addresses of %s not tried (at most %d per host)'
                                  % (error.message, len(left), host, max_addresses))
        raise error


def read_response(reader, response, path, ip, port, max_bytes):
    """Read one answer from the connection's reader into ``response``; return True when the server will close.

    The body is capped at ``max_bytes`` (``RESPONSE_TOO_LARGE``); ``ip`` and ``port`` name the peer in messages.
    Raises :class:`httpwire.Disconnected` when the server closed before answering and
    :class:`httpwire.HttpProtocolError` for an answer that is not HTTP/1.x.
    """
    head = read_head(reader)
    response.status = head.status
    response.reason = head.reason
    response.headers = head.headers
    length = response.headers.get('content-length', '')
    if length.isdigit() and int(length) > max_bytes:
        raise FederationError('RESPONSE_TOO_LARGE', '%s%s announces %s bytes, the limit is %d'
                              % (_host_port(ip, port), path, length, max_bytes))
    chunks = []
    total = 0
    for chunk in read_body(reader, head, max_bytes):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise FederationError('RESPONSE_TOO_LARGE', '%s%s sent more than %d bytes'
                                  % (_host_port(ip, port), path, max_bytes))
    response.body = b''.join(chunks)
    return head.will_close


def _peer_chain(tls):
    """The peer's certificates in DER (leaf first)."""
    ders = []
    sslobj = getattr(tls, '_sslobj', None)
    getter = getattr(sslobj, 'get_unverified_chain', None)
    if getter is not None:
        try:
            ders = [cert.public_bytes(ssl._ssl.ENCODING_DER) for cert in getter() or []]  # pylint: disable=protected-access
        except Exception:  # pylint: disable=broad-except
            ders = []
    if not ders:
        leaf = tls.getpeercert(binary_form=True)
        ders = [leaf] if leaf else []
    return ders


def parse_certificates(ders):
    """DER certificates as ``cryptography`` certificates, skipping what does not parse; imports cryptography."""
    load_library('cryptography')
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    certs = []
    for der in ders:
        try:
            certs.append(x509.load_der_x509_certificate(der))
        except ValueError:
            continue
    return certs
