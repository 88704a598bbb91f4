# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converged proxy host: a certificate from the lab's ACME CA for exactly
the wanted names, deployed for the proxy, renewed by certbot's timer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from tlslab import ACME_CA, DEPLOYED, LIVE, dns_names, load_certificate


def test_certificate_names_and_issuer(proxy, settings):
    leaf = load_certificate(proxy.file(LIVE + "/cert.pem").content_string)
    assert sorted(dns_names(leaf)) == sorted(settings["lab_cert_names"])
    intermediate = load_certificate(
        proxy.check_output("curl -sS --fail --max-time 30 --cacert %s https://acme.test:15000/intermediates/0", ACME_CA)
    )
    assert leaf.issuer == intermediate.subject, "issued by %s, pebble's intermediate is %s" % (leaf.issuer, intermediate.subject)


def test_chain_verifies_up_to_pebble_root(proxy):
    for kind in ("roots", "intermediates"):
        proxy.run_expect(
            [0], "curl -sS --fail --max-time 30 --cacert %s -o /tmp/pebble-%s.pem https://acme.test:15000/%s/0", ACME_CA, kind, kind
        )
    result = proxy.run(
        "openssl verify -CAfile /tmp/pebble-roots.pem -untrusted /tmp/pebble-intermediates.pem %s", LIVE + "/cert.pem"
    )
    assert result.rc == 0, result.stdout + result.stderr


def test_deployed_files_for_the_proxy(proxy, settings):
    chain = proxy.file(DEPLOYED + "/fullchain.pem")
    key = proxy.file(DEPLOYED + "/privkey.pem")
    assert (chain.user, chain.group, chain.mode) == ("root", settings["lab_deploy_group"], 0o644)
    assert (key.user, key.group, key.mode) == ("root", settings["lab_deploy_group"], 0o640)
    assert chain.content_string == proxy.file(LIVE + "/fullchain.pem").content_string


def test_listening_ports(proxy, settings):
    ports = set()
    for spec in proxy.socket.get_listening_sockets():
        if spec.startswith("tcp://"):
            ports.add(int(spec.rsplit(":", 1)[1]))
    assert {80, 443} <= ports, ports
    assert (8448 in ports) == bool(settings["lab_federation_port"]), ports


def test_certbot_timer_and_ca_bundle(proxy):
    assert proxy.service("certbot.timer").is_running
    assert proxy.service("certbot.timer").is_enabled
    environment = proxy.check_output("systemctl show --property=Environment --value certbot.service")
    assert environment == "REQUESTS_CA_BUNDLE=" + ACME_CA
