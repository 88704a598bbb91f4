# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A homeserver's own outbound federation health, asked on its client/admin listener with an admin token.

Room versions come from the client API's ``/capabilities`` (every implementation); the destinations
Synapse backs off from, and their reset, from Synapse's federation admin API. Dendrite has no admin API
for its backoff (docs: ``roles/homeserver/README.md``, "Outbound federation health").

The pure functions (``parse_*``, ``select_resets``, ``destination_record``) take parsed JSON and return
plain data; :class:`AdminClient` is the small HTTP(S) client they are fed by: one deadline for the whole
run, capped bodies, and an access token that never appears in what it returns or raises.
"""

import datetime
import json
import socket
import ssl
from urllib.parse import quote, urlencode, urlsplit

from ansible_collections.matrix.federation.plugins.module_utils._federation.deadline import DeadlineReader, connect, send_all, tls_handshake
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import USER_AGENT, HttpsResponse, read_response
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import run_deadline
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import VERSION_MAX_BYTES, VERSION_PATH
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import format_host_port

CAPABILITIES_PATH = '/_matrix/client/v3/capabilities'
SERVER_VERSION_PATH = '/_synapse/admin/v1/server_version'
DESTINATIONS_PATH = '/_synapse/admin/v1/federation/destinations'
# Destinations read at the most (in pages of DESTINATIONS_PAGE); more are reported with HEALTH_DESTINATIONS_CUT.
MAX_DESTINATIONS = 10000
DESTINATIONS_PAGE = 1000
# Body caps: a page of 1000 destinations is about 150 KB; capabilities and errors are small.
PAGE_MAX_BYTES = 1024 * 1024
SMALL_MAX_BYTES = 64 * 1024
# Matrix error texts quoted in messages are cut to this many characters.
QUOTE_MAX_CHARS = 200
REDACTED = '<access token>'


def redact(text, secret):
    """``text`` with every occurrence of ``secret`` replaced, so a server that echoes the token leaks nothing."""
    return text.replace(secret, REDACTED) if secret else text


class AdminClient:
    """HTTP(S) to one homeserver base URL with ``Authorization: Bearer``; the whole run shares one deadline.

    Each request uses a new connection (``Connection: close``): a run makes a handful of them, on loopback.
    """

    def __init__(self, base_url, access_token, timeout=10.0, ca_path=None, validate_certs=True):
        parts = urlsplit(base_url)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme not in ('http', 'https') or not parts.hostname or port == -1 or parts.query or parts.fragment:
            raise FederationError('HEALTH_INVALID_BASE_URL', 'base_url %r is not http(s)://host[:port][/prefix]' % base_url)
        if not access_token or any(ord(char) < 0x21 or ord(char) > 0x7e for char in access_token):
            raise FederationError('HEALTH_INVALID_TOKEN', 'access_token is empty or has characters an HTTP header cannot '
                                  'carry (spaces, line breaks, non-ASCII): copy the token alone')
        self.base_url = base_url
        self.host = parts.hostname
        self.port = port or (443 if parts.scheme == 'https' else 80)
        self.prefix = parts.path.rstrip('/')
        self.host_header = format_host_port(self.host, parts.port)
        self.token = access_token
        self.timeout = float(timeout)
        self.deadline = run_deadline(self.timeout)
        self.context = None
        if parts.scheme == 'https':
            try:
                self.context = ssl.create_default_context(cafile=ca_path)
            except (IOError, OSError, ssl.SSLError) as exc:
                raise FederationError('INVALID_CA_PATH', 'cannot load CA bundle %r: %s' % (ca_path, exc))
            if not validate_certs:
                self.context.check_hostname = False
                self.context.verify_mode = ssl.CERT_NONE

    def request(self, method, path, body=None, max_bytes=SMALL_MAX_BYTES):
        """``(status, response)`` of one request; ``response.json()`` parses it. Raises ``FederationError``."""
        where = '%s %s%s' % (method, self.base_url.rstrip('/'), path.split('?')[0])
        try:
            return self._exchange(method, path, body, max_bytes)
        except FederationError as exc:
            code = {'TIMEOUT': 'HEALTH_TIMEOUT', 'RESPONSE_TOO_LARGE': 'HEALTH_RESPONSE_TOO_LARGE'}.get(exc.code, exc.code)
            raise FederationError(code, redact('%s: %s' % (where, exc.message), self.token)) from None
        except socket.timeout:
            raise FederationError('HEALTH_TIMEOUT', '%s: no answer within the time limit (%.1f s)'
                                  % (where, self.timeout)) from None
        except ssl.SSLError as exc:
            raise FederationError('HEALTH_TLS_ERROR', '%s: TLS failed: %s (set ca_path to the CA of the certificate, or '
                                  'use http://127.0.0.1:8008)' % (where, getattr(exc, 'verify_message', None) or exc.reason or type(exc).__name__)) from None
        except OSError as exc:
            raise FederationError('HEALTH_UNREACHABLE', '%s: cannot connect: %s (is the homeserver running and listening '
                                  'there?)' % (where, exc.strerror or type(exc).__name__)) from None
        except Exception as exc:  # pylint: disable=broad-except
            # http.client's parse errors quote what the server sent: name the kind of error, not its text.
            raise FederationError('HEALTH_HTTP_ERROR', '%s: the answer is not valid HTTP (%s)'
                                  % (where, type(exc).__name__)) from None

    def _exchange(self, method, path, body, max_bytes):
        sock = connect((self.host, self.port), self.deadline)
        try:
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
                tls_handshake(sock, self.deadline)
            payload = b'' if body is None else json.dumps(body).encode('utf-8')
            head = ('%s %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: application/json\r\n'
                    'Authorization: Bearer %s\r\nConnection: close\r\n'
                    % (method, self.prefix, path, self.host_header, USER_AGENT, self.token))
            if body is not None:
                head += 'Content-Type: application/json\r\nContent-Length: %d\r\n' % len(payload)
            send_all(sock, head.encode('ascii') + b'\r\n' + payload, self.deadline)
            response = HttpsResponse()
            read_response(DeadlineReader(sock, self.deadline), response, path.split('?')[0], self.host, self.port, max_bytes)
            return response.status, response
        finally:
            sock.close()

    def get_json(self, path, max_bytes=SMALL_MAX_BYTES, allow=(200,)):
        """``(status, document)`` of a GET; statuses outside ``allow`` raise the coded error of :func:`http_failure`."""
        status, response = self.request('GET', path, max_bytes=max_bytes)
        if status not in allow:
            raise http_failure('GET', path, status, response, self.token)
        return status, (parse_body('GET', path, response, self.token) if status == 200 else None)


def parse_body(method, path, response, token):
    """The JSON object of a 200 answer, or ``HEALTH_INVALID_JSON`` (not JSON, cut short, not an object)."""
    try:
        value = response.json()
    except FederationError as exc:
        raise FederationError('HEALTH_INVALID_JSON', redact('%s %s: %s' % (method, path.split('?')[0], exc.message), token))
    if not isinstance(value, dict):
        raise FederationError('HEALTH_INVALID_JSON', '%s %s: the answer is JSON but not an object'
                              % (method, path.split('?')[0]))
    return value


def matrix_error(response, token):
    """``(errcode, error)`` of a Matrix error body, ``(None, None)`` when it is not one; texts redacted and cut."""
    try:
        value = json.loads(response.body.decode('utf-8'))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, None
    if not isinstance(value, dict):
        return None, None
    errcode, error = value.get('errcode'), value.get('error')
    clean = [redact(item, token)[:QUOTE_MAX_CHARS] if isinstance(item, str) else None for item in (errcode, error)]
    return clean[0], clean[1]


def http_failure(method, path, status, response, token):
    """The coded error of an unexpected answer: a rejected token, a user who is not an admin, anything else."""
    errcode, error = matrix_error(response, token)
    said = ' (%s: %s)' % (errcode, error) if errcode else ''
    where = '%s %s' % (method, path.split('?')[0])
    if status == 401:
        return FederationError('HEALTH_TOKEN_REJECTED', '%s answered 401%s: the access token is unknown, expired or '
                               'logged out. Give a current access token of a server admin' % (where, said))
    if status == 403 and errcode == 'M_FORBIDDEN':
        return FederationError('HEALTH_NOT_ADMIN', '%s answered 403%s: the token is valid but its user is not a server '
                               'admin. Use an admin\'s token (Synapse: admin: true in the users table / the admin API)'
                               % (where, said))
    return FederationError('HEALTH_HTTP_ERROR', '%s answered HTTP %s%s' % (where, status, said))


def parse_room_versions(document):
    """``{default, available: {version: stability}}`` from a ``/capabilities`` answer, or ``HEALTH_INVALID_JSON``."""
    versions = (document.get('capabilities') or {}).get('m.room_versions') if isinstance(document.get('capabilities'), dict) else None
    if not isinstance(versions, dict) or not isinstance(versions.get('default'), str) \
            or not isinstance(versions.get('available'), dict) \
            or not all(isinstance(value, str) for value in versions['available'].values()):
        raise FederationError('HEALTH_INVALID_JSON', '%s: capabilities["m.room_versions"] is not {default: str, '
                              'available: {version: stability}}' % CAPABILITIES_PATH)
    return {'default': versions['default'], 'available': dict(versions['available'])}


def iso_time(ms):
    """Milliseconds since the epoch as ISO 8601 UTC; ``None`` for ``None`` and for a time no calendar holds."""
    if ms is None:
        return None
    try:
        moment = datetime.datetime.fromtimestamp(ms / 1000.0, datetime.timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None
    return moment.isoformat(timespec='seconds').replace('+00:00', 'Z')


def _int_or_none(value, name, destination):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FederationError('HEALTH_INVALID_JSON', '%s: %s of %r is not an integer' % (DESTINATIONS_PATH, name, destination))
    return value


def destination_record(entry, now_ms):
    """One destination of Synapse's list as the module returns it; backing off means ``retry_interval`` > 0."""
    if not isinstance(entry, dict) or not isinstance(entry.get('destination'), str):
        raise FederationError('HEALTH_INVALID_JSON', '%s: a destination is not an object with a "destination" name'
                              % DESTINATIONS_PATH)
    name = entry['destination']
    interval = _int_or_none(entry.get('retry_interval'), 'retry_interval', name) or 0
    last = _int_or_none(entry.get('retry_last_ts'), 'retry_last_ts', name) or 0
    failure = _int_or_none(entry.get('failure_ts'), 'failure_ts', name)
    next_ts = last + interval if interval > 0 else None
    return {
        'destination': name, 'backing_off': interval > 0, 'retry_interval_ms': interval, 'retry_last_ts': last or None,
        'failure_ts': failure, 'failure_time': iso_time(failure), 'next_retry_ts': next_ts,
        'next_retry_time': iso_time(next_ts), 'retry_due': None if next_ts is None else next_ts <= now_ms,
        'last_successful_stream_ordering': _int_or_none(entry.get('last_successful_stream_ordering'),
                                                        'last_successful_stream_ordering', name),
    }


