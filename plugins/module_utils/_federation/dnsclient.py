# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one DNS client of the collection, on the standard library and :mod:`dnswire`.

Queries go straight to the configured (or system) nameservers so that the
answer's rcode is seen as it is: NXDOMAIN/NODATA mean "no records", SERVFAIL,
REFUSED and timeouts are errors (the spec and Synapse treat them differently).
Every exchange (UDP, then TCP after a truncated answer) may take a third of
the run's ``timeout`` and every ``send``/``recv`` obeys the run's
:class:`Deadline`; each host is resolved once per client (A and AAAA at once),
and each query is built once per client (only its ID changes).
"""

import ipaddress
import os
import random
import socket
import struct

from ansible_collections.matrix.federation.plugins.module_utils._federation.deadline import connect, recv_exactly, send_all
from ansible_collections.matrix.federation.plugins.module_utils._federation.dnswire import (
    NOERROR,
    NXDOMAIN,
    DnsWireError,
    parse_answer,
    query_template,
    question_name,
    rcode_text,
    with_id,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import (
    SharedCache,
    run_deadline,
    run_parallel,
    step_timeout,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import format_host_port, ip_literal

# CNAME names followed per lookup (docs/errors.md, "Limits").
CNAME_MAX_CHAIN = 8


def _query_id():
    """An unpredictable message ID (answers are matched on it, so a guessed one could be spoofed)."""
    return struct.unpack('!H', os.urandom(2))[0]


def _udp_exchange(query, ip, port, deadline):
    """One query over UDP; datagrams that do not answer the query (or are malformed) are ignored, as dnspython's client does."""
    template, name_wire, rtype = query
    query_id = _query_id()
    family = socket.AF_INET6 if ':' in ip else socket.AF_INET
    deadline.step()
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.connect((ip, port))
        sock.settimeout(deadline.step())
        sock.send(with_id(template, query_id))
        while True:
            sock.settimeout(deadline.step())
            reply = sock.recv(65535)
            try:
                answer = parse_answer(reply, query_id, name_wire, rtype)
            except DnsWireError:
                continue
            if answer is not None:
                return answer
    finally:
        sock.close()


def _tcp_exchange(query, ip, port, deadline):
    """One query over TCP (after a truncated UDP answer); every call on the socket obeys ``deadline``."""
    template, name_wire, rtype = query
    query_id = _query_id()
    wire = with_id(template, query_id)
    sock = connect((ip, port), deadline)
    try:
        send_all(sock, struct.pack('!H', len(wire)) + wire, deadline)
        length = struct.unpack('!H', recv_exactly(sock, 2, deadline))[0]
        answer = parse_answer(recv_exactly(sock, length, deadline), query_id, name_wire, rtype)
        if answer is None:
            raise DnsWireError('the TCP answer does not match the query')
        return answer
    finally:
        sock.close()


def parse_nameservers(nameservers):
    """Turn ``['ip', 'ip:port', '[v6]:port']`` into ``[(ip, port), ...]``."""
    parsed = []
    for entry in nameservers or []:
        text = str(entry).strip()
        port = 53
        host = text
        if text.startswith('['):
            host, sep, rest = text[1:].partition(']')
            if not sep or (rest and not rest.startswith(':')):
                raise FederationError('INVALID_NAMESERVER', 'nameserver %r: expected ip, ip:port or [ipv6]:port' % text)
            if rest:
                port = rest[1:]
        elif text.count(':') == 1:
            host, port = text.split(':')
        try:
            ipaddress.ip_address(host)
            port = int(port)
            if not 0 < port <= 65535:
                raise ValueError(port)
        except ValueError:
            raise FederationError('INVALID_NAMESERVER', 'nameserver %r: expected ip, ip:port or [ipv6]:port' % text)
        parsed.append((host, port))
    return parsed


