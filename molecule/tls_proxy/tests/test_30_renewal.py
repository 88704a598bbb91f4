# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Renewal without anyone touching the proxy. nginx: a forced renewal, as
certbot.timer runs it, reloads the proxy and the new certificate is served.
Caddy (its own ACME): a certificate near its end in Caddy's storage is renewed
by Caddy from the ACME CA as soon as Caddy finds it, and served."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from tlslab import (
    ACME_CA,
    CADDY_CERTS,
    DEPLOYED,
    LIVE,
    MATRIX_HOST,
    caddy_certificate_path,
    load_certificate,
    served_certificate,
    wait_until_served,
)


def test_forced_renewal_is_served(proxy, client, settings, issued):
    if settings["lab_acme_client"] != "certbot":
        pytest.skip("certbot only")
    before = served_certificate(client).serial_number
    result = proxy.run(
        "REQUESTS_CA_BUNDLE=%s certbot renew --force-renewal --cert-name example.test --no-random-sleep-on-renew",
        ACME_CA,
    )
    assert result.rc == 0, result.stdout + result.stderr
    renewed = load_certificate(proxy.file(LIVE + "/cert.pem").content_string).serial_number
    assert renewed != before, "certbot did not issue a new certificate"
    # The deploy hook copied it where the proxy reads it...
    assert load_certificate(proxy.file(DEPLOYED + "/fullchain.pem").content_string).serial_number == renewed
    # ... and reloaded the proxy (a reload takes effect within seconds).
    served = wait_until_served(client, renewed, timeout=60)
    assert served == renewed, "the proxy still serves serial %s after renewal to %x" % (served, renewed)


def expiring_copy(key_pem, name):
    """A certificate for name with the same key, 89 of its 90 days gone: deep in
    Caddy's renewal window (the last third of the lifetime)."""
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=89))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate


def test_caddy_renews_a_certificate_near_its_end(proxy, client, settings, pebble_intermediate, issued):
    if settings["lab_acme_client"] != "caddy":
        pytest.skip("Caddy's own ACME only")
    path = caddy_certificate_path(MATRIX_HOST)
    original = load_certificate(proxy.file(path).content_string).serial_number
    expiring = expiring_copy(proxy.file("%s/%s/%s.key" % (CADDY_CERTS, MATRIX_HOST, MATRIX_HOST)).content_string, MATRIX_HOST)
    pem = expiring.public_bytes(serialization.Encoding.PEM)
    # Written over the stored file (its owner and mode stay Caddy's), then Caddy
    # restarted: it loads its certificates from storage and finds this one due.
    proxy.run_expect([0], "echo %s | base64 -d > %s", base64.b64encode(pem).decode("ascii"), path)
    since = proxy.check_output("date '+%Y-%m-%d %H:%M:%S'")
    proxy.run_expect([0], "systemctl restart caddy")
    deadline = time.time() + 120
    stored = expiring.serial_number
    while stored == expiring.serial_number and time.time() < deadline:
        time.sleep(2)
        stored = load_certificate(proxy.file(path).content_string).serial_number
    journal = proxy.run("journalctl -u caddy --no-pager --since %s", since).stdout
    assert stored not in (expiring.serial_number, original), "Caddy did not renew the certificate:\n" + journal[-4000:]
    renewed = load_certificate(proxy.file(path).content_string)
    assert renewed.issuer == pebble_intermediate.subject, renewed.issuer
    assert "renew" in journal and MATRIX_HOST in journal, journal[-4000:]
    served = wait_until_served(client, stored, timeout=60)
    assert served == stored, "Caddy serves serial %s, its renewed certificate is %x" % (served, stored)
