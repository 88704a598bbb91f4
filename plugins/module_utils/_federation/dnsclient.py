# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one DNS client of the collection, on dnspython.

Queries go straight to the configured (or system) nameservers so that the
answer's rcode is seen as it is: NXDOMAIN/NODATA mean "no records", SERVFAIL,
REFUSED and timeouts are errors (the spec and Synapse treat them differently).
Every exchange (UDP, then TCP after a truncated answer) may take a third of
the run's ``timeout`` and every ``send``/``recv`` obeys the run's
:class:`Deadline`; each host is resolved once per client (A and AAAA at once).
"""

import ipaddress
import random
import socket
import struct

from ansible_collections.matrix.federation.plugins.module_utils._federation.deadline import connect, recv_exactly, send_all
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import (
    SharedCache,
    load_library,
    require_library,
    run_deadline,
    run_parallel,
    step_timeout,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import format_host_port, ip_literal


def _dnspython():
    """The ``dns`` package with the modules the client uses, imported when the first query is made.

    A run that asks no DNS question (an IP literal) never imports dnspython;
    without it, :func:`runctx.load_library` raises ``MISSING_LIBRARY``.
    dns.query is not used: see runctx.
    """
    load_library('dnspython')
    import dns  # pylint: disable=import-outside-toplevel
    return dns


# CNAME names followed per lookup (docs/errors.md, "Limits").
CNAME_MAX_CHAIN = 8


def _udp_exchange(query, ip, port, deadline):
    """One query over UDP; replies that do not answer the query are ignored (as dns.query does)."""
    dns = _dnspython()
    family = socket.AF_INET6 if ':' in ip else socket.AF_INET
    wire = query.to_wire()
    deadline.step()
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.connect((ip, port))
        sock.settimeout(deadline.step())
        sock.send(wire)
        while True:
            sock.settimeout(deadline.step())
            reply = sock.recv(65535)
            try:
                response = dns.message.from_wire(reply, ignore_trailing=True)
            except dns.exception.DNSException:
                continue
            if query.is_response(response):
                return response
    finally:
        sock.close()


def _tcp_exchange(query, ip, port, deadline):
    """One query over TCP (after a truncated UDP answer); every call on the socket obeys ``deadline``."""
    dns = _dnspython()
    wire = query.to_wire()
    sock = connect((ip, port), deadline)
    try:
        send_all(sock, struct.pack('!H', len(wire)) + wire, deadline)
        length = struct.unpack('!H', recv_exactly(sock, 2, deadline))[0]
        response = dns.message.from_wire(recv_exactly(sock, length, deadline))
        if not query.is_response(response):
            raise dns.exception.DNSException('the TCP answer does not match the query')
        return response
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
        require_library('dnspython')
        self.nameservers = parse_nameservers(nameservers) or system_nameservers()
        self.timeout = float(timeout)
        self.step = step_timeout(self.timeout)
        self.deadline = deadline or run_deadline(self.timeout)
        self.cache = cache if cache is not None else SharedCache()

    def for_run(self, deadline):
        """A client for one run of a batch: same nameservers and cache, its own deadline."""
        client = DnsClient.__new__(DnsClient)
        client.nameservers, client.timeout, client.step, client.cache = self.nameservers, self.timeout, self.step, self.cache
        client.deadline = deadline
        return client

    def _query(self, qname, rdtype):
        """Return the response message for NOERROR/NXDOMAIN; raise on SERVFAIL, REFUSED, timeouts."""
        dns = _dnspython()
        query = dns.message.make_query(qname, rdtype)
        qname = qname.to_text(omit_final_dot=True)
        type_text = dns.rdatatype.to_text(rdtype)
        error = None
        for ip, port in self.nameservers:
            where = format_host_port(ip, port)
            try:
                response = _udp_exchange(query, ip, port, self.deadline.sub(self.step))
                if response.flags & dns.flags.TC:
                    response = _tcp_exchange(query, ip, port, self.deadline.sub(self.step))
            except (socket.timeout, dns.exception.Timeout, FederationError) as exc:
                if isinstance(exc, FederationError) and exc.code != 'TIMEOUT':
                    raise
                # The step's share ran out (the next nameserver gets its own), or the run's deadline did
                # (then the next one gives up at once).
                error = FederationError('DNS_TIMEOUT', '%s lookup for %s: no answer from %s in time (%.1f s per '
                                        'nameserver, %.1f s in all)' % (type_text, qname, where, self.step, self.timeout))
                continue
            except (OSError, EOFError, dns.exception.DNSException) as exc:
                error = FederationError('DNS_ERROR', '%s lookup for %s via %s failed: %s' % (type_text, qname, where, exc))
                continue
            rcode = response.rcode()
            if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                return response
            error = FederationError('DNS_SERVFAIL', '%s lookup for %s: %s answered %s (an error, not "no records")'
                                    % (type_text, qname, where, dns.rcode.to_text(rcode)))
        raise error

    def query(self, name, rdtype):
        """Resolve ``name``/``rdtype``; return ``(rdatas, cname_chain)``.

        ``cname_chain`` lists the names the answer passed through (empty when
        ``name`` is not a CNAME). NXDOMAIN and NODATA give ``([], chain)``.
        """
        dns = _dnspython()
        rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
        current = dns.name.from_text(name)
        chain = []
        for dummy in range(CNAME_MAX_CHAIN):
            asked = current
            response = self._query(asked, rdtype)
            rrsets = dict(((r.name, r.rdtype), r) for r in response.answer if r.rdclass == dns.rdataclass.IN)
            while (current, rdtype) not in rrsets:
                cname = rrsets.get((current, dns.rdatatype.CNAME))
                if cname is None:
                    break
                chain.append(current.to_text(omit_final_dot=True))
                if len(chain) > CNAME_MAX_CHAIN:
                    raise FederationError('DNS_CNAME_LOOP', '%s: CNAME chain longer than %d names' % (name, CNAME_MAX_CHAIN))
                current = list(cname)[0].target
            if (current, rdtype) in rrsets:
                return list(rrsets[(current, rdtype)]), chain
            if current == asked or response.rcode() == dns.rcode.NXDOMAIN:
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
        rdatas, dummy = self.query(name, 'SRV')
        return [{'priority': r.priority, 'weight': r.weight, 'port': r.port,
                 'target': r.target.to_text(omit_final_dot=True) or '.'} for r in rdatas]

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
            rdatas, chain = answer
            # Sorted (and without repeats): DNS servers rotate the order of A/AAAA
            # answers, and every address is tested anyway; reports stay the same run to run.
            result[family] = sorted(set(r.address for r in rdatas), key=ipaddress.ip_address)
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