def parse_destinations_page(document):
    """``(entries, next_from, total)`` of one page; ``next_from`` is ``None`` on the last page."""
    entries, token, total = document.get('destinations'), document.get('next_token'), document.get('total')
    if not isinstance(entries, list) or isinstance(total, bool) or not isinstance(total, int):
        raise FederationError('HEALTH_INVALID_JSON', '%s: the answer has no "destinations" list and "total" number'
                              % DESTINATIONS_PATH)
    if token is None:
        return entries, None, total
    if not isinstance(token, str) or not token.isdigit():
        raise FederationError('HEALTH_INVALID_JSON', '%s: next_token %r is not a number' % (DESTINATIONS_PATH, token))
    return entries, int(token), total


def read_destinations(client, now_ms, max_destinations=None, page=None):
    """Every destination Synapse knows, page after page, at most ``max_destinations`` (:data:`MAX_DESTINATIONS`).

    Returns ``(records, total, truncated)``. A ``next_token`` that does not move forward ends the reading
    (``HEALTH_INVALID_JSON``) instead of looping.
    """
    max_destinations = max_destinations or MAX_DESTINATIONS
    page = page or DESTINATIONS_PAGE
    records, start, total = [], 0, 0
    while True:
        limit = min(page, max_destinations - len(records))
        path = '%s?%s' % (DESTINATIONS_PATH, urlencode({'from': start, 'limit': limit}))
        dummy, document = client.get_json(path, max_bytes=PAGE_MAX_BYTES)
        entries, next_from, total = parse_destinations_page(document)
        records.extend(destination_record(entry, now_ms) for entry in entries[:limit])
        if next_from is None:
            return records, total, False
        if len(records) >= max_destinations:
            return records, total, True
        if next_from <= start:
            raise FederationError('HEALTH_INVALID_JSON', '%s: next_token %d does not move past %d'
                                  % (DESTINATIONS_PATH, next_from, start))
        start = next_from


