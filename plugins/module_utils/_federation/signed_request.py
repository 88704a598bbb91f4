# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Signed federation requests: seeing our server from the peers' side (spec, "Request Authentication").

A peer answers an ``X-Matrix`` signed request only after it resolved our
server name, fetched our keys from ``/_matrix/key/v2/server`` and verified
the signature, so its answer proves (or, with its reason, disproves) that
it can authenticate us. Pure parts: loading the key (:func:`load_signing_key`),
the ``Authorization`` header (:func:`build_authorization`) and judging an
answer (:func:`judge_answer`); :func:`send_signed_requests` does the network.

The signing key's seed stays in :class:`keyformat.SigningKey` and the
``cryptography`` key object: no result, message or exception text here ever
carries it (messages about the key file come from :mod:`keyformat`, which
never quotes a file).
"""

import json
import os
import re
import secrets
import time
from urllib.parse import quote

from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import resolve_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.fileutil import read_regular_file
from ansible_collections.matrix.federation.plugins.module_utils._federation.keyformat import check_format, parse_key_file
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import clients_for_run, make_clients
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import parse_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.signing import (
    encode_base64, encode_canonical_json, signing_key_from_seed,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import format_host_port
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_batch

DIRECTORY_PATH = '/_matrix/federation/v1/query/directory'
MEDIA_PATH = '/_matrix/federation/v1/media/download/'
REQUEST_KINDS = ('directory', 'media')
# The alias and media id asked for: never existing, recognisable in the peer's logs.
PROBE_PREFIX = 'matrix-federation-check-'
# Answers are small JSON errors; a media download that exists would be cut (it never does: the id is random).
ANSWER_MAX_BYTES = 64 * 1024
# How much of the peer's reason is returned and quoted.
REASON_MAX_CHARS = 300
# Failures of the connection itself: the next address is tried, as homeservers do.
_CONNECT_CODES = ('CONNECTION_REFUSED', 'CONNECTION_FAILED', 'CONNECTION_TIMEOUT', 'TLS_CERT_INVALID', 'TLS_ERROR',
                  'TLS_TIMEOUT')
# How homeservers say they could not get the origin's key. Synapse (crypto/keyring.py):
# "Failed to find any key to satisfy: _FetchKeyRequest(server_name=..., key_ids=[...])". Dendrite
# (gomatrixserverlib VerifyHTTPRequest) says "Invalid request signature" for both a missing key and a bad
# signature, so its 401s stay SIGNED_REQUEST_REJECTED.
_KEY_NOT_FETCHED_RE = re.compile(r'failed to find any key to satisfy|(could not|couldn\'t|failed to|unable to) '
                                 r'(fetch|find|get|retrieve|obtain)[^.]*\bkeys?\b|no (server|signing|verify) keys? '
                                 r'(found|for)', re.IGNORECASE)
# Synapse (crypto/keyring.py): "Invalid signature for server S with key ed25519:X: ...".
_SIGNATURE_INVALID_RE = re.compile(r'invalid signature for server', re.IGNORECASE)
_CONTROL_RE = re.compile(r'[\x00-\x1f\x7f]+')


def load_signing_key(path, key_format='synapse', key_id=None):
    """The :class:`SigningKey` of ``path`` that signs: ``key_id`` or the file's first key.

    Raises ``FederationError('SIGNING_KEY_UNUSABLE')`` when the file is
    missing, unreadable, not a regular file, malformed, empty or without
    ``key_id``; the message names the file and the underlying code, never
    its content. A symbolic link is followed (the module only reads).
    """
    def unusable(reason):
        return FederationError('SIGNING_KEY_UNUSABLE', 'signing_key_path %s: %s' % (path, reason))

    try:
        check_format(key_format)
        data = read_regular_file(os.path.realpath(path))
        if data is None:
            raise unusable('no such file: give the path of the homeserver\'s signing key on this host '
                           '(Synapse: signing_key_path in homeserver.yaml; Dendrite: global.private_key)')
        keys = parse_key_file(data, source=path, key_format=key_format)
    except FederationError as exc:
        if exc.code == 'SIGNING_KEY_UNUSABLE':
            raise
        raise unusable('%s: %s' % (exc.code, exc.message))
    if not keys:
        raise unusable('the file holds no key (it is empty)')
    if key_id is None:
        return keys[0]
    for key in keys:
        if key.key_id == key_id or key.version == key_id:
            return key
    raise unusable('key_id %s is not in the file, which holds %s' % (key_id, ', '.join(k.key_id for k in keys)))


def signing_json(method, uri, origin, destination, content=None):
    """The JSON object the spec signs for a request (``content`` only when there is a body)."""
    obj = {'method': method, 'uri': uri, 'origin': origin, 'destination': destination}
    if content is not None:
        obj['content'] = content
    return obj


def _quoted(name, value):
    # A quote or backslash in a server name or key id would end the quoted-string early; neither is valid there.
    # The names are checked before (INVALID_SERVER_NAME): this is the same fault, caught at the last step.
    if not value or any(c in value for c in '"\\') or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise FederationError('INVALID_SERVER_NAME', '%s %r cannot go in an X-Matrix header' % (name, value))
    return '%s="%s"' % (name, value)


def build_authorization(method, uri, origin, destination, key_id, private_key, content=None):
    """The ``Authorization: X-Matrix ...`` value for one request, signed with ``private_key`` (an ed25519 key object).

    ``uri`` is the path and query exactly as sent.
    """
    signature = private_key.sign(encode_canonical_json(signing_json(method, uri, origin, destination, content)))
    return 'X-Matrix %s,%s,%s,%s' % (_quoted('origin', origin), _quoted('destination', destination),
                                     _quoted('key', key_id), _quoted('sig', encode_base64(signature)))


def probe_uri(kind, destination, token=None):
    """The path and query of the ``directory`` or ``media`` request to ``destination`` (random unless ``token``)."""
    token = token or secrets.token_hex(8)
    if kind == 'directory':
        alias = '#%s%s:%s' % (PROBE_PREFIX, token, destination)
        return '%s?room_alias=%s' % (DIRECTORY_PATH, quote(alias, safe=''))
    if kind == 'media':
        return MEDIA_PATH + PROBE_PREFIX + token
    raise FederationError('BAD_OPTIONS', 'requests must be among %s, not %r' % (', '.join(REQUEST_KINDS), kind))


def peer_reason(body, limit=REASON_MAX_CHARS):
    """``(errcode, reason)`` of an answer body: Matrix ``errcode``/``error`` (Dendrite: ``message``), cut and cleaned."""
    errcode, reason = None, None
    try:
        value = json.loads(body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError, RecursionError):
        value = None
    if isinstance(value, dict):
        if isinstance(value.get('errcode'), str):
            errcode = _clean(value['errcode'], 64)
        text = value.get('error') if isinstance(value.get('error'), str) else value.get('message')
        if isinstance(text, str):
            reason = _clean(text, limit)
    return errcode, reason


def _clean(text, limit):
    text = _CONTROL_RE.sub(' ', text).strip()
    return text if len(text) <= limit else text[:limit] + '...'


def _is_json(body):
    return peer_reason(body)[0] is not None or body.strip()[:1] in (b'{', b'[')


def judge_answer(kind, status, body):
    """Judge one answer: ``{status, errcode, error, accepted, finding}`` (``finding`` a ``{code, message, level}`` or None).

    Accepted (proof that the peer authenticated us): 200, or 404
    ``M_NOT_FOUND`` (the alias or media does not exist, said after the
    signature was checked). ``media`` answered 404/400 ``M_UNRECOGNIZED``
    or a non-JSON 404 means the peer has no authenticated media federation:
    a warning (``accepted`` false, ``supported`` false).
    """
    errcode, reason = peer_reason(body or b'')
    out = {'status': status, 'errcode': errcode, 'error': reason, 'accepted': False, 'finding': None}
    said = '%s%s%s' % (status, ' ' + errcode if errcode else '', ': "%s"' % reason if reason else '')
    if kind == 'media':
        out['supported'] = None
    if status == 200 or (status == 404 and errcode == 'M_NOT_FOUND'):
        out['accepted'] = True
        if kind == 'media':
            out['supported'] = True
        return out
    if kind == 'media' and ((status in (400, 404) and errcode == 'M_UNRECOGNIZED') or (status == 404 and not _is_json(body or b''))):
        out['supported'] = False
        out['finding'] = _finding('warning', 'MEDIA_FEDERATION_UNSUPPORTED', 'the peer answered %s to the authenticated media '
                                  'download (spec v1.11): it does not serve media over federation with signed requests '
                                  'yet; its users cannot see our media through it, nor we theirs' % said)
        return out
    if status == 401 or (status == 400 and errcode == 'M_UNAUTHORIZED'):
        if reason and _KEY_NOT_FETCHED_RE.search(reason):
            out['finding'] = _finding('error', 'SIGNED_KEY_NOT_FETCHED', 'the peer could not get our signing key (%s): '
                                      'check that it reaches our /_matrix/key/v2/server (run matrix_federation_test for '
                                      'our server from outside), the firewall in front of it, and whether the key was '
                                      'rotated while the server was unreachable' % said)
        elif reason and _SIGNATURE_INVALID_RE.search(reason):
            out['finding'] = _finding('error', 'SIGNED_SIGNATURE_INVALID', 'the peer has a key with our key id but our '
                                      'signature does not verify with it (%s): the key file used here is not the one the '
                                      'server publishes, or the peer cached an older key with the same id' % said)
        else:
            out['finding'] = _finding('error', 'SIGNED_REQUEST_REJECTED', 'the peer refused our signature (%s)' % said)
        return out
    if status == 403:
        out['finding'] = _finding('error', 'SIGNED_REQUEST_FORBIDDEN', 'the peer forbids requests from us (%s): its '
                                  'federation_domain_whitelist, a server ACL or a web application firewall' % said)
        return out
    out['finding'] = _finding('error', 'SIGNED_UNEXPECTED_ANSWER', 'unexpected answer %s%s' % (
        said, '' if reason or errcode else ' (not a Matrix error)'))
    return out


def _finding(level, code, message):
    return {'level': level, 'code': code, 'message': message}


class SignedRequester:
    """Signs and sends the probe requests as ``origin``; holds the key object (never returned)."""

    def __init__(self, origin, signing_key, kinds=REQUEST_KINDS):
        self.origin = origin
        self.key_id = signing_key.key_id
        self._private = signing_key_from_seed(signing_key.seed)
        self.kinds = list(kinds)

    def authorization(self, uri, destination):
        return build_authorization('GET', uri, self.origin, destination, self.key_id, self._private)

    def run_peer(self, peer, base_dns, base_https, timeout):
        """The signed requests to one peer, with its own deadline; never raises."""
        started = time.monotonic()
        result = {'accepted': False, 'address': None, 'resolution': {'method': None, 'host_header': None, 'sni': None},
                  'requests': {}, 'errors': [], 'federation_warnings': []}
        try:
            self._run_peer(peer, base_dns, base_https, timeout, result)
        except Exception as exc:  # pylint: disable=broad-except
            result['errors'].append(finding('INTERNAL_ERROR', 'the signed requests to %s failed unexpectedly: %s'
                                            % (peer, type(exc).__name__)))
        result['accepted'] = _peer_accepted(result, self.kinds)
        result['duration_ms'] = int((time.monotonic() - started) * 1000)
        return result

    def _run_peer(self, peer, base_dns, base_https, timeout, result):
        dns, https = clients_for_run(base_dns, base_https, timeout)
        discovery = resolve_server_name(peer, dns, https)
        resolution = discovery['resolution']
        result['resolution'] = {'method': resolution['method'], 'host_header': resolution['host_header'],
                                'sni': resolution['sni']}
        result['federation_warnings'].extend(discovery['warnings'])
        uris = [(kind, probe_uri(kind, peer)) for kind in self.kinds]
        tried = []
        for target in resolution['targets']:
            for address in target['addresses']:
                key = format_host_port(address, target['port'])
                first = self._send_one(https, address, target['port'], resolution, uris[0][1], peer)
                if first[1] is not None and first[1].code in _CONNECT_CODES:
                    tried.append((key, first[1]))
                    continue
                result['address'] = key
                answers = [first] + [self._send_one(https, address, target['port'], resolution, uri, peer)
                                     for dummy, uri in uris[1:]]
                for (kind, dummy), answer in zip(uris, answers):
                    self._record(result, kind, answer)
                return
        causes = ['%s: %s' % (e['code'], e['message']) for e in discovery['errors']]
        causes += ['%s %s: %s' % (key, exc.code, exc.message) for key, exc in tried]
        code = (tried[0][1].code if tried else discovery['errors'][0]['code'] if discovery['errors']
                else 'DNS_NO_ADDRESSES')
        what = '; '.join(causes) or 'the resolution gave no address'
        result['errors'].append(finding('SIGNED_PEER_UNREACHABLE', 'no verified connection to the peer, nothing was sent '
                                        '(%s): %s' % (code, what)))
        for kind, dummy in uris:
            result['requests'][kind] = {'status': None, 'errcode': None, 'error': None, 'accepted': False,
                                        'duration_ms': 0}

    def _send_one(self, https, address, port, resolution, uri, peer):
        """``(response, FederationError, duration_ms)`` of one signed GET; one of the first two is None."""
        started = time.monotonic()
        try:
            # verify=True, no insecure fallback: a signed request never goes to a server we could not verify.
            response = https.request(address, port, uri, resolution['host_header'], tls_name=resolution['sni'] or address,
                                     verify=True, insecure_fallback=False, max_bytes=ANSWER_MAX_BYTES,
                                     headers={'Authorization': self.authorization(uri, peer)})
            return response, None, int((time.monotonic() - started) * 1000)
        except FederationError as exc:
            return None, exc, int((time.monotonic() - started) * 1000)

    def _record(self, result, kind, answer):
        response, exc, duration = answer
        if exc is not None:
            entry = {'status': None, 'errcode': None, 'error': _clean(exc.message, REASON_MAX_CHARS), 'accepted': False,
                     'duration_ms': duration}
            result['requests'][kind] = entry
            code = 'SIGNED_UNEXPECTED_ANSWER' if exc.code == 'RESPONSE_TOO_LARGE' else 'SIGNED_PEER_UNREACHABLE'
            result['errors'].append(finding(code, '%s request failed (%s): %s' % (kind, exc.code, exc.message)))
            return
        entry = judge_answer(kind, response.status, response.body)
        judged = entry.pop('finding')
        entry['duration_ms'] = duration
        result['requests'][kind] = entry
        if judged:
            target = result['errors'] if judged['level'] == 'error' else result['federation_warnings']
            target.append(finding(judged['code'], '%s request: %s' % (kind, judged['message'])))


def _peer_accepted(result, kinds):
    """Accepted: no errors, and the directory request (or, without it, the media request) was accepted."""
    if result['errors']:
        return False
    proof = 'directory' if 'directory' in kinds else kinds[0]
    return bool(result['requests'].get(proof, {}).get('accepted'))


def send_signed_requests(origin, signing_key, peers, kinds=REQUEST_KINDS, nameservers=None, ca_path=None,
                         timeout=10.0, user_agent=None, concurrency=32):
    """Send the signed ``kinds`` requests to every peer (``concurrency`` at a time, each its own deadline).

    Returns ``{federation_ok, origin, key_id, peers: {peer: ...}, errors,
    federation_warnings, duration_ms}``; top-level findings carry the
    peer's name first. Raises ``FederationError`` only for bad client
    settings (``INVALID_SERVER_NAME`` for ``origin`` too).
    """
    started = time.monotonic()
    try:
        parse_server_name(origin)
    except FederationError as exc:
        raise FederationError(exc.code, 'server_name: %s' % exc.message)
    kinds = [kind for kind in REQUEST_KINDS if kind in kinds]
    if not kinds:
        raise FederationError('BAD_OPTIONS', 'requests must name at least one of %s' % ', '.join(REQUEST_KINDS))
    requester = SignedRequester(origin, signing_key, kinds)
    dns, https = make_clients(nameservers, ca_path, timeout, user_agent)
    results = run_batch(peers, lambda peer: requester.run_peer(peer, dns, https, timeout), concurrency)
    errors, warnings = [], []
    for peer, result in results.items():
        errors.extend(finding(e['code'], '%s: %s' % (peer, e['message'])) for e in result['errors'])
        warnings.extend(finding(w['code'], '%s: %s' % (peer, w['message'])) for w in result['federation_warnings'])
    return {'federation_ok': bool(results) and all(r['accepted'] for r in results.values()), 'origin': origin,
            'key_id': requester.key_id, 'peers': results, 'errors': errors, 'federation_warnings': warnings,
            'duration_ms': int((time.monotonic() - started) * 1000)}


def failure_message(result, limit=10):
    """The module's failure message: each failing peer with its codes and the peer's reason."""
    failing = [(peer, r) for peer, r in result['peers'].items() if not r['accepted']]
    shown = []
    for peer, peer_result in failing[:limit]:
        findings = peer_result['errors'] or peer_result['federation_warnings']
        text = '; '.join('%s: %s' % (f['code'], f['message']) for f in findings[:2]) or 'no request was accepted'
        shown.append('%s (%s)' % (peer, text))
    msg = 'signed requests from %s were not accepted by %d of %d peers: %s' % (
        result['origin'], len(failing), len(result['peers']), ' | '.join(shown))
    if len(failing) > limit:
        msg += ' (and %d more)' % (len(failing) - limit)
    return msg
