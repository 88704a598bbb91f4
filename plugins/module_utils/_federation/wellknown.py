# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Build, validate, render and compare the ``/.well-known/matrix/*`` documents.

Three documents, all plain JSON objects:

* ``server``  (Server-Server API, "Resolving server names"):
  ``{"m.server": "<server name grammar: host[:port]>"}``
* ``client``  (Client-Server API, "Well-known URIs"):
  ``{"m.homeserver": {"base_url": "https://..."},
  "m.identity_server": {"base_url": "https://..."}, <namespaced extra keys>}``
* ``support`` (MSC1929, spec v1.10):
  ``{"contacts": [{"matrix_id", "email_address", "role"}], "support_page": "https://..."}``

Everything here is pure: no file system, no network. ``validate_*`` return
lists of ``{code, message}`` findings (so a served document can be reported
in full), ``build_*`` raise :class:`FederationError` for bad input.
"""

import json
import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import parse_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import WELL_KNOWN_PREFIX, format_host_port

from urllib.parse import urlsplit

DOCUMENT_NAMES = ('server', 'client', 'support')

SUPPORT_ROLES = ('m.role.admin', 'm.role.security')
CLIENT_RESERVED_KEYS = ('m.homeserver', 'm.identity_server')
_CONTACT_KEYS = ('matrix_id', 'email_address', 'role')

# Current user-ID localpart grammar; older IDs may use any printable ASCII but ':'.
_LOCALPART_RE = re.compile(r'^[a-z0-9._=/+-]+$')
_HISTORICAL_LOCALPART_RE = re.compile(r'^[\x21-\x39\x3b-\x7e]+$')
_EMAIL_RE = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')
# Namespaced identifier (Java package style, e.g. org.matrix.msc3575.proxy).
_NAMESPACED_RE = re.compile(r'^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$')


def well_known_path(name):
    """Return the URL path of document ``name`` (``server``, ``client``, ``support``)."""
    return WELL_KNOWN_PREFIX + name


# --------------------------------------------------------------------------- values


def check_server_value(value, field='m.server'):
    """Return findings for an ``m.server`` value (server-name grammar, no scheme, no path)."""
    if not isinstance(value, str) or not value:
        return [finding('WELLKNOWN_SERVER_INVALID',
                        '%s must be a non-empty string like "matrix.example.com:443", got %r' % (field, value))]
    if '://' in value or '/' in value:
        return [finding('WELLKNOWN_SERVER_INVALID',
                        '%s is %r: it takes a server name (host or host:port, e.g. "matrix.example.com:443"), '
                        'not a URL; drop the scheme and path' % (field, value))]
    try:
        parse_server_name(value)
    except FederationError as exc:
        return [finding('WELLKNOWN_SERVER_INVALID', '%s: %s' % (field, exc.message))]
    return []


def check_https_url(value, field):
    """Return findings for a URL that must be an absolute ``https://`` URL with a valid host."""
    code = 'WELLKNOWN_URL_INVALID'
    if not isinstance(value, str) or not value:
        return [finding(code, '%s must be a non-empty https URL such as "https://matrix.example.com", got %r'
                        % (field, value))]
    if value != value.strip() or any(c.isspace() for c in value):
        return [finding(code, '%s %r contains whitespace' % (field, value))]
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        return [finding(code, '%s %r is not a valid URL: %s' % (field, value, exc))]
    if parts.scheme.lower() == 'http':
        return [finding('WELLKNOWN_URL_NOT_HTTPS',
                        '%s %r uses http: clients and servers need https, write "https://%s"'
                        % (field, value, value.split('://', 1)[1]))]
    if parts.scheme.lower() != 'https':
        return [finding(code, '%s %r must start with "https://" (e.g. "https://matrix.example.com")' % (field, value))]
    if not parts.hostname:
        return [finding(code, '%s %r has no host name' % (field, value))]
    if parts.username is not None or parts.password is not None:
        return [finding(code, '%s %r must not contain credentials' % (field, value))]
    if parts.query or parts.fragment:
        return [finding(code, '%s %r must not have a query string or fragment' % (field, value))]
    host = parts.netloc.rsplit('@', 1)[-1]
    if port is not None:
        host = host.rsplit(':', 1)[0]
    try:
        parse_server_name(host)
    except FederationError as exc:
        return [finding(code, '%s %r has an invalid host: %s' % (field, value, exc.message))]
    return []