def select_resets(records, wanted):
    """``(names to reset, warnings)``: the backing-off destinations, all of them or those of ``wanted``."""
    backing_off = [record['destination'] for record in records if record['backing_off']]
    if wanted is None:
        return backing_off, []
    known = set(record['destination'] for record in records)
    warnings = [finding('HEALTH_DESTINATION_UNKNOWN', '%s is not among the destinations Synapse knows: nothing to reset'
                        % name) for name in wanted if name not in known]
    return [name for name in backing_off if name in set(wanted)], warnings


def reset_destinations(client, names):
    """POST ``reset_connection`` for each name; ``(reset, warnings)``. Raises ``HEALTH_RESET_FAILED`` (with ``reset``)."""
    reset, warnings = [], []
    for name in names:
        path = '%s/%s/reset_connection' % (DESTINATIONS_PATH, quote(name, safe=''))
        try:
            status, response = client.request('POST', path, body={})
        except FederationError as exc:
            exc.reset = reset
            raise
        if status == 200:
            reset.append(name)
        elif status in (400, 404):
            # Synapse: 400 when the retry timing no longer needs a reset, 404 for an unknown destination; either
            # way it changed since the list was read (a send succeeded meanwhile).
            errcode, error = matrix_error(response, client.token)
            warnings.append(finding('HEALTH_RESET_NOT_NEEDED', '%s: Synapse answered %d (%s) to the reset: its backoff '
                                    'ended since the list was read' % (name, status, error or errcode)))
        else:
            exc = http_failure('POST', path, status, response, client.token)
            exc = FederationError('HEALTH_RESET_FAILED' if exc.code == 'HEALTH_HTTP_ERROR' else exc.code,
                                  '%s%s' % (exc.message, '; reset before it: %s' % ', '.join(reset) if reset else ''))
            exc.reset = reset
            raise exc
    return reset, warnings


