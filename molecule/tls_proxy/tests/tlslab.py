# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the TLS + reverse proxy scenario's tests (one run per proxy: LAB_BACKEND=nginx|caddy).

Two containers: `acme` runs pebble (the lab's ACME CA) and is the client the
checks are made from; `proxy` runs the proxy, certbot and an echo backend
that answers with the headers it got.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import shlex
import time

from cryptography import x509

SERVER_NAME = "example.test"
MATRIX_HOST = "matrix.example.test"
LIVE = "/etc/letsencrypt/live/example.test"
DEPLOYED = "/etc/matrix-federation/tls/example.test"
ACME_CA = "/etc/matrix-federation-lab/acme-ca.pem"
# pebble's issuing root, fetched once by the client fixture.
PEBBLE_ROOT = "/tmp/pebble-root.pem"
# Caddy's own ACME: its storage (Debian's caddy runs as user caddy, HOME
# /var/lib/caddy), one directory per ACME directory URL, one per name.
CADDY_CERTS = "/var/lib/caddy/.local/share/caddy/certificates/acme.test-14000-dir"
CADDY_ACME = "/var/lib/caddy/.local/share/caddy/acme/acme.test-14000-dir"
CADDY_SITE = "/etc/caddy/matrix-federation.caddy"


class Response:
    """An HTTP response as curl on a lab container saw it."""

    def __init__(self, output):
        head, self.body = output.split("\r\n\r\n", 1)
        # Skip interim responses (100 Continue).
        while self.body.startswith("HTTP/") and "\r\n\r\n" in self.body:
            head, self.body = self.body.split("\r\n\r\n", 1)
        lines = head.split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            self.headers[name.strip().lower()] = value.strip()

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%s %s %s>" % (self.status, self.headers, self.body[:500])


def curl(host, url, *options):
    """Fetch a URL from a lab container with curl (trusting pebble's root)."""
    argv = ["curl", "-sS", "--max-time", "60", "--cacert", PEBBLE_ROOT, "-D", "-"] + list(options) + [url]
    result = host.run(" ".join(shlex.quote(arg) for arg in argv))
    assert result.rc == 0, "curl %s failed: %s" % (url, result.stderr)
    return Response(result.stdout)


def load_certificate(pem):
    """The first certificate of a PEM text."""
    match = re.search(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem, re.DOTALL)
    assert match, "no certificate in %r" % pem[:300]
    return x509.load_pem_x509_certificate(match.group(0).encode("ascii"))


def dns_names(cert):
    """The DNS names of a certificate's subjectAltName."""
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)


def served_certificate(host, name=MATRIX_HOST, port=443):
    """The certificate a TLS server presents for name (SNI), seen from host."""
    result = host.run("openssl s_client -connect %s:%s -servername %s </dev/null", name, str(port), name)
    return load_certificate(result.stdout)


def caddy_certificate_path(name):
    """Where Caddy keeps the certificate its ACME got for name."""
    return "%s/%s/%s.crt" % (CADDY_CERTS, name, name)


def issued_certificate(proxy, settings, name=MATRIX_HOST):
    """The certificate the proxy should serve for name: certbot's lineage or Caddy's storage."""
    path = caddy_certificate_path(name) if settings["lab_acme_client"] == "caddy" else LIVE + "/cert.pem"
    return load_certificate(proxy.file(path).content_string)


def wait_until_served(client, serial, name=MATRIX_HOST, timeout=120):
    """Wait until the proxy serves the certificate with this serial for name; the serial served last."""
    deadline = time.time() + timeout
    served = served_serial(client, name)
    while served != serial and time.time() < deadline:
        time.sleep(2)
        served = served_serial(client, name)
    return served


def served_serial(host, name=MATRIX_HOST, port=443):
    """The serial of the certificate served for name, None while the handshake fails (no certificate yet)."""
    result = host.run("openssl s_client -connect %s:%s -servername %s </dev/null", name, str(port), name)
    if "-----BEGIN CERTIFICATE-----" not in result.stdout:
        return None
    return load_certificate(result.stdout).serial_number