def check_matrix_id(value, field):
    """Return (errors, warnings) for a user ID ``@localpart:server_name``."""
    code = 'WELLKNOWN_SUPPORT_INVALID'
    if not isinstance(value, str) or not value.startswith('@') or ':' not in value:
        return [finding(code, '%s must be a Matrix user ID like "@admin:example.com", got %r' % (field, value))], []
    localpart, server = value[1:].split(':', 1)
    if not localpart:
        return [finding(code, '%s %r has an empty localpart' % (field, value))], []
    if len(value.encode('utf-8')) > 255:
        return [finding(code, '%s %r is longer than 255 bytes' % (field, value))], []
    try:
        parse_server_name(server)
    except FederationError as exc:
        return [finding(code, '%s %r: %s' % (field, value, exc.message))], []
    if not _HISTORICAL_LOCALPART_RE.match(localpart):
        return [finding(code, '%s %r: the localpart may only contain printable ASCII characters' % (field, value))], []
    if not _LOCALPART_RE.match(localpart):
        return [], [finding('WELLKNOWN_SUPPORT_HISTORICAL_USER_ID',
                            '%s %r uses characters outside a-z 0-9 . _ = - / +: such user IDs are historical '
                            'and some clients will not open them' % (field, value))]
    return [], []


# --------------------------------------------------------------------------- documents


def _not_an_object(name, doc):
    return [finding('WELLKNOWN_NOT_OBJECT',
                    'the %s document must be a JSON object, got %s' % (name, type(doc).__name__))]


def validate_server_document(doc):
    """Return ``(errors, warnings)`` for a ``/.well-known/matrix/server`` document."""
    if not isinstance(doc, dict):
        return _not_an_object('server', doc), []
    if 'm.server' not in doc:
        return [finding('WELLKNOWN_SERVER_MISSING',
                        'the server document has no "m.server" key: servers ignore it and fall back to SRV and '
                        'port 8448')], []
    errors = check_server_value(doc['m.server'])
    warnings = []
    if not errors:
        parsed = parse_server_name(doc['m.server'])
        if parsed.port is None and not parsed.is_ip_literal:
            warnings.append(finding(
                'WELLKNOWN_SERVER_NO_PORT',
                'm.server %r has no port: other servers look up SRV records for %s and otherwise connect to '
                'port 8448; write "%s:443" if federation is served on 443'
                % (doc['m.server'], parsed.host, parsed.host)))
    extra = sorted(k for k in doc if k != 'm.server')
    if extra:
        warnings.append(finding('WELLKNOWN_SERVER_EXTRA_KEYS',
                                'the server document has keys other servers ignore: %s' % ', '.join(extra)))
    return errors, warnings


def _check_base_url_object(doc, key, required):
    if key not in doc:
        if required:
            return [finding('WELLKNOWN_CLIENT_MISSING_HOMESERVER',
                            'the client document has no "%s": clients cannot discover the homeserver; '
                            'add {"%s": {"base_url": "https://matrix.example.com"}}' % (key, key))]
        return []
    value = doc[key]
    if not isinstance(value, dict) or 'base_url' not in value:
        return [finding('WELLKNOWN_URL_INVALID',
                        '"%s" must be an object with a "base_url", e.g. {"base_url": "https://matrix.example.com"},'
                        ' got %s' % (key, json.dumps(value, sort_keys=True)))]
    return check_https_url(value['base_url'], '%s.base_url' % key)


def validate_client_document(doc):
    """Return ``(errors, warnings)`` for a ``/.well-known/matrix/client`` document."""
    if not isinstance(doc, dict):
        return _not_an_object('client', doc), []
    errors = _check_base_url_object(doc, 'm.homeserver', required=True)
    errors.extend(_check_base_url_object(doc, 'm.identity_server', required=False))
    warnings = []
    for key in sorted(doc):
        if key in CLIENT_RESERVED_KEYS:
            continue
        if not _NAMESPACED_RE.match(key):
            warnings.append(finding('WELLKNOWN_CLIENT_KEY_NOT_NAMESPACED',
                                    'client document key %r is not a namespaced identifier (like '
                                    '"org.matrix.msc3575.proxy"); clients will ignore it' % key))
    return errors, warnings


