# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A loopback notary (key server) that behaves as Synapse's ``RemoteKey`` resource does.

It keeps a cache of key responses per origin. ``GET /_matrix/key/v2/query/<origin>``
returns what the cache holds, without fetching; ``POST /_matrix/key/v2/query``
refetches from the origin's loopback key endpoint (over verified TLS) when no
cached response lists the key ID with ``valid_until_ts`` at least the asked
``minimum_valid_until_ts``, then answers from the cache. Every answer is
signed with the notary's own key, which it serves at ``/_matrix/key/v2/server``.
Knobs break it on purpose: ``can_fetch`` (cannot reach the origin),
``sign`` (answers unsigned), ``strip_old`` (drops ``old_verify_keys`` and
re-signs as the origin cannot, so the answer fails the origin's signature),
``raw`` (a fixed garbage answer for both query requests), ``post_delay``
(the query answers that much later: a notary stuck fetching).
"""

import http.client
import json
import socket
import ssl
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.tests.unit.servers.lab import (
    HttpsSite, KEY_PATH, VERSION_PATH, LoopbackLab, Reply, SigningIdentity, key_response, keys_route, lab_prefix,
    version_route,
)

QUERY_PATH = '/_matrix/key/v2/query'


def fetch_origin_keys(ip, port, sni, host_header, ca_path, timeout=3.0):
    """GET the origin's key response over verified TLS (as a notary does); ``None`` on any failure."""
    context = ssl.create_default_context(cafile=ca_path)
    try:
        sock = socket.create_connection((ip, port), timeout=timeout)
        tls = context.wrap_socket(sock, server_hostname=sni)
        try:
            tls.sendall(('GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' % (KEY_PATH, host_header)).encode())
            response = http.client.HTTPResponse(tls)
            response.begin()
            body = response.read()
        finally:
            tls.close()
        if response.status != 200:
            return None
        return json.loads(body.decode('utf-8'))
    except (OSError, ValueError, http.client.HTTPException):
        return None


class Notary:
    """The routes of one notary; ``origins`` maps a server name to ``(ip, port, sni, host_header)``."""

    def __init__(self, name, ca_path, origins=None, identity=None):
        self.name = name
        self.ca_path = ca_path
        self.identity = identity or SigningIdentity('ed25519:notary')
        self.origins = dict(origins or {})
        self.cache = {}
        self.can_fetch = True
        self.sign = True
        self.strip_old = False
        self.raw = None
        self.post_delay = 0.0
        self.fetches = 0

    def routes(self):
        routes = {KEY_PATH: Reply(200, key_response(self.name, self.identity)), QUERY_PATH: self.post}
        for origin in self.origins:
            routes['%s/%s' % (QUERY_PATH, origin)] = self.get
        return routes

    def seed(self, origin, response):
        """Put a key response in the cache (as if fetched earlier)."""
        self.cache.setdefault(origin, []).append(response)

    def _answer(self, responses):
        if self.raw is not None:
            return self.raw
        out = []
        for response in responses:
            body = json.loads(json.dumps(response))
            if self.strip_old:
                body['old_verify_keys'] = {}
            if self.sign:
                body = signing.sign_json(body, self.name, self.identity.key_id, self.identity.private)
            out.append(body)
        return Reply(200, {'server_keys': out})

    def get(self, handler):
        origin = handler.path.split('?')[0][len(QUERY_PATH) + 1:]
        return self._answer(self.cache.get(origin, []))

    def _satisfying(self, origin, key_id, minimum):
        return [r for r in self.cache.get(origin, []) if key_id in r.get('verify_keys', {})
                and (minimum is None or r['valid_until_ts'] >= minimum)]

    def post(self, handler):
        try:
            query = json.loads(handler.request_body or b'{}')['server_keys']
        except (ValueError, KeyError, TypeError):
            return Reply(400, {'errcode': 'M_BAD_JSON'})
        answer = []
        for origin, key_ids in query.items():
            for key_id, criteria in key_ids.items():
                minimum = (criteria or {}).get('minimum_valid_until_ts')
                if not self._satisfying(origin, key_id, minimum) and self.can_fetch and origin in self.origins:
                    self.fetches += 1
                    fetched = fetch_origin_keys(*self.origins[origin], ca_path=self.ca_path)
                    if fetched is not None:
                        self.cache.setdefault(origin, []).append(fetched)
                # Synapse answers with what it holds for the key, fresh or not.
                for response in self.cache.get(origin, []):
                    if key_id in response.get('verify_keys', {}) and response not in answer:
                        answer.append(response)
        reply = self._answer(answer)
        reply.delay = self.post_delay
        return reply


def origin_response(server_name, identity, valid_for_ms=86400000, old=None, verify_keys=None):
    """A signed origin key response, optionally with ``old`` ``{key_id: (key, expired_ts)}``."""
    body = {'server_name': server_name, 'valid_until_ts': int(time.time() * 1000) + valid_for_ms,
            'verify_keys': verify_keys or {identity.key_id: {'key': identity.public}},
            'old_verify_keys': dict((k, {'key': v[0], 'expired_ts': v[1]}) for k, v in (old or {}).items())}
    return signing.sign_json(body, server_name, identity.key_id, identity.private)


# --------------------------------------------------------------------------- the notary lab

class NotaryLab(LoopbackLab):
    """Origins and notaries on a /24 of their own (``notary.test``), explicit ports so no well-known is fetched.

    ``origin`` publishes one key; ``rotated`` publishes a current key and an
    old one in ``old_verify_keys``; ``broken`` serves keys over an untrusted
    certificate (its own test cannot trust them). ``notary(label)`` makes a
    fresh, healthy notary that knows the origins; each test breaks its own.
    """

    def __init__(self, directory):
        super().__init__(directory, lab_prefix(20, 250))
        self.origins = {}
        self.responses = {}
        self.notaries = {}
        self.old_identity = SigningIdentity('ed25519:old')
        self.old_expired_ts = int(time.time() * 1000) - 86400000
        self.origin = self.add_origin('origin')
        self.rotated = self.add_origin('rotated', old={self.old_identity.key_id: (self.old_identity.public,
                                                                                  self.old_expired_ts)})
        self.broken = self.add_origin('broken', ca=self.rogue_ca)

    def host(self, host):
        address = self.ip()
        self.dns.add(host, 'A', address)
        return address

    def site(self, ip, names, routes, ca=None):
        cert, key = (ca or self.ca).issue(names)
        site = HttpsSite(ip, 8443, cert, key, routes)
        self.sites.append(site)
        return site

    def name(self, label):
        return '%s.notary.test' % label

    def add_origin(self, label, old=None, ca=None):
        host = self.name(label)
        server_name = host + ':8443'
        ip = self.host(host)
        identity = self.identities[server_name] = SigningIdentity('ed25519:cur')
        body = self.responses[server_name] = origin_response(server_name, identity, old=old)
        self.site(ip, [host], {KEY_PATH: keys_route(body, server_name), VERSION_PATH: version_route(server_name)}, ca=ca)
        self.origins[server_name] = (ip, 8443, host, server_name)
        return server_name

    def notary(self, label, ca=None, **reply):
        """A notary ``n-<label>.notary.test:8443``; ``reply`` (a ``Reply``'s arguments) replaces every route."""
        host = self.name('n-' + label)
        name = host + ':8443'
        ip = self.host(host)
        notary = Notary(name, self.ca_path, self.origins)
        routes = notary.routes()
        if reply:
            routes = dict((path, Reply(**reply)) for path in routes)
        self.site(ip, [host], routes, ca=ca)
        self.notaries[name] = notary
        return notary


@pytest.fixture(scope='session')
def notary_lab(tmp_path_factory):
    """One notary lab for the whole test session."""
    lab = NotaryLab(str(tmp_path_factory.mktemp('notary-lab')))
    yield lab
    lab.close()
