# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A loopback homeserver that verifies X-Matrix signed requests the way Synapse does.

:class:`SignedPeer` serves the two endpoints ``matrix_signed_request`` calls
on an :class:`HttpsSite`. For each request it parses the ``Authorization``
header, fetches the origin's ``/_matrix/key/v2/server`` as a homeserver
would (spec resolution over the lab's DNS, TLS verified with the lab's CA,
the key response's own signature checked), rebuilds the signed JSON and
verifies the ed25519 signature. It answers with Synapse's status codes and
wording (``synapse/federation/transport/server/_base.py``,
``synapse/crypto/keyring.py``, ``synapse/api/errors.py``).

:class:`SignedLab` is the lab of the tests: origins that publish their key
(or cannot be reached), and peers that accept, forbid, lack authenticated
media, sit behind an untrusted certificate or do not listen.
"""

import re
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import resolve_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import make_clients
from ansible_collections.matrix.federation.plugins.module_utils._federation.signed_request import DIRECTORY_PATH, MEDIA_PATH
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import KEY_PATH
from ansible_collections.matrix.federation.tests.unit.servers.lab import (
    HttpsSite, LoopbackLab, Reply, SigningIdentity, key_response, keys_route, lab_prefix,
)

ZONE = 'signed.test'


def parse_x_matrix(header):
    """``{origin, destination, key, sig}`` of an ``X-Matrix`` header, parsed as Synapse's ``_parse_auth_header``."""
    params = re.split(r'[ \t]*,[ \t]*', re.split(r'^X-Matrix +', header, maxsplit=1)[1])
    fields = {}
    for param in params:
        name, value = param.split('=', 1)
        if value.startswith('"'):
            value = re.sub(r'\\(.)', lambda m: m.group(1), value[1:-1])
        fields[name.lower()] = value
    return fields


class PrefixRoutes(dict):
    """Routes matched by path prefix (``_Handler`` looks routes up with ``get``): the media id is in the path."""

    def get(self, path, default=None):
        for prefix, route in self.items():
            if path == prefix or (prefix.endswith('/') and path.startswith(prefix)):
                return route
        return default


def _error(status, errcode, message):
    return Reply(status, {'errcode': errcode, 'error': message})


class SignedPeer:
    """A peer ``server_name`` that verifies signed requests; ``verified`` lists ``(origin, outcome)``.

    ``deny``: origins refused with 403 (Synapse's ``federation_domain_whitelist``).
    ``delay``: seconds the directory answer waits (a stalled peer).
    ``media``: ``authenticated`` (404 M_NOT_FOUND after the check), or ``unsupported`` (404 M_UNRECOGNIZED before
    any check, as a server without the endpoint), or ``html`` (a proxy's HTML 404).
    """

    def __init__(self, lab, server_name, deny=(), media='authenticated', delay=0.0):
        self.lab, self.server_name, self.deny, self.media = lab, server_name, set(deny), media
        self.delay = delay
        self.verified = []
        self._lock = threading.Lock()

    def routes(self):
        return PrefixRoutes({DIRECTORY_PATH: self.directory, MEDIA_PATH: self.media_download})

    # -- what a homeserver does with the Authorization header ---------------------------------------
    def authenticate(self, handler):
        """The origin, or the :class:`Reply` that refuses the request (Synapse's checks, in its order)."""
        headers = [h for h in handler.headers.get_all('Authorization') or [] if h.startswith('X-Matrix')]
        if not headers:
            return self._outcome(None, 'missing', _error(401, 'M_UNAUTHORIZED', 'Missing Authorization headers'))
        try:
            fields = parse_x_matrix(headers[0])
            origin, key_id, sig = fields['origin'], fields['key'], fields['sig']
        except (KeyError, ValueError, IndexError):
            return self._outcome(None, 'malformed', _error(400, 'M_UNAUTHORIZED', 'Malformed Authorization header'))
        destination = fields.get('destination')
        if destination is not None and destination != self.server_name:
            return self._outcome(origin, 'destination', _error(
                401, 'M_UNAUTHORIZED', 'Destination mismatch in auth header, received: %r' % destination))
        if origin in self.deny:
            return self._outcome(origin, 'denied', _error(403, 'M_FORBIDDEN', 'Federation denied with %s.' % origin))
        public = self.fetch_key(origin, key_id)
        if public is None:
            minimum = int(time.time() * 1000)
            return self._outcome(origin, 'no_key', _error(
                401, 'M_UNAUTHORIZED', "Failed to find any key to satisfy: _FetchKeyRequest(server_name=%r, "
                "minimum_valid_until_ts=%d, key_ids=[%r])" % (origin, minimum, key_id)))
        signed = {'method': handler.command, 'uri': handler.path, 'origin': origin, 'destination': self.server_name,
                  'signatures': {origin: {key_id: sig}}}
        try:
            signing.verify_signature(signed, origin, key_id, public)
        except FederationError:
            return self._outcome(origin, 'bad_signature', _error(
                401, 'M_UNAUTHORIZED', "Invalid signature for server %s with key %s: Unable to verify signature for "
                "%s: <class 'nacl.exceptions.BadSignatureError'> Signature was forged or corrupt"
                % (origin, key_id, origin)))
        return self._outcome(origin, 'verified', origin)

    def fetch_key(self, origin, key_id):
        """The origin's public key ``key_id`` as a homeserver gets it, or ``None`` (unreachable, unsigned, absent)."""
        try:
            dns, https = make_clients(self.lab.nameservers, self.lab.ca_path, 3.0)
            resolution = resolve_server_name(origin, dns, https)['resolution']
            for target in resolution['targets']:
                for address in target['addresses']:
                    try:
                        response = https.request(address, target['port'], KEY_PATH, resolution['host_header'],
                                                 tls_name=resolution['sni'] or address, max_bytes=65536)
                    except FederationError:
                        continue
                    body = response.json() if response.status == 200 else {}
                    keys = body.get('verify_keys', {}) if body.get('server_name') == origin else {}
                    for published, entry in keys.items():
                        signing.verify_signature(body, origin, published, entry['key'])
                    if key_id in keys:
                        return keys[key_id]['key']
        except (FederationError, AttributeError, KeyError, TypeError):
            return None
        return None

    def _outcome(self, origin, outcome, answer):
        with self._lock:
            self.verified.append((origin, outcome))
        return answer

    # -- the endpoints --------------------------------------------------------------------------------
    def directory(self, handler):
        time.sleep(self.delay)
        origin = self.authenticate(handler)
        if isinstance(origin, Reply):
            return origin
        alias = parse_qs(urlsplit(handler.path).query).get('room_alias', [''])[0]
        if not alias.endswith(':' + self.server_name):
            return _error(400, 'M_INVALID_PARAM', 'Room alias is not hosted on this homeserver')
        return _error(404, 'M_NOT_FOUND', 'Room alias %s not found' % alias)

    def media_download(self, handler):
        if self.media == 'unsupported':
            return _error(404, 'M_UNRECOGNIZED', 'Unrecognized request')
        if self.media == 'html':
            return Reply(404, b'<html><body>404 Not Found</body></html>', 'text/html')
        origin = self.authenticate(handler)
        if isinstance(origin, Reply):
            return origin
        return _error(404, 'M_NOT_FOUND', 'Not found')


class SignedLab(LoopbackLab):
    """Origins and peers on ``127.R.S.0/24`` (R in 2-19, apart from the other labs), port 8448, names in ``signed.test``.

    Server names have no port: peers and origins are found through the spec's resolution (no well-known,
    no SRV, so port 8448, ``method: default``).
    """

    def __init__(self, directory):
        super().__init__(directory, lab_prefix(2, 19))
        self.peers = {}
        self.build()

    def n(self, label):
        return '%s.%s' % (label, ZONE)

    def _host(self, name):
        ip = self.ip()
        self.dns.add(name, 'A', ip)
        return ip

    def site(self, name, routes, ca=None, ip=None):
        cert, key = (ca or self.ca).issue([name])
        site = HttpsSite(ip or self._host(name), 8448, cert, key, routes)
        self.sites.append(site)
        return site

    def origin(self, label):
        """An origin homeserver publishing its key; returns ``(server_name, identity)``."""
        name = self.n(label)
        identity = self.identities.setdefault(name, SigningIdentity())
        self.site(name, {KEY_PATH: keys_route(key_response(name, identity), name)})
        return name, identity

    def peer(self, label, ca=None, ip=None, **kwargs):
        name = self.n(label)
        peer = SignedPeer(self, name, **kwargs)
        site = self.site(name, {}, ca=ca, ip=ip)
        site.routes = peer.routes()
        self.peers[name] = (peer, site)
        return name

    def build(self):
        self.good_origin, self.good_identity = self.origin('origin')
        # An origin whose name resolves but whose key endpoint does not answer: peers cannot fetch its key.
        self.ghost_origin = self.n('ghost')
        self._host(self.ghost_origin)
        self.ok_peer = self.peer('peer-ok')
        self.second_peer = self.peer('peer-two')
        self.deny_peer = self.peer('peer-deny', deny=[self.good_origin])
        self.nomedia_peer = self.peer('peer-nomedia', media='unsupported')
        self.htmlmedia_peer = self.peer('peer-htmlmedia', media='html')
        self.rogue_peer = self.peer('peer-rogue', ca=self.rogue_ca)
        self.closed_peer = self.n('peer-closed')
        self._host(self.closed_peer)
        self.slow_peer = self.peer('peer-slow', delay=5.0)
        # Two addresses, the first one closed: the requests go to the second, as a homeserver's would.
        self.failover_peer = self.n('peer-failover')
        self.failover_closed_ip = self._host(self.failover_peer)
        second = self.ip()
        self.dns.add(self.failover_peer, 'A', second)
        self.peer('peer-failover', ip=second)

    def requests_to(self, name):
        """What the site of peer ``name`` received (method, path, headers, ...)."""
        return self.peers[name][1].requests

    def outcomes(self, name):
        return self.peers[name][0].verified


@pytest.fixture(scope='session')
def signed_lab(tmp_path_factory):
    """One signed-request lab for the whole test session."""
    lab = SignedLab(str(tmp_path_factory.mktemp('signed-lab')))
    yield lab
    lab.close()
