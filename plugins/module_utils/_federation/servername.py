# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Matrix server-name grammar (spec appendix "Server Name").

    server_name = hostname [ ":" port ]
    hostname    = IPv4address / "[" IPv6address "]" / dns-name
    dns-name    = 1*255dns-char ; dns-char = DIGIT / ALPHA / "-" / "."
"""

import ipaddress
import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import DNS_LABEL_MAX_OCTETS, DNS_NAME_MAX_OCTETS

_DNS_NAME_RE = re.compile(r'^[A-Za-z0-9.-]{1,255}$')
_IPV4_RE = re.compile(r'^[0-9]{1,3}(\.[0-9]{1,3}){3}$')


class ServerName:
    """A parsed server name.

    ``host`` is the hostname without brackets, ``port`` is ``None`` when the
    name has no explicit port, ``ip`` is an ``ipaddress`` object for IP
    literals, ``raw`` is the name exactly as given (used as Host header).
    """

    __slots__ = ('raw', 'host', 'port', 'ip')

    def __init__(self, raw, host, port, ip):
        self.raw = raw
        self.host = host
        self.port = port
        self.ip = ip

    @property
    def is_ip_literal(self):
        return self.ip is not None

    def __repr__(self):
        return 'ServerName(%r)' % self.raw


def dns_name_problem(name):
    """Why ``name`` (text, final dot optional) cannot be asked in DNS, or ``None``.

    Labels are checked for length only (SRV names carry ``_``), so this also
    judges the names the collection builds, such as ``_matrix-fed._tcp.<host>``.
    """
    text = name[:-1] if name.endswith('.') else name
    if not text:
        return '%r is empty' % name
    octets = len(text.encode('utf-8'))
    if octets > DNS_NAME_MAX_OCTETS:
        return '%s... is %d octets long: DNS names have at most %d' % (text[:40], octets, DNS_NAME_MAX_OCTETS)
    labels = text.split('.')
    if any(not label for label in labels):
        return '%s has an empty label, which DNS names cannot have' % text
    longest = max(len(label.encode('utf-8')) for label in labels)
    if longest > DNS_LABEL_MAX_OCTETS:
        return '%s has a label of %d octets: DNS labels have at most %d' % (text[:80], longest, DNS_LABEL_MAX_OCTETS)
    return None


def _parse_port(text, raw):
    if not text.isdigit() or len(text) > 5 or not 0 < int(text) <= 65535:
        raise FederationError(
            'INVALID_SERVER_NAME',
            'server name %r has an invalid port %r: expected a number from 1 to 65535' % (raw, text))
    return int(text)


def parse_server_name(raw):
    """Parse ``raw`` per the spec grammar or raise ``FederationError``.

    Trailing dots are refused (they are not part of the grammar and would give
    a different Host header than the one users type).
    """
    if not isinstance(raw, str) or not raw:
        raise FederationError('INVALID_SERVER_NAME', 'server name must be a non-empty string, got %r' % (raw,))
    if raw != raw.strip() or any(c.isspace() for c in raw):
        raise FederationError('INVALID_SERVER_NAME', 'server name %r contains whitespace' % raw)
    if raw.startswith('['):
        end = raw.find(']')
        if end < 0:
            raise FederationError('INVALID_SERVER_NAME', 'server name %r has an unclosed "[" in its IPv6 literal' % raw)
        host = raw[1:end]
        rest = raw[end + 1:]
        try:
            ip = ipaddress.IPv6Address(host)
        except ValueError:
            raise FederationError('INVALID_SERVER_NAME', 'server name %r: %r is not an IPv6 address' % (raw, host))
        if rest and not rest.startswith(':'):
            raise FederationError('INVALID_SERVER_NAME', 'server name %r has text after the IPv6 literal' % raw)
        port = _parse_port(rest[1:], raw) if rest else None
        return ServerName(raw, host, port, ip)
    if raw.count(':') > 1:
        raise FederationError(
            'INVALID_SERVER_NAME',
            'server name %r: IPv6 literals must be written in brackets, e.g. [2001:db8::1]:8448' % raw)
    host, sep, port_text = raw.partition(':')
    port = _parse_port(port_text, raw) if sep else None
    if _IPV4_RE.match(host):
        try:
            ip = ipaddress.IPv4Address(host)
        except ValueError:
            raise FederationError('INVALID_SERVER_NAME', 'server name %r: %r is not a valid IPv4 address' % (raw, host))
        return ServerName(raw, host, port, ip)
    if not _DNS_NAME_RE.match(host):
        raise FederationError(
            'INVALID_SERVER_NAME',
            'server name %r: hostname %r may only contain letters, digits, "-" and "."' % (raw, host))
    labels = host.split('.')
    if any(label == '' for label in labels):
        raise FederationError('INVALID_SERVER_NAME', 'server name %r has an empty DNS label' % raw)
    if any(len(label) > DNS_LABEL_MAX_OCTETS for label in labels):
        raise FederationError('INVALID_SERVER_NAME', 'server name %r has a DNS label longer than 63 characters' % raw)
    if len(host) > DNS_NAME_MAX_OCTETS:
        raise FederationError('INVALID_SERVER_NAME', 'server name %s... has a hostname of %d octets: DNS names have '
                              'at most %d, so no homeserver can resolve it' % (raw[:40], len(host), DNS_NAME_MAX_OCTETS))
    return ServerName(raw, host.lower(), port, None)
