# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Facts and limits of the Matrix specification, each defined once: paths, caps, ports, check names, SRV choice.

Everything here is pure (no network, no file system) and has no Ansible in it.
"""

import ipaddress

# Server-Server API, "Resolving server names": the port when nothing else gives one.
DEFAULT_FEDERATION_PORT = 8448
# The well-known documents live under this prefix (server, client, support).
WELL_KNOWN_PREFIX = '/.well-known/matrix/'
WELL_KNOWN_SERVER_PATH = WELL_KNOWN_PREFIX + 'server'
# Servers reject well-known bodies above 50 KiB (spec; Synapse and the Go tester agree).
WELL_KNOWN_MAX_BYTES = 50 * 1024
# Limits on what a remote side can make one test do (docs/errors.md, "Limits"); going over one is
# reported with a code, never cut silently. JSON nested deeper is refused as invalid: every document the
# tester reads nests a few levels, and Python's parser would hit its recursion limit near 1000.
JSON_MAX_DEPTH = 64
# SRV records considered per name, the first ones in RFC 2782 order (Synapse tries them one after another).
SRV_MAX_RECORDS = 10
# Addresses tested per host (A and AAAA together, both families kept).
HOST_MAX_ADDRESSES = 8
# Body caps of the key and version answers (the well-known's is WELL_KNOWN_MAX_BYTES).
KEYS_MAX_BYTES = 512 * 1024
VERSION_MAX_BYTES = 64 * 1024
# Distinct ip:port connections one test opens (each is a thread and a TLS handshake).
MAX_CONNECTIONS = 32
# DNS names: at most 253 octets written without the final dot (255 on the wire), labels at most 63.
DNS_NAME_MAX_OCTETS = 253
DNS_LABEL_MAX_OCTETS = 63
# SRV names in the order homeservers ask them: _matrix-fed (v1.8) first, the deprecated _matrix second.
SRV_SERVICES = ('_matrix-fed._tcp', '_matrix._tcp')
KEY_PATH = '/_matrix/key/v2/server'
VERSION_PATH = '/_matrix/federation/v1/version'
# Authenticated media (spec v1.11): asked without authorization, the homeserver must answer 401 (JSON);
# the answer is a small error object, so a small cap.
MEDIA_DOWNLOAD_PATH_PREFIX = '/_matrix/federation/v1/media/download/'
MEDIA_MAX_BYTES = 16 * 1024
# Errcodes of a homeserver refusing an unauthenticated federation request.
MEDIA_AUTH_ERRCODES = ('M_UNAUTHORIZED', 'M_MISSING_TOKEN', 'M_FORBIDDEN')
# How long peers keep a well-known answer (Synapse, synapse/http/federation/well_known_resolver.py; its
# +-10 % jitter left out): a delegation without cache headers 24 h, header values kept within 5 min..48 h,
# a failed fetch (no delegation) 1 h.
WELL_KNOWN_DEFAULT_CACHE_S = 24 * 3600
WELL_KNOWN_MIN_CACHE_S = 5 * 60
WELL_KNOWN_MAX_CACHE_S = 48 * 3600
WELL_KNOWN_ERROR_CACHE_S = 3600
# The checks of matrix-org's Go federation tester, per connection, and their conjunction.
GO_CHECKS = ('matching_server_name', 'future_valid_until_ts', 'has_ed25519_key', 'all_ed25519_checks_ok',
             'valid_certificates')
CHECK_NAMES = GO_CHECKS + ('all_checks_ok',)


def ip_literal(host):
    """The ``ipaddress`` object of ``host`` when it is an IP literal (no brackets), else ``None``."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_ip_literal(host):
    """Whether ``host`` (without brackets) is an IPv4 or IPv6 literal."""
    return ip_literal(host) is not None


def format_host_port(host, port):
    """Join host and port for a Host header / ``ip:port`` key (brackets for IPv6)."""
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return '%s:%d' % (host, port) if port is not None else host


def ip_family(address):
    """``'IPv6'`` or ``'IPv4'`` for an address or an ``ip:port`` key (IPv6 ones have a colon before the port)."""
    return 'IPv6' if address.count(':') > 1 or address.startswith('[') else 'IPv4'


def srv_names(host):
    """The SRV names of ``host`` in :data:`SRV_SERVICES` order (``_matrix-fed`` first)."""
    return ['%s.%s' % (service, host) for service in SRV_SERVICES]


def choose_srv(fed, legacy):
    """Which SRV answer a homeserver uses: ``'fed'``, ``'legacy'`` or ``None`` (fall through).

    ``fed`` and ``legacy`` are ``{records, error}`` answers. ``_matrix-fed``
    decides when it answered with records or with an error; the legacy name
    is asked only when ``_matrix-fed`` has no records.
    """
    if fed['error'] or fed['records']:
        return 'fed'
    if legacy['error'] or legacy['records']:
        return 'legacy'
    return None


def well_known_path(name):
    """Return the URL path of document ``name`` (``server``, ``client``, ``support``)."""
    return WELL_KNOWN_PREFIX + name
