# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fetch the ``/.well-known/matrix/*`` documents the way homeservers do and describe what came back.

The HTTPS client only moves bytes; the well-known rules (the 50 KiB cap,
JSON whatever the content type, HTML meaning "no delegation", the
``WELLKNOWN_`` error codes) live here.
"""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import run_parallel
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    HOST_MAX_ADDRESSES, WELL_KNOWN_MAX_BYTES, WELL_KNOWN_SERVER_PATH, is_ip_literal,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown import DOCUMENT_NAMES, well_known_path
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_served import assess_served_documents

# The start of a body kept in the result, for reports and messages.
BODY_TEXT_LIMIT = 4096


def _looks_like_html(body, content_type):
    head = body[:512].lstrip().lower()
    return 'html' in (content_type or '').lower() or head.startswith(b'<!doctype html') or head.startswith(b'<html')


def fetch_well_known(hostname, client, path=WELL_KNOWN_SERVER_PATH, max_bytes=WELL_KNOWN_MAX_BYTES, budget=None):
    """Fetch ``https://<hostname><path>`` the way homeservers do and describe the result.

    ``hostname`` may carry a port (``host:8443``). Redirects are followed
    (loops detected, at most 10), any content type is parsed as JSON, bodies
    over ``max_bytes`` are refused. The fetch with all its redirects takes
    at most ``budget`` seconds (default: a third of the client's ``timeout``,
    the well-known phase of a federation test). Never raises for network or content
    problems: returns a plain dict with the keys ``url``, ``status``,
    ``headers``, ``content_type``, ``body_text`` (first 4096 characters),
    ``json`` (parsed body or ``None``), ``redirects`` (URLs followed),
    ``error`` (``{code, message}`` or ``None``) and ``warnings`` (list of
    ``{code, message}``). Error codes are ``WELLKNOWN_`` + the client's code
    (e.g. ``WELLKNOWN_HTTP_STATUS``, ``WELLKNOWN_INVALID_JSON``,
    ``WELLKNOWN_TOO_LARGE``, ``WELLKNOWN_REDIRECT_LOOP``, ``WELLKNOWN_INVALID_URL``
    for a redirect that does not parse).
    """
    url = 'https://%s%s' % (hostname, path)
    result = {'url': url, 'status': None, 'headers': {}, 'content_type': None, 'body_text': None,
              'json': None, 'redirects': [], 'error': None, 'warnings': []}
    try:
        response, redirects = client.get_url(url, max_bytes=max_bytes, budget=budget, max_addresses=HOST_MAX_ADDRESSES)
    except FederationError as exc:
        code = {'RESPONSE_TOO_LARGE': 'TOO_LARGE'}.get(exc.code, exc.code)
        result['error'] = {'code': 'WELLKNOWN_' + code, 'message': '%s: %s' % (url, exc.message)}
        return result
    result['redirects'] = redirects
    result['status'] = response.status
    result['headers'] = response.headers
    content_type = response.headers.get('content-type')
    result['content_type'] = content_type
    result['body_text'] = response.body[:BODY_TEXT_LIMIT].decode('utf-8', 'replace')
    final_url = redirects[-1] if redirects else url
    # What a non-200 answer's body looks like says nothing (a web server's own 404 page is HTML): it is
    # simply no well-known. A 200 answer homeservers try to read as the delegation.
    read_as_delegation = response.status == 200
    if read_as_delegation and _looks_like_html(response.body, content_type):
        result['warnings'].append({'code': 'WELLKNOWN_HTML', 'message': '%s returns HTML (status %s), not JSON: homeservers '
                                   'ignore it and fall back to port 8448' % (final_url, response.status)})
    elif read_as_delegation and (content_type is None or content_type.split(';')[0].strip().lower() != 'application/json'):
        result['warnings'].append({'code': 'WELLKNOWN_CONTENT_TYPE', 'message': '%s is served as %r, not application/json '
                                   '(homeservers accept it, browsers and some tools do not)' % (final_url, content_type)})
    if response.status != 200:
        result['error'] = {'code': 'WELLKNOWN_HTTP_STATUS', 'message': '%s answered HTTP %s' % (final_url, response.status)}
        return result
    try:
        result['json'] = response.json()
    except FederationError as exc:
        result['error'] = {'code': 'WELLKNOWN_INVALID_JSON', 'message': '%s: %s' % (final_url, exc.message)}
    return result


def fetch_well_known_documents(host, client, names):
    """Fetch the documents ``names`` (``server``, ``client``, ``support``) of ``host`` at once.

    Returns ``{name: result}`` with :func:`fetch_well_known` results; the
    client's deadline (its whole ``timeout``) bounds the whole fetch, not each document.
    """
    outcomes = run_parallel([
        (lambda name=name: fetch_well_known(host, client, well_known_path(name), budget=client.timeout)) for name in names])
    fetched = {}
    for name, (answer, exc) in zip(names, outcomes):
        if exc is not None:
            error = exc.as_dict() if isinstance(exc, FederationError) else {
                'code': 'WELLKNOWN_FETCH_FAILED', 'message': '%s: %s' % (well_known_path(name), exc)}
            answer = {'url': 'https://%s%s' % (host, well_known_path(name)), 'error': error}
        fetched[name] = answer
    return fetched


def needs_dns(host):
    """Whether fetching from ``host`` (``name``, ``name:port``, ``ip``, ``[v6]:port``) needs a DNS lookup."""
    hostname = host.rsplit(':', 1)[0] if not host.endswith(']') else host
    return not is_ip_literal(hostname.strip('[]'))


def check_served_documents(host, client, documents, state='present', requested=None):
    """Fetch the documents ``host`` serves and judge them against ``documents`` (for ``matrix_wellknown``).

    With state ``present`` and ``documents`` the documents wanted are
    fetched; otherwise ``requested`` or all three. Returns the
    :func:`wellknown_served.assess_served_documents` result with ``changed: false``.
    """
    if state == 'present' and documents:
        names = [name for name in DOCUMENT_NAMES if name in documents]
    else:
        names = requested or list(DOCUMENT_NAMES)
    result = assess_served_documents(fetch_well_known_documents(host, client, names), documents, state)
    result['changed'] = False
    return result
