# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converged proxy host: certificates from the lab's ACME CA for exactly
the wanted names. nginx: certbot's (matrix.federation.tls), deployed for the
proxy, renewed by certbot's timer. Caddy: its own ACME's (the role's default
for Caddy), kept in Caddy's storage, with no certbot lineage, deployed copy or
certbot configuration of the role's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from tlslab import ACME_CA, CADDY_CERTS, CADDY_SITE, DEPLOYED, LIVE, caddy_certificate_path, dns_names, load_certificate


def certificate_files(settings):
    """(path of the leaf, the names it must cover exactly) per certificate."""
    if settings["lab_acme_client"] == "caddy":
        # Caddy gets one certificate per name.
        return [(caddy_certificate_path(name), [name]) for name in settings["lab_cert_names"]]
    return [(LIVE + "/cert.pem", settings["lab_cert_names"])]


def test_certificate_names_and_issuer(proxy, settings, pebble_intermediate, issued):
    for path, names in certificate_files(settings):
        leaf = load_certificate(proxy.file(path).content_string)
        assert sorted(dns_names(leaf)) == sorted(names), path
        assert leaf.issuer == pebble_intermediate.subject, "%s issued by %s, pebble's intermediate is %s" % (path, leaf.issuer, pebble_intermediate.subject)


def test_chain_verifies_up_to_pebble_root(proxy, settings, pebble_intermediate, issued):
    for path, _names in certificate_files(settings):
        result = proxy.run("openssl verify -CAfile /tmp/pebble-roots.pem -untrusted /tmp/pebble-intermediates.pem %s", path)
        assert result.rc == 0, result.stdout + result.stderr


def test_caddy_holds_exactly_the_wanted_names(proxy, settings, issued):
    if settings["lab_acme_client"] != "caddy":
        pytest.skip("Caddy's own ACME only")
    stored = proxy.check_output("ls %s", CADDY_CERTS).split()
    assert sorted(stored) == sorted(settings["lab_cert_names"]), stored
    # Caddy's account at pebble carries the email the tls_acme_* settings gave.
    assert proxy.file("/var/lib/caddy/.local/share/caddy/acme/acme.test-14000-dir/users/admin@example.test").is_directory


def test_caddy_registered_its_acme_account_once(proxy, client, settings, issued):
    """Caddy before 2.9 (Debian 12 ships 2.6.2) registers an ACME account for every name it obtains at the same
    time when none is stored, and can keep one registration's key beside another's account URL: from its next
    restart on, every order fails with "JWS verification error" and nothing is renewed. The role lets Caddy
    register once: pebble saw one account, and Caddy keeps its key and registration."""
    if settings["lab_acme_client"] != "caddy":
        pytest.skip("Caddy's own ACME only")
    log = client.check_output("journalctl -u pebble --no-pager -o cat")
    assert re.findall(r"There are now (\d+) accounts in memory", log) == ["1"], log[-3000:]
    users = "/var/lib/caddy/.local/share/caddy/acme/acme.test-14000-dir/users/admin@example.test/"
    # certmagic names the files after the email's user part.
    for name in ("admin.key", "admin.json"):
        assert proxy.file(users + name).is_file, name


def test_deployed_files_for_the_proxy(proxy, settings):
    if settings["lab_acme_client"] != "certbot":
        pytest.skip("certbot only")
    chain = proxy.file(DEPLOYED + "/fullchain.pem")
    key = proxy.file(DEPLOYED + "/privkey.pem")
    assert (chain.user, chain.group, chain.mode) == ("root", settings["lab_deploy_group"], 0o644)
    assert (key.user, key.group, key.mode) == ("root", settings["lab_deploy_group"], 0o640)
    assert chain.content_string == proxy.file(LIVE + "/fullchain.pem").content_string


def test_caddy_acme_uses_no_certbot(proxy, settings):
    """Caddy renews its own certificates: the role set up no certbot lineage, deployed copy, deploy hook,
    certbot.service drop-in (the tls role's) or challenge webroot, and the sites carry Caddy's ACME settings."""
    if settings["lab_acme_client"] != "caddy":
        pytest.skip("Caddy's own ACME only")
    for path in (
        LIVE,
        "/etc/letsencrypt/renewal/example.test.conf",
        "/etc/letsencrypt/renewal-hooks/deploy/matrix-federation-example.test.sh",
        DEPLOYED,
        "/var/lib/matrix-federation/acme",
    ):
        assert not proxy.file(path).exists, path
    assert proxy.check_output("systemctl show --property=Environment --value certbot.service") == ""
    site = proxy.file(CADDY_SITE).content_string
    assert site.count("ca https://acme.test:14000/dir\n") == len(settings["lab_cert_names"]), site
    assert site.count("ca_root %s\n" % ACME_CA) == len(settings["lab_cert_names"]), site
    assert "tls admin@example.test {" in site, site
    assert "/etc/matrix-federation/tls" not in site and "acme-challenge" not in site, site


def test_listening_ports(proxy, settings):
    ports = set()
    for spec in proxy.socket.get_listening_sockets():
        if spec.startswith("tcp://"):
            ports.add(int(spec.rsplit(":", 1)[1]))
    assert {80, 443} <= ports, ports
    assert (8448 in ports) == bool(settings["lab_federation_port"]), ports


def test_certbot_timer_and_ca_bundle(proxy, settings):
    if settings["lab_acme_client"] != "certbot":
        pytest.skip("certbot only")
    assert proxy.service("certbot.timer").is_running
    assert proxy.service("certbot.timer").is_enabled
    environment = proxy.check_output("systemctl show --property=Environment --value certbot.service")
    assert environment == "REQUESTS_CA_BUNDLE=" + ACME_CA
