# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A homeserver's client listener on loopback, answering as Synapse 1.163 or Dendrite 0.13.8 answer.

Synapse (synapse/rest/admin/federation.py): the destinations list pages with ``from``/``limit``, sorted by
name, ``retry_last_ts``/``retry_interval`` null as 0, ``next_token`` = ``str(from + len(page))`` while
``from + limit < total``; ``reset_connection`` answers 404 ``Unknown destination``, 400 when
``retry_last_ts`` is 0, else zeroes the timings and answers ``{}``; an admin API call by a non-admin is
403 ``M_FORBIDDEN`` "You are not a server admin"; ``server_version`` needs no token. Dendrite
(internal/httputil/routing.go): any unknown path, ``/_synapse/admin/v1/server_version`` included, is
404 ``M_UNRECOGNIZED`` "Unrecognized request"; it serves ``/_matrix/federation/v1/version`` on the same
listener. ``echo_token`` makes every error quote the request's Authorization header, the way a careless
proxy does.
"""

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

ADMIN_TOKEN = 'syt_YWRtaW4_adminSecretToken_0xDEADBEEF'
USER_TOKEN = 'syt_dXNlcg_plainUserToken_0xFEEDFACE'
ROOM_VERSIONS = {'default': '12',
                 'available': {'1': 'stable', '10': 'stable', '11': 'stable', '12': 'stable', 'org.matrix.hydra.11': 'unstable'}}
_DESTINATIONS = '/_synapse/admin/v1/federation/destinations'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def do_GET(self):  # pylint: disable=invalid-name
        self._answer('GET')

    def do_POST(self):  # pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        self.server.fake.bodies.append(self.rfile.read(length) if length else b'')
        self._answer('POST')

    def _answer(self, method):
        fake = self.server.fake
        fake.requests.append((method, self.path))
        override = fake.overrides.get(urlsplit(self.path).path)
        if override is not None:
            status, body = override(self) if callable(override) else override
        else:
            status, body = fake.route(method, self.path, self.headers.get('Authorization', ''))
        if status >= 400 and fake.echo_token and isinstance(body, dict):
            body = dict(body, error='%s (you sent %s)' % (body.get('error'), self.headers.get('Authorization')))
        raw = body if isinstance(body, bytes) else json.dumps(body).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        if fake.echo_token:
            self.send_header('X-Echo-Authorization', self.headers.get('Authorization', ''))
        self.send_header('Content-Length', str(len(raw)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(raw)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


class FakeHomeserver:
    """``kind`` ``synapse`` or ``dendrite``; ``destinations`` ``{name: {retry_last_ts, retry_interval, failure_ts}}``.

    ``overrides`` ``{path: (status, body) or callable(handler)}`` replace a route (bytes bodies are sent as is).
    """

    def __init__(self, kind='synapse', destinations=None, tls=None):
        self.kind = kind
        self.destinations = dict(destinations or {})
        self.overrides = {}
        self.echo_token = False
        self.requests, self.bodies = [], []
        self.server = _Server(('127.0.0.1', 0), _Handler)
        self.server.fake = self
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.base_url = '%s://127.0.0.1:%d' % ('https' if tls else 'http', self.port)
        thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.1})
        thread.daemon = True
        thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def resets(self):
        return [unquote(path.split('/')[-2]) for method, path in self.requests if method == 'POST']

    def route(self, method, path, authorization):
        parts = urlsplit(path)
        if self.kind == 'dendrite':
            return self._dendrite(parts.path, authorization)
        if parts.path == '/_synapse/admin/v1/server_version':
            return 200, {'server_version': '1.163.0'}
        if parts.path == '/_matrix/client/v3/capabilities':
            return self._auth(authorization) or (200, {'capabilities': {
                'm.room_versions': ROOM_VERSIONS, 'm.change_password': {'enabled': True}}})
        if parts.path.startswith(_DESTINATIONS):
            denied = self._auth(authorization, admin=True)
            if denied:
                return denied
            if parts.path == _DESTINATIONS and method == 'GET':
                query = parse_qs(parts.query)
                return self._page(int(query.get('from', ['0'])[0]), int(query.get('limit', ['100'])[0]))
            if parts.path.endswith('/reset_connection') and method == 'POST':
                return self._reset(unquote(parts.path[len(_DESTINATIONS) + 1:-len('/reset_connection')]))
        return 404, {'errcode': 'M_UNRECOGNIZED', 'error': 'Unrecognized request'}

    def _auth(self, authorization, admin=False):
        token = authorization[len('Bearer '):] if authorization.startswith('Bearer ') else None
        if token is None:
            return 401, {'errcode': 'M_MISSING_TOKEN', 'error': 'Missing access token.'}
        if token not in (ADMIN_TOKEN, USER_TOKEN):
            return 401, {'errcode': 'M_UNKNOWN_TOKEN', 'error': 'Invalid access token passed.', 'soft_logout': False}
        if admin and token != ADMIN_TOKEN:
            return 403, {'errcode': 'M_FORBIDDEN', 'error': 'You are not a server admin'}
        return None

    def _page(self, start, limit):
        names = sorted(self.destinations)
        page = names[start:start + limit]
        body = {'destinations': [{
            'destination': name, 'retry_last_ts': self.destinations[name].get('retry_last_ts') or 0,
            'retry_interval': self.destinations[name].get('retry_interval') or 0,
            'failure_ts': self.destinations[name].get('failure_ts'),
            'last_successful_stream_ordering': self.destinations[name].get('last_successful_stream_ordering')}
            for name in page], 'total': len(names)}
        if start + limit < len(names):
            body['next_token'] = str(start + len(page))
        return 200, body

    def _reset(self, name):
        if name not in self.destinations:
            return 404, {'errcode': 'M_NOT_FOUND', 'error': 'Unknown destination'}
        timings = self.destinations[name]
        if not timings.get('retry_last_ts'):
            return 400, {'errcode': 'M_UNKNOWN', 'error': 'The retry timing does not need to be reset for this destination.'}
        timings.update(retry_last_ts=0, retry_interval=0, failure_ts=None)
        return 200, {}

    def _dendrite(self, path, authorization):
        if path == '/_matrix/federation/v1/version':
            return 200, {'server': {'name': 'Dendrite', 'version': '0.13.8'}}
        if path == '/_matrix/client/v3/capabilities':
            token = authorization[len('Bearer '):] if authorization.startswith('Bearer ') else None
            if token not in (ADMIN_TOKEN, USER_TOKEN):
                return 401, {'errcode': 'M_UNKNOWN_TOKEN', 'error': 'Unknown token'}
            return 200, {'capabilities': {'m.room_versions': {'default': '10', 'available': {
                str(version): 'stable' for version in range(1, 12)}}, 'm.change_password': {'enabled': True}}}
        return 404, {'errcode': 'M_UNRECOGNIZED', 'error': 'Unrecognized request'}


@pytest.fixture
def fake_homeserver():
    """``fake_homeserver(kind, destinations, tls=None)`` starts a :class:`FakeHomeserver`; all stop after the test."""
    servers = []

    def start(*args, **kwargs):
        servers.append(FakeHomeserver(*args, **kwargs))
        return servers[-1]
    yield start
    for server in servers:
        server.close()
