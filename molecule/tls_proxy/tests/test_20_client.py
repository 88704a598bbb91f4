# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a client (the acme container) sees: the well-known documents with the
right headers, the Matrix API proxied with the Host header intact, large
bodies, HTTP redirected to HTTPS, the lab certificate served (certbot's or,
for Caddy, the one its own ACME got)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import uuid

import pytest

from tlslab import CADDY_ACME, MATRIX_HOST, SERVER_NAME, curl, issued_certificate, served_certificate


def federation_port(settings):
    return 8448 if settings["lab_federation_port"] else 443


@pytest.mark.parametrize("document", ["server", "client", "support"])
def test_wellknown_is_json(client, document):
    response = curl(client, "https://%s/.well-known/matrix/%s" % (SERVER_NAME, document))
    assert response.status == 200, response
    assert response.headers["content-type"] == "application/json", response
    response.json()
    # How long peers keep the delegation (the role's default): a change reaches them within the hour.
    assert response.headers.get("cache-control") == "public, max-age=3600", response


def test_wellknown_server_delegates_to_the_matrix_host(client, settings):
    response = curl(client, "https://%s/.well-known/matrix/server" % SERVER_NAME)
    assert response.json() == {"m.server": "%s:%d" % (MATRIX_HOST, federation_port(settings))}


def test_wellknown_client_has_cors_and_base_url(client):
    response = curl(client, "https://%s/.well-known/matrix/client" % SERVER_NAME)
    assert response.headers.get("access-control-allow-origin") == "*", response
    assert response.json()["m.homeserver"]["base_url"] == "https://" + MATRIX_HOST


def test_wellknown_support_lists_the_admin(client):
    response = curl(client, "https://%s/.well-known/matrix/support" % SERVER_NAME)
    assert response.json()["contacts"][0]["matrix_id"] == "@admin:example.test"


def test_federation_version_reaches_the_backend_with_host_intact(client, settings):
    authorities = [MATRIX_HOST]
    if settings["lab_federation_port"]:
        authorities += [MATRIX_HOST + ":8448", SERVER_NAME + ":8448"]
    for authority in authorities:
        response = curl(client, "https://%s/_matrix/federation/v1/version" % authority)
        assert response.status == 200, response
        seen = response.json()
        assert seen["server"]["name"] == "echo-backend", seen
        assert seen["host"] == authority, seen
        assert seen["x_forwarded_proto"] == "https", seen
        assert seen["x_forwarded_for"].replace(".", "").replace(":", "").isalnum(), seen


def test_large_body_is_passed_whole(client):
    result = client.run(
        "head -c 20971520 /dev/zero | curl -sS --max-time 120 --cacert /tmp/pebble-root.pem -X POST "
        "--data-binary @- -H 'Content-Type: application/octet-stream' https://%s/_matrix/media/v3/upload" % MATRIX_HOST
    )
    assert result.rc == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["body_size"] == 20971520, seen
    assert seen["host"] == MATRIX_HOST, seen


@pytest.fixture
def challenge(proxy, settings):
    """An ACME http-01 challenge in progress, where the lab's ACME client keeps it: certbot's webroot, or
    Caddy's storage (Caddy's challenge handler answers from it: distributed solving); removed afterwards."""
    token = "lab-" + uuid.uuid4().hex
    key_authorization = token + ".lab-account-thumbprint"
    if settings["lab_acme_client"] == "caddy":
        directory = CADDY_ACME + "/challenge_tokens"
        # One file per name; Caddy answers only for the identifier the challenge names.
        files = dict(
            ("%s/%s.json" % (directory, name),
             json.dumps({"type": "http-01", "token": token, "keyAuthorization": key_authorization,
                         "identifier": {"type": "dns", "value": name}}))
            for name in (SERVER_NAME, MATRIX_HOST)
        )
        # Caddy writes there itself: the directory stays Caddy's.
        proxy.run_expect([0], "install -d -o caddy -g caddy -m 0700 %s", directory)
    else:
        files = {"/var/lib/matrix-federation/acme/.well-known/acme-challenge/" + token: key_authorization}
        proxy.run_expect([0], "mkdir -p /var/lib/matrix-federation/acme/.well-known/acme-challenge")
    try:
        for path, content in files.items():
            proxy.run_expect([0], "printf '%%s' %s > %s", content, path)
        yield token, key_authorization
    finally:
        proxy.run("rm -f -- %s" % " ".join(files))


def test_http_site_answers_acme_http01(client, challenge):
    """What the ACME CA fetches for http-01 is answered on port 80 (not redirected) for every name."""
    token, key_authorization = challenge
    for name in (SERVER_NAME, MATRIX_HOST):
        response = curl(client, "http://%s/.well-known/acme-challenge/%s" % (name, token))
        assert response.status == 200, response
        assert response.body == key_authorization, response
    # Anything else under the challenge path is no challenge: redirected like the rest.
    response = curl(client, "http://%s/.well-known/acme-challenge/not-%s" % (MATRIX_HOST, token))
    assert response.status in (301, 404), response


def test_plain_http_redirects_to_https(client):
    response = curl(client, "http://%s/.well-known/matrix/server" % SERVER_NAME)
    assert response.status == 301, response
    assert response.headers["location"] == "https://%s/.well-known/matrix/server" % SERVER_NAME


def test_proxy_serves_the_issued_certificate(client, proxy, settings, issued):
    for name in (SERVER_NAME, MATRIX_HOST):
        expected = issued_certificate(proxy, settings, name)
        assert served_certificate(client, name).serial_number == expected.serial_number, name
