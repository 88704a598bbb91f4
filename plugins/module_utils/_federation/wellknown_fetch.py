# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fetch the ``/.well-known/matrix/*`` documents the way homeservers do and describe what came back.

The HTTPS client only moves bytes; the well-known rules (the 50 KiB cap,
JSON whatever the content type, HTML meaning "no delegation", the
``WELLKNOWN_`` error codes) live here.
"""

import datetime
import re
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsurl import parse_https_url, redirect_target
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import run_parallel
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    HOST_MAX_ADDRESSES, WELL_KNOWN_DEFAULT_CACHE_S, WELL_KNOWN_ERROR_CACHE_S, WELL_KNOWN_MAX_BYTES, WELL_KNOWN_MAX_CACHE_S,
    WELL_KNOWN_MIN_CACHE_S, WELL_KNOWN_SERVER_PATH, ip_family, is_ip_literal, well_known_path,
)

# The start of a body kept in the result, for reports and messages.
BODY_TEXT_LIMIT = 4096
# Redirects followed (the HTTPS client's limit, the Go tester's).
MAX_REDIRECTS = 10
# Failures that make a client try the host's next address.
CONNECTION_FAILURES = ('CONNECTION_REFUSED', 'CONNECTION_FAILED', 'CONNECTION_TIMEOUT')


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
    result = _empty_result(url)
    try:
        response, redirects = client.get_url(url, max_bytes=max_bytes, budget=budget, max_addresses=HOST_MAX_ADDRESSES)
    except FederationError as exc:
        return _error_result(url, exc)
    return describe_answer(result, response, redirects)


def describe_answer(result, response, redirects):
    """Fill ``result`` (a :func:`fetch_well_known` dict) from the final answer of a fetch; return it."""
    url = result['url']
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


def _empty_result(url):
    return {'url': url, 'status': None, 'headers': {}, 'content_type': None, 'body_text': None,
            'json': None, 'redirects': [], 'error': None, 'warnings': []}


def _error_result(url, exc):
    # The run's deadline ending the fetch is the fetch timing out: one code, WELLKNOWN_HTTP_TIMEOUT.
    code = {'RESPONSE_TOO_LARGE': 'TOO_LARGE', 'TIMEOUT': 'HTTP_TIMEOUT'}.get(exc.code, exc.code)
    result = _empty_result(url)
    result['error'] = {'code': 'WELLKNOWN_' + code, 'message': '%s: %s' % (url, exc.message)}
    return result


class _OtherFamilyOnly(FederationError):
    """A redirect leads to a host with addresses of the other family only."""


def _same_family(addresses, family):
    return [a for a in addresses if ip_family(a) == family]


def _get_from_address(url, ip, client, dns, deadline, max_bytes):
    """GET ``url`` from ``ip`` and follow its redirects as a peer that reaches the host over ``ip``'s family.

    A redirect to the same host stays on ``ip``; one to another host uses
    that host's addresses of the same family (an IPv6-only peer has no
    others), tried in turn while connections fail. Returns
    ``(response, redirects)``; raises ``FederationError``.
    """
    family = ip_family(ip)
    first_host = parse_https_url(url)[0].lower().rstrip('.')
    seen, redirects = [url], []
    while True:
        host, port, path, host_header = parse_https_url(url)
        if host.lower().rstrip('.') == first_host:
            addresses = [ip]
        elif is_ip_literal(host):
            addresses = _same_family([host], family)
        else:
            answer = dns.resolve_host(host) if dns is not None else {
                'addresses': [], 'error': {'code': 'DNS_ERROR', 'message': 'no DNS client to resolve %s' % host}}
            if answer['error']:
                raise FederationError(answer['error']['code'], answer['error']['message'])
            addresses = _same_family(answer['addresses'], family)[:HOST_MAX_ADDRESSES]
        if not addresses:
            raise _OtherFamilyOnly('DNS_NO_ADDRESSES', 'the redirect to %s leads to a host without an %s address: '
                                   'peers that reach %s over %s cannot follow it' % (url, family, first_host, family))
        error = None
        for address in addresses:
            try:
                response = client.request(address, port, path, host_header, tls_name=host, max_bytes=max_bytes,
                                          deadline=deadline)
                break
            except FederationError as exc:
                if exc.code not in CONNECTION_FAILURES:
                    raise
                error = exc
        else:
            raise error
        location = response.headers.get('location')
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response, redirects
        target = redirect_target(url, location)
        if target in seen:
            raise FederationError('REDIRECT_LOOP', 'redirect loop: %s -> %s' % (' -> '.join(seen), target))
        if len(redirects) >= MAX_REDIRECTS:
            raise FederationError('TOO_MANY_REDIRECTS', 'more than %d redirects starting at %s' % (MAX_REDIRECTS, seen[0]))
        seen.append(target)
        redirects.append(target)
        url = target


def fetch_well_known_by_address(hostname, client, path=WELL_KNOWN_SERVER_PATH, max_bytes=WELL_KNOWN_MAX_BYTES,
                                budget=None):
    """Fetch ``https://<hostname><path>`` from every address of ``hostname`` at once.

    Every A and AAAA address (at most :data:`HOST_MAX_ADDRESSES`, both
    families kept) gets the same fetch as :func:`fetch_well_known` (same
    rules, same codes), all of them within one ``budget`` (default: a
    step's share of the client's ``timeout``, the well-known phase).
    Returns ``{result, by_address, dns}``: ``by_address`` maps each address to
    its :func:`fetch_well_known` dict, ``result`` is the one a homeserver
    gets (the first address, the next one only while connections fail:
    what the HTTPS client does), ``dns`` is ``{host, ipv4, ipv6, errors}``
    (the addresses asked, the family lookups that failed).
    """
    url = 'https://%s%s' % (hostname, path)
    deadline = client.deadline.sub(client.step if budget is None else budget)
    dns = client.dns.for_run(deadline) if client.dns is not None else None
    try:
        host = parse_https_url(url)[0]
    except FederationError as exc:
        return {'result': _error_result(url, exc), 'by_address': {}, 'dns': None}
    if is_ip_literal(host):
        answer = {'addresses': [host], 'ipv4': [], 'ipv6': [], 'error': None, 'family_errors': []}
        answer['ipv6' if ':' in host else 'ipv4'] = [host]
    elif dns is None:
        answer = {'addresses': [], 'ipv4': [], 'ipv6': [], 'family_errors': [],
                  'error': {'code': 'DNS_ERROR', 'message': 'no DNS client to resolve %s' % host}}
    else:
        answer = dns.resolve_host(host)
    ipv4, ipv6 = list(answer.get('ipv4') or []), list(answer.get('ipv6') or [])
    keep4 = min(len(ipv4), max(HOST_MAX_ADDRESSES - len(ipv6), HOST_MAX_ADDRESSES // 2))
    addresses = ipv4[:keep4] + ipv6[:HOST_MAX_ADDRESSES - keep4]
    dns_info = {'host': host, 'ipv4': ipv4, 'ipv6': ipv6, 'errors': list(answer.get('family_errors') or [])}
    if not addresses:
        error = answer['error'] or {'code': 'DNS_NO_ADDRESSES', 'message': '%s has no A or AAAA records' % host}
        return {'result': _error_result(url, FederationError(error['code'], error['message'])),
                'by_address': {}, 'dns': dns_info}
    other_family_only = set()

    def fetch(ip):
        result = _empty_result(url)
        try:
            response, redirects = _get_from_address(url, ip, client, dns, deadline, max_bytes)
        except _OtherFamilyOnly as exc:
            other_family_only.add(ip)
            return _error_result(url, exc)
        except FederationError as exc:
            return _error_result(url, exc)
        return describe_answer(result, response, redirects)

    outcomes = run_parallel([lambda ip=ip: fetch(ip) for ip in addresses])
    by_address = {}
    for ip, (result, exc) in zip(addresses, outcomes):
        if exc is not None:
            result = _empty_result(url)
            result['error'] = {'code': 'WELLKNOWN_FETCH_FAILED', 'message': '%s from %s: %s: %s'
                               % (url, ip, type(exc).__name__, exc)}
        by_address[ip] = result
    chosen_ip = next((ip for ip in addresses if (by_address[ip]['error'] or {}).get('code', '')[len('WELLKNOWN_'):]
                      not in CONNECTION_FAILURES), addresses[-1])
    chosen = by_address[chosen_ip]
    if chosen_ip in other_family_only:
        # A redirect to a host of the other family only: a dual-stack homeserver follows it.
        chosen = fetch_well_known(hostname, client, path, max_bytes, budget=max(0.0, deadline.remaining()))
    return {'result': chosen, 'by_address': by_address, 'dns': dns_info}


def _cache_directives(headers):
    directives = {}
    for part in str(headers.get('cache-control') or '').split(','):
        name, dummy, value = part.partition('=')
        if name.strip():
            directives[name.strip().lower()] = value.strip().strip('"') or None
    return directives


def _http_date(value):
    """An HTTP date (``Date``, ``Expires``) as a POSIX timestamp, or ``None``; imports email.utils only then."""
    import email.utils  # pylint: disable=import-outside-toplevel
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


def well_known_cache_lifetime(headers, delegated, now=None):
    """How long peers keep this well-known answer, as Synapse computes it (pure).

    ``headers`` are the final answer's (lower-case names), ``delegated``
    whether it gave a delegation. Without one, the failure is kept
    :data:`WELL_KNOWN_ERROR_CACHE_S` (source ``error``). Otherwise
    ``Cache-Control: no-store`` (0), then ``max-age``, then ``Expires``
    (against the answer's ``Date``, else ``now``; an invalid date is
    already expired), each kept within
    :data:`WELL_KNOWN_MIN_CACHE_S`..:data:`WELL_KNOWN_MAX_CACHE_S`
    (``capped`` then says the header asked for another value); with
    none of them :data:`WELL_KNOWN_DEFAULT_CACHE_S` (source ``default``).
    ``no-cache`` is not read (Synapse ignores it). Returns
    ``{lifetime_s, source, capped, requested_s}``, ``requested_s`` being
    what the headers asked (``None`` for ``default`` and ``error``).
    """
    if not delegated:
        return {'lifetime_s': WELL_KNOWN_ERROR_CACHE_S, 'source': 'error', 'capped': False, 'requested_s': None}
    headers = headers or {}
    directives = _cache_directives(headers)
    requested, source = None, None
    if 'no-store' in directives:
        requested, source = 0, 'no-store'
    elif directives.get('max-age') is not None and re.match(r'^-?[0-9]+$', directives['max-age']):
        requested, source = int(directives['max-age']), 'max-age'
    elif headers.get('expires') is not None:
        expires = _http_date(headers['expires'])
        base = _http_date(headers.get('date')) if headers.get('date') else None
        base = base if base is not None else (now if now is not None else time.time())
        requested, source = (int(round(expires - base)) if expires is not None else 0), 'expires'
    if source is None:
        return {'lifetime_s': WELL_KNOWN_DEFAULT_CACHE_S, 'source': 'default', 'capped': False, 'requested_s': None}
    lifetime = max(WELL_KNOWN_MIN_CACHE_S, min(WELL_KNOWN_MAX_CACHE_S, requested))
    return {'lifetime_s': lifetime, 'source': source, 'capped': lifetime != requested, 'requested_s': requested}


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