def detect_synapse(client, implementation):
    """Synapse's version when the admin API answers ``server_version`` (``None``: not Synapse)."""
    if implementation == 'dendrite':
        return None
    status, document = client.get_json(SERVER_VERSION_PATH, allow=(200, 404))
    if status == 404:
        if implementation == 'synapse':
            raise FederationError('HEALTH_NO_ADMIN_API', '%s answered 404 at %s: Synapse\'s admin API is not served '
                                  'there. Point base_url at Synapse\'s own listener (http://127.0.0.1:8008), or let '
                                  'the reverse proxy pass /_synapse/admin' % (client.base_url, SERVER_VERSION_PATH))
        return None
    version = document.get('server_version')
    if not isinstance(version, str):
        raise FederationError('HEALTH_INVALID_JSON', '%s: no "server_version" string' % SERVER_VERSION_PATH)
    return version


def other_server_version(client):
    """``{name, version}`` from the federation version endpoint when this listener serves it, else ``None``."""
    try:
        status, document = client.get_json(VERSION_PATH, max_bytes=VERSION_MAX_BYTES, allow=(200, 404))
    except FederationError as exc:
        if exc.code in ('HEALTH_TIMEOUT', 'HEALTH_UNREACHABLE'):
            raise
        return None
    server = document.get('server') if status == 200 else None
    if not isinstance(server, dict) or not isinstance(server.get('name'), str):
        return None
    return {'name': server['name'], 'version': server.get('version') if isinstance(server.get('version'), str) else None}


