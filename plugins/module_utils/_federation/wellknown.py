# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Build, validate, render and parse the ``/.well-known/matrix/*`` documents.

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


# --------------------------------------------------------------------------- rendering and parsing


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