def validate_support_document(doc):
    """Return ``(errors, warnings)`` for a ``/.well-known/matrix/support`` document (MSC1929, spec v1.10)."""
    code = 'WELLKNOWN_SUPPORT_INVALID'
    if not isinstance(doc, dict):
        return _not_an_object('support', doc), []
    errors, warnings = [], []
    contacts = doc.get('contacts')
    support_page = doc.get('support_page')
    if not contacts and support_page is None:
        errors.append(finding(code, 'the support document needs "contacts" or "support_page" (or both)'))
    if 'contacts' in doc and not isinstance(contacts, list):
        errors.append(finding(code, '"contacts" must be a list of {matrix_id, email_address, role} objects'))
        contacts = []
    for index, contact in enumerate(contacts or []):
        field = 'contacts[%d]' % index
        if not isinstance(contact, dict):
            errors.append(finding(code, '%s must be an object with "role" and "matrix_id" and/or "email_address"'
                                  % field))
            continue
        unknown = sorted(k for k in contact if k not in _CONTACT_KEYS)
        if unknown:
            errors.append(finding(code, '%s has unknown keys %s: allowed are matrix_id, email_address, role'
                                  % (field, ', '.join(unknown))))
        role = contact.get('role')
        if role is None:
            errors.append(finding(code, '%s has no "role": use m.role.admin or m.role.security' % field))
        elif not isinstance(role, str) or (role not in SUPPORT_ROLES and (
                role.startswith('m.') or not _NAMESPACED_RE.match(role))):
            errors.append(finding(code, '%s.role is %r: use m.role.admin, m.role.security or a namespaced role '
                                  'of your own such as "org.example.role.abuse"' % (field, role)))
        if contact.get('matrix_id') is None and contact.get('email_address') is None:
            errors.append(finding(code, '%s needs a "matrix_id" or an "email_address"' % field))
        if contact.get('matrix_id') is not None:
            id_errors, id_warnings = check_matrix_id(contact['matrix_id'], '%s.matrix_id' % field)
            errors.extend(id_errors)
            warnings.extend(id_warnings)
        email = contact.get('email_address')
        if email is not None and (not isinstance(email, str) or not _EMAIL_RE.match(email)):
            errors.append(finding(code, '%s.email_address %r is not an email address like "admin@example.com"'
                                  % (field, email)))
    if support_page is not None:
        errors.extend(check_https_url(support_page, 'support_page'))
    return errors, warnings


VALIDATORS = {
    'server': validate_server_document,
    'client': validate_client_document,
    'support': validate_support_document,
}


def validate_document(name, doc):
    """Return ``(errors, warnings)`` for document ``name`` (``server``, ``client`` or ``support``)."""
    return VALIDATORS[name](doc)


def _raise_on_errors(errors):
    if errors:
        raise FederationError(errors[0]['code'], '; '.join(e['message'] for e in errors))


def build_server_document(server):
    """Return the ``server`` document for the ``m.server`` value ``server`` (e.g. ``matrix.example.com:443``)."""
    doc = {'m.server': server}
    errors, dummy = validate_server_document(doc)
    _raise_on_errors(errors)
    return doc


