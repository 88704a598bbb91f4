# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""https URLs the HTTPS client may fetch: parsed and checked, redirects resolved (``INVALID_URL``); knows no Matrix.

A URL or a ``Location`` comes from the remote side: whatever it holds ends
as a coded error here, never as an exception out of ``urllib``.
"""

import re
from urllib.parse import urljoin, urlsplit

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import is_ip_literal

_HOSTNAME = re.compile(r'^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?'
                       r'(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$')


def parse_https_url(url, what=None):
    """``(host, port, path, host_header)`` of an https URL, or ``FederationError('INVALID_URL')``.

    Refused: another scheme, no host or one that is neither a DNS name nor an
    IP literal, a port that is not 1-65535, whitespace or control characters
    (they would end up in the request line).
    """
    where = '%s %s' % (what, url) if what else url
    if any(char <= ' ' or char == '\x7f' for char in url):
        raise FederationError('INVALID_URL', '%s: the URL contains spaces or control characters' % where)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise FederationError('INVALID_URL', '%s: not a valid URL (%s)' % (where, exc))
    if parts.scheme != 'https' or not host:
        raise FederationError('INVALID_URL', '%s is not an https URL' % where)
    if not (is_ip_literal(host) or _HOSTNAME.match(host)):
        raise FederationError('INVALID_URL', '%s: %r is not a host name or an IP address' % (where, host))
    if port == 0:
        raise FederationError('INVALID_URL', '%s has an invalid port' % where)
    path = parts.path or '/'
    if parts.query:
        path += '?' + parts.query
    return host, port or 443, path, parts.netloc.rsplit('@', 1)[-1]


def redirect_target(url, location):
    """The https URL a ``Location`` header of the answer to ``url`` points to, checked as :func:`parse_https_url` does."""
    try:
        # An absolute Location stands as it is: urljoin would fill an empty host ("https:///x") from the base.
        target = location if urlsplit(location).scheme else urljoin(url, location)
    except ValueError as exc:
        raise FederationError('INVALID_URL', '%s redirects to %s, which is not a valid URL: %s' % (url, location, exc))
    parse_https_url(target, 'the redirect from %s to' % url)
    return target
