# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Judge what a web server serves at ``/.well-known/matrix/*`` against the wanted documents (pure).

Where the documents of a URL or server name are fetched, how a served
document differs from the wanted one (JSON pointers), and the verdict on
each fetched document: the fetching itself is in :mod:`wellknown_fetch`.
"""

import json

from urllib.parse import urlsplit

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import parse_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import format_host_port
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown import DOCUMENT_NAMES, check_https_url, validate_document


def _pointer(parts):
    return '/' + '/'.join(str(p).replace('~', '~0').replace('/', '~1') for p in parts) if parts else ''


def _short(value):
    return json.dumps(value, sort_keys=True)


def compare_documents(wanted, served, document=None):
    """Return the differences between the ``wanted`` and the ``served`` JSON values.

    Each difference is ``{document, path, kind, wanted, served, message}``
    where ``path`` is a JSON pointer (RFC 6901; keys contain dots, so dotted
    paths would be ambiguous) and ``kind`` is ``missing`` (wanted, not
    served), ``unexpected`` (served, not wanted) or ``changed``. Lists are
    compared item by item. An empty list means equal.
    """
    differences = []
    label = '%s document' % document if document else 'document'

    def add(parts, kind, want, got):
        path = _pointer(parts) or '/'
        if kind == 'missing':
            message = '%s: %s is missing, expected %s' % (label, path, _short(want))
        elif kind == 'unexpected':
            message = '%s: %s is served (%s) but not wanted' % (label, path, _short(got))
        else:
            message = '%s: %s is %s, expected %s' % (label, path, _short(got), _short(want))
        differences.append({'document': document, 'path': path, 'kind': kind, 'wanted': want, 'served': got,
                            'message': message})

    def walk(parts, want, got):
        if isinstance(want, dict) and isinstance(got, dict):
            for key in sorted(set(want) | set(got)):
                if key not in got:
                    add(parts + [key], 'missing', want[key], None)
                elif key not in want:
                    add(parts + [key], 'unexpected', None, got[key])
                else:
                    walk(parts + [key], want[key], got[key])
        elif isinstance(want, list) and isinstance(got, list):
            for index in range(max(len(want), len(got))):
                if index >= len(got):
                    add(parts + [index], 'missing', want[index], None)
                elif index >= len(want):
                    add(parts + [index], 'unexpected', None, got[index])
                else:
                    walk(parts + [index], want[index], got[index])
        elif type(want) is not type(got) or want != got:
            # type() check: JSON 1 and true and 1.0 are different values.
            add(parts, 'changed', want, got)

    walk([], wanted, served)
    return differences


# --------------------------------------------------------------------------- what a web server really serves


def well_known_host(url=None, server_name=None):
    """Return ``(host[:port], warnings)``: where the documents of ``url`` or ``server_name`` are fetched.

    ``url`` is a base URL ``https://host[:port]`` (no path). For a server
    name the spec fetches ``https://<hostname>/.well-known/...`` on port 443,
    whatever port the name carries.
    """
    warnings = []
    if url is not None:
        errors = check_https_url(url, 'url')
        if errors:
            raise FederationError(errors[0]['code'], errors[0]['message'])
        parts = urlsplit(url)
        if parts.path not in ('', '/'):
            raise FederationError('WELLKNOWN_URL_INVALID',
                                  'url %r must be a base URL such as "https://example.com" without a path: '
                                  '/.well-known/matrix/<document> is appended' % url)
        return parts.netloc, warnings
    if isinstance(server_name, str) and '://' in server_name:
        raise FederationError('INVALID_SERVER_NAME',
                              'server_name %r is a URL: give the name as in user IDs (e.g. "example.com"), '
                              'or use the url option for a URL' % server_name)
    parsed = parse_server_name(server_name)
    if parsed.port is not None or parsed.is_ip_literal:
        warnings.append(finding(
            'WELLKNOWN_SERVER_IGNORED',
            'server name %r is %s: other servers connect to it directly and never read '
            '/.well-known/matrix/server (clients still read /.well-known/matrix/client)'
            % (server_name, 'an IP literal' if parsed.is_ip_literal else 'given with a port')))
    return format_host_port(parsed.host, None), warnings


def assess_served_document(name, fetched, wanted=None, expect_absent=False):
    """Judge one fetched document (the dict ``wellknown_fetch.fetch_well_known`` returns).

    ``wanted`` is the document it must equal (``None``: only validate, and a
    404 is fine); ``expect_absent`` means it must answer 404. Returns ``{served, errors, warnings,
    differences}``.
    """
    headers = dict((str(k).lower(), v) for k, v in (fetched.get('headers') or {}).items())
    url = fetched.get('url')
    status = fetched.get('status')
    served = {
        'url': url,
        'status': status,
        'content_type': fetched.get('content_type'),
        'access_control_allow_origin': headers.get('access-control-allow-origin'),
        'redirects': list(fetched.get('redirects') or []),
        'json': fetched.get('json'),
        'error': fetched.get('error'),
    }
    report = {'served': served, 'errors': [], 'warnings': [], 'differences': []}
    errors, warnings = report['errors'], report['warnings']
    final_url = served['redirects'][-1] if served['redirects'] else url

    if status == 404:
        if expect_absent:
            return report
        if wanted is not None:
            errors.append(finding('WELLKNOWN_NOT_SERVED',
                                  '%s answers HTTP 404: the %s document is not served; check that the file '
                                  'exists in the directory the web server serves as /.well-known/matrix/ and '
                                  'that no other location rule catches the path' % (final_url, name)))
        return report
    if expect_absent:
        if status == 200:
            errors.append(finding('WELLKNOWN_STILL_SERVED',
                                  '%s is still served (HTTP 200): remove the file or the web server rule that '
                                  'answers for it' % final_url))
        elif fetched.get('error') and status is None:
            errors.append(fetched['error'])
        else:
            errors.append(finding('WELLKNOWN_HTTP_STATUS',
                                  '%s answers HTTP %s instead of 404: clients treat anything but 404 as a '
                                  'broken delegation and show an error' % (final_url, status)))
        return report

    fetch_warnings = _as_findings(fetched.get('warnings'))
    error = fetched.get('error')
    if error and error.get('code') == 'WELLKNOWN_INVALID_JSON' and any(
            w['code'] == 'WELLKNOWN_HTML' for w in fetch_warnings):
        # One clear error instead of a JSON parser message plus a warning.
        fetch_warnings = [w for w in fetch_warnings if w['code'] != 'WELLKNOWN_HTML']
        error = finding(error['code'], '%s returns HTML (status %s), not JSON: the web server serves a page '
                                       '(an index, login or error page) instead of the file' % (final_url, status))
    elif error and error.get('code') == 'WELLKNOWN_TLS_CERT_INVALID':
        error = finding(error['code'], '%s: homeservers and clients will refuse this certificate too (for a '
                                       'private CA, set ca_path)' % error.get('message'))
    warnings.extend(fetch_warnings)
    if error:
        errors.append(error)
        return report
    if served['redirects']:
        warnings.append(finding('WELLKNOWN_REDIRECTED',
                                '%s redirects to %s: homeservers follow redirects, but each hop costs time '
                                'and web clients need CORS headers on every hop; serve the file directly'
                                % (url, ' -> '.join(served['redirects']))))
    if name == 'client':
        origin = served['access_control_allow_origin']
        if origin is None:
            errors.append(finding('WELLKNOWN_CLIENT_NO_CORS',
                                  '%s has no Access-Control-Allow-Origin header: web clients such as Element '
                                  'Web cannot read it; add "Access-Control-Allow-Origin: *"' % final_url))
        elif origin.strip() != '*':
            warnings.append(finding('WELLKNOWN_CLIENT_CORS_RESTRICTED',
                                    '%s sends Access-Control-Allow-Origin %r: only that origin\'s web clients can '
                                    'read it; the spec asks for "*"' % (final_url, origin)))
    doc_errors, doc_warnings = validate_document(name, served['json'])
    errors.extend(finding(e['code'], '%s: %s' % (final_url, e['message'])) for e in doc_errors)
    warnings.extend(finding(w['code'], '%s: %s' % (final_url, w['message'])) for w in doc_warnings)
    if wanted is not None:
        report['differences'] = compare_documents(wanted, served['json'], name)
    return report


def _as_findings(items):
    # fetch_well_known() gives every warning its code (WELLKNOWN_HTML, WELLKNOWN_CONTENT_TYPE).
    return [finding(item['code'], item['message']) for item in items or []]


def documents_to_fetch(wanted, state='present', requested=None):
    """The documents to fetch: with state ``present`` and ``wanted``, those; otherwise ``requested`` or all three."""
    if state == 'present' and wanted:
        return [name for name in DOCUMENT_NAMES if name in wanted]
    return requested or list(DOCUMENT_NAMES)


def assess_served_documents(fetched, wanted, state='present'):
    """Judge every fetched document; ``fetched`` and ``wanted`` are keyed by document name.

    With ``state='present'`` a document in ``wanted`` must be served and
    equal; a document fetched without a wanted content is only validated
    (a 404 is then fine). With ``state='absent'`` every fetched document must
    answer 404. Returns ``{wellknown_ok, served, differences, errors,
    federation_warnings}``.
    """
    result = {'served': {}, 'differences': [], 'errors': [], 'federation_warnings': []}
    for name in DOCUMENT_NAMES:
        if name not in fetched:
            continue
        report = assess_served_document(name, fetched[name], wanted.get(name) if state == 'present' else None,
                                        expect_absent=(state == 'absent'))
        result['served'][name] = report['served']
        result['errors'].extend(report['errors'])
        result['federation_warnings'].extend(report['warnings'])
        result['differences'].extend(report['differences'])
    result['wellknown_ok'] = not result['errors'] and not result['differences']
    return result