def build_client_document(base_url, identity_server=None, extra=None):
    """Return the ``client`` document.

    ``extra`` is a dict of further keys merged into the document (e.g.
    ``org.matrix.msc3575.proxy``); it must not set ``m.homeserver`` or
    ``m.identity_server``, which have their own arguments.
    """
    doc = {}
    extra = extra or {}
    if not isinstance(extra, dict):
        raise FederationError('WELLKNOWN_CLIENT_EXTRA_INVALID',
                              'client extra must be a dict of namespaced keys, got %s' % type(extra).__name__)
    clashing = sorted(k for k in extra if k in CLIENT_RESERVED_KEYS)
    if clashing:
        raise FederationError('WELLKNOWN_CLIENT_EXTRA_INVALID',
                              'client extra must not set %s: use the base_url and identity_server options instead'
                              % ', '.join(clashing))
    for key, value in extra.items():
        if not isinstance(key, str) or not _NAMESPACED_RE.match(key):
            raise FederationError('WELLKNOWN_CLIENT_EXTRA_INVALID',
                                  'client extra key %r must be a namespaced identifier such as '
                                  '"org.matrix.msc3575.proxy"' % (key,))
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise FederationError('WELLKNOWN_CLIENT_EXTRA_INVALID',
                                  'client extra %r cannot be written as JSON: %s' % (key, exc))
        doc[key] = value
    doc['m.homeserver'] = {'base_url': base_url}
    if identity_server is not None:
        doc['m.identity_server'] = {'base_url': identity_server}
    errors, dummy = validate_client_document(doc)
    _raise_on_errors(errors)
    return doc


def build_support_document(contacts=None, support_page=None):
    """Return the ``support`` document; contacts with ``None`` fields have them dropped."""
    doc = {}
    if contacts is not None:
        if not isinstance(contacts, list):
            raise FederationError('WELLKNOWN_SUPPORT_INVALID',
                                  'contacts must be a list of {matrix_id, email_address, role}')
        doc['contacts'] = [
            dict((k, v) for k, v in contact.items() if v is not None) if isinstance(contact, dict) else contact
            for contact in contacts]
    if support_page is not None:
        doc['support_page'] = support_page
    errors, dummy = validate_support_document(doc)
    _raise_on_errors(errors)
    return doc


def build_documents(server=None, client=None, support=None):
    """Build every document whose input is given; return ``(documents, warnings)``.

    ``server`` is the ``m.server`` string, ``client`` a dict with ``base_url``,
    ``identity_server`` and ``extra``, ``support`` a dict with ``contacts``
    and ``support_page``. Raises :class:`FederationError` on the first bad
    document, naming every bad value in it.
    """
    documents = {}
    if server is not None:
        documents['server'] = build_server_document(server)
    if client is not None:
        documents['client'] = build_client_document(client.get('base_url'), client.get('identity_server'),
                                                    client.get('extra'))
    if support is not None:
        documents['support'] = build_support_document(support.get('contacts'), support.get('support_page'))
    warnings = []
    for name in DOCUMENT_NAMES:
        if name in documents:
            warnings.extend(validate_document(name, documents[name])[1])
    return documents, warnings


# --------------------------------------------------------------------------- rendering and comparing


def render_document(doc):
    """Render ``doc`` as deterministic JSON bytes: sorted keys, indent 2, trailing newline.

    ASCII-only output (non-ASCII escaped) so the file reads the same whatever
    charset a web server declares.
    """
    try:
        text = json.dumps(doc, sort_keys=True, indent=2, separators=(',', ': '), ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise FederationError('WELLKNOWN_NOT_JSON', 'cannot render the document as JSON: %s' % exc)
    return (text + '\n').encode('ascii')


def parse_document(data):
    """Parse bytes or text into a JSON value or raise ``FederationError`` (``WELLKNOWN_NOT_JSON``)."""
    if isinstance(data, bytes):
        try:
            data = data.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise FederationError('WELLKNOWN_NOT_JSON', 'the document is not UTF-8: %s' % exc)
    stripped = data.lstrip()
    if stripped[:1] == '<':
        raise FederationError('WELLKNOWN_NOT_JSON',
                              'the document is HTML, not JSON: the web server serves a page (often an index or '
                              'error page) instead of the file')
    try:
        return json.loads(data)
    except ValueError as exc:
        raise FederationError('WELLKNOWN_NOT_JSON', 'the document is not valid JSON: %s' % exc)


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
    result = []
    for item in items or []:
        if isinstance(item, dict):
            result.append(finding(item.get('code', 'WELLKNOWN_WARNING'), item.get('message', '')))
        else:
            result.append(finding('WELLKNOWN_WARNING', str(item)))
    return result


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