def _names(names, most=10):
    shown = ', '.join(names[:most])
    return shown + (' and %d more' % (len(names) - most) if len(names) > most else '')


def homeserver_health(client, now_ms, implementation='auto', reset_backoff=False, destinations=None, check_mode=False,
                      server_name=None):
    """The module's whole result but ``changed``'s source: room versions, backing-off destinations, resets.

    ``destinations`` (names) limits the resets; ``None`` means every destination backing off. In check mode
    ``reset`` lists what would be reset and nothing is posted. Raises ``FederationError``; one raised during
    the resets carries ``reset`` (what was reset before it).
    """
    who = server_name or client.base_url
    dummy, document = client.get_json(CAPABILITIES_PATH)
    result = {'room_versions': parse_room_versions(document), 'admin_api': None, 'destinations': None, 'reset': [],
              'federation_warnings': []}
    synapse_version = detect_synapse(client, implementation)
    if synapse_version is None:
        other = other_server_version(client) if implementation == 'auto' else None
        name = 'dendrite' if implementation == 'dendrite' or (other and other['name'] == 'Dendrite') else 'unknown'
        result.update(implementation=name, server_version=other['version'] if other else None)
        what = 'Dendrite' if name == 'dendrite' else 'This homeserver (%s)' % (other['name'] if other else 'not Synapse')
        if reset_backoff:
            raise FederationError('HEALTH_RESET_UNSUPPORTED', '%s at %s has no admin API to reset federation backoff: '
                                  'reset_backoff works with Synapse only. Dendrite clears a destination\'s backoff and '
                                  'blacklist when that server sends it a federation request (see the homeserver role\'s '
                                  'README, "Outbound federation health")' % (what, who))
        result['federation_warnings'].append(finding(
            'HEALTH_NO_DESTINATIONS_API', '%s at %s has no admin API listing its federation destinations and their '
            'backoff: destinations is null. Dendrite keeps its backoff in memory and its blacklist (after '
            'send_max_retries failures) in its database, and clears both when that server sends it a federation '
            'request' % (what, who)))
        return result
    result.update(implementation='synapse', server_version=synapse_version,
                  admin_api={'name': 'synapse', 'server_version': synapse_version})
    records, total, truncated = read_destinations(client, now_ms)
    backing_off = [record for record in records if record['backing_off']]
    result['destinations'] = {'total': total, 'read': len(records), 'truncated': truncated, 'backing_off': backing_off}
    warnings = result['federation_warnings']
    if truncated:
        warnings.append(finding('HEALTH_DESTINATIONS_CUT', 'Synapse knows %d destinations; the first %d (by name) were '
                                'read, the rest are not reported or reset' % (total, len(records))))
    names = []
    if reset_backoff:
        names, unknown = select_resets(records, destinations)
        warnings.extend(unknown)
        if check_mode:
            result['reset'] = names
        else:
            result['reset'], not_needed = reset_destinations(client, names)
            warnings.extend(not_needed)
    # A reset Synapse found not needed has no backoff left either.
    left = [record['destination'] for record in backing_off if record['destination'] not in names]
    if left:
        warnings.append(finding('HEALTH_BACKING_OFF', '%s backs off from %d destination%s: %s. Synapse retries each '
                                'later by itself (next_retry_time); reset_backoff: true retries now'
                                % (who, len(left), '' if len(left) == 1 else 's', _names(left))))
    return result