def system_nameservers(path='/etc/resolv.conf'):
    """Nameservers of the system resolver (resolv.conf), port 53."""
    found = []
    try:
        with open(path) as handle:
            for line in handle:
                fields = line.split()
                if len(fields) >= 2 and fields[0] == 'nameserver':
                    try:
                        ipaddress.ip_address(fields[1].split('%')[0])
                    except ValueError:
                        continue
                    found.append((fields[1].split('%')[0], 53))
    except (IOError, OSError):
        pass
    return found or [('127.0.0.1', 53)]


def order_srv_records(records, rng=None):
    """Order SRV records per RFC 2782: priority ascending, weighted random within a priority."""
    rng = rng or random
    ordered = []
    for priority in sorted(set(r['priority'] for r in records)):
        group = sorted((r for r in records if r['priority'] == priority), key=lambda r: r['weight'])
        while group:
            total = sum(r['weight'] for r in group)
            pick = rng.randint(0, total) if total else 0
            running = 0
            for index, record in enumerate(group):
                running += record['weight']
                if running >= pick:
                    ordered.append(group.pop(index))
                    break
    return ordered


class DnsClient:
    """DNS lookups with one set of nameservers and one deadline (``timeout`` seconds from the client's creation)."""

    def __init__(self, nameservers=None, timeout=10.0, deadline=None, cache=None):
        self.nameservers = parse_nameservers(nameservers) or system_nameservers()
        self.timeout = float(timeout)
        self.step = step_timeout(self.timeout)
        self.deadline = deadline or run_deadline(self.timeout)
        self.cache = cache if cache is not None else SharedCache()
        self.queries = {}

    def for_run(self, deadline):
        """A client for one run of a batch: same nameservers, cache and built queries, its own deadline."""
        client = DnsClient.__new__(DnsClient)
        client.nameservers, client.timeout, client.step, client.cache = self.nameservers, self.timeout, self.step, self.cache
        client.queries = self.queries
        client.deadline = deadline
        return client

    def _built(self, name, rtype):
        """``(template, name in wire format, type)`` of the query, built once per client and name."""
        key = (name.lower(), rtype)
        query = self.queries.get(key)
        if query is None:
            try:
                template = query_template(name, rtype)
            except DnsWireError as exc:
                raise FederationError('DNS_ERROR', '%s lookup for %s: %s' % (rtype, name, exc))
            query = self.queries[key] = (template, question_name(template), rtype)
        return query

    def _query(self, name, rtype):
        """Return the answer for NOERROR/NXDOMAIN; raise on SERVFAIL, REFUSED, timeouts."""
        query = self._built(name, rtype)
        error = None
        for ip, port in self.nameservers:
            where = format_host_port(ip, port)
            try:
                answer = _udp_exchange(query, ip, port, self.deadline.sub(self.step))
                if answer.truncated:
                    answer = _tcp_exchange(query, ip, port, self.deadline.sub(self.step))
            except (socket.timeout, FederationError) as exc:
                if isinstance(exc, FederationError) and exc.code != 'TIMEOUT':
                    raise
                # The step's share ran out (the next nameserver gets its own), or the run's deadline did
                # (then the next one gives up at once).
                error = FederationError('DNS_TIMEOUT', '%s lookup for %s: no answer from %s in time (%.1f s per '
                                        'nameserver, %.1f s in all)' % (rtype, name, where, self.step, self.timeout))
                continue
            except (OSError, EOFError, DnsWireError) as exc:
                error = FederationError('DNS_ERROR', '%s lookup for %s via %s failed: %s' % (rtype, name, where, exc))
                continue
            if answer.rcode in (NOERROR, NXDOMAIN):
                return answer
            error = FederationError('DNS_SERVFAIL', '%s lookup for %s: %s answered %s (an error, not "no records")'
                                    % (rtype, name, where, rcode_text(answer.rcode)))
        raise error

    def query(self, name, rtype):
        """Resolve ``name``/``rtype`` (``'A'``, ``'AAAA'``, ``'SRV'``); return ``(values, cname_chain)``.

        A value is an address (A, AAAA) or ``(priority, weight, port,
        target)`` (SRV). ``cname_chain`` lists the names the answer passed
        through (empty when ``name`` is not a CNAME). NXDOMAIN and NODATA
        give ``([], chain)``.
        """
        current = name.rstrip('.') if name != '.' else name
        chain = []
        for dummy in range(CNAME_MAX_CHAIN):
            asked = current
            answer = self._query(asked, rtype)
            records = answer.records
            while (current.lower(), rtype) not in records:
                targets = records.get((current.lower(), 'CNAME'))
                if not targets:
                    break
                chain.append(current)
                if len(chain) > CNAME_MAX_CHAIN:
                    raise FederationError('DNS_CNAME_LOOP', '%s: CNAME chain longer than %d names' % (name, CNAME_MAX_CHAIN))
                current = targets[0]
            if (current.lower(), rtype) in records:
                return list(records[(current.lower(), rtype)]), chain
            if current == asked or answer.rcode == NXDOMAIN:
                return [], chain
            # The server gave a CNAME without chasing it: ask for the target.
        raise FederationError('DNS_CNAME_LOOP', '%s: CNAME chain longer than %d names' % (name, CNAME_MAX_CHAIN))

    def lookup_srv(self, name):
        """SRV records of ``name`` in RFC 2782 order: ``[{priority, weight, port, target}]``.

        Returns ``[]`` for NXDOMAIN/NODATA; raises ``FederationError`` for
        SERVFAIL/timeouts. A target ``.`` is kept as ``'.'`` for the caller.
        """
        key = ('SRV', name.lower().rstrip('.'))
        records = self.cache.get(key, lambda: self._lookup_srv(name), self.deadline)
        return order_srv_records([dict(r) for r in records])

    def _lookup_srv(self, name):
        records, dummy = self.query(name, 'SRV')
        return [{'priority': priority, 'weight': weight, 'port': port, 'target': target or '.'}
                for priority, weight, port, target in records]

    def resolve_host(self, host):
        """A and AAAA of ``host`` (asked at once, once per client).

        Returns ``{host, addresses, ipv4, ipv6, cname, error}``; ``error`` is
        a ``{code, message}`` dict when no address could be found because of
        an error (not for NXDOMAIN/NODATA).
        """
        key = host.lower().rstrip('.')
        try:
            return self.cache.get(('HOST', key), lambda: self._resolve_host(key), self.deadline)
        except FederationError as exc:
            return {'host': key, 'addresses': [], 'ipv4': [], 'ipv6': [], 'cname': [], 'error': exc.as_dict(),
                    'family_errors': [exc.as_dict()]}

    def _resolve_host(self, host):
        literal = ip_literal(host)
        if literal is not None:
            family = 'ipv4' if literal.version == 4 else 'ipv6'
            result = {'host': host, 'addresses': [host], 'ipv4': [], 'ipv6': [], 'cname': [], 'error': None}
            result[family] = [host]
            return result
        answers = run_parallel([lambda: self.query(host, 'A'), lambda: self.query(host, 'AAAA')])
        result = {'host': host, 'ipv4': [], 'ipv6': [], 'cname': [], 'error': None}
        errors = []
        for family, (answer, exc) in zip(('ipv4', 'ipv6'), answers):
            if exc is not None:
                errors.append(exc.as_dict() if isinstance(exc, FederationError)
                              else {'code': 'DNS_ERROR', 'message': '%s: %s' % (host, exc)})
                continue
            addresses, chain = answer
            # Sorted (and without repeats): DNS servers rotate the order of A/AAAA
            # answers, and every address is tested anyway; reports stay the same run to run.
            result[family] = sorted(set(addresses), key=ipaddress.ip_address)
            if chain and not result['cname']:
                result['cname'] = chain
        result['addresses'] = result['ipv4'] + result['ipv6']
        if errors and not result['addresses']:
            result['error'] = errors[0]
        elif not result['addresses']:
            result['error'] = {'code': 'DNS_NO_ADDRESSES',
                               'message': '%s has no A or AAAA records (NXDOMAIN or no data)' % host}
        result['family_errors'] = errors
        return result
