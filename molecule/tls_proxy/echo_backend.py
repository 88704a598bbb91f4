# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test backend for the tls_proxy scenarios: answers Matrix-like paths with
the request line and the headers the proxy forwarded, as JSON."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body_size = len(self.rfile.read(length)) if length else 0
        status = 200 if self.path.startswith(('/_matrix/', '/_synapse/client/')) else 404
        payload = json.dumps({
            'server': {'name': 'echo-backend', 'version': '1'},
            'method': self.command,
            'path': self.path,
            'host': self.headers.get('Host'),
            'x_forwarded_for': self.headers.get('X-Forwarded-For'),
            'x_forwarded_proto': self.headers.get('X-Forwarded-Proto'),
            'body_size': body_size,
        }).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _answer
    do_POST = _answer
    do_PUT = _answer


if __name__ == '__main__':
    HTTPServer(('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8008), EchoHandler).serve_forever()
