# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Caddy host that serves the certificate certbot got for the role (as every
version of the role before Caddy's own ACME did) keeps certbot under the
default reverse_proxy_acme_client: auto, changes nothing and says how to
switch; only an explicit reverse_proxy_acme_client: caddy moves it to Caddy's
own ACME. Real files: certbot against pebble, through the role's certbot path.
Last of the scenario's tests: it leaves a certbot lineage on the host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from tlslab import ACME_CA, CADDY_SITE, DEPLOYED, LIVE, MATRIX_HOST, caddy_certificate_path, load_certificate, wait_until_served

NOTE = "keeps certbot for its certificate: reverse_proxy_acme_client is auto"
FILE_TLS = "tls %s/fullchain.pem %s/privkey.pem" % (DEPLOYED, DEPLOYED)


@pytest.fixture(scope="module")
def caddy_only(settings):
    if settings["lab_acme_client"] != "caddy":
        pytest.skip("the caddy backend's auto rule")


@pytest.fixture(scope="module")
def certbot_host(lab, proxy, client, caddy_only, issued):
    """The host as the role's certbot path leaves it: certbot's lineage, the deployed copy, the file-based site."""
    run = lab.playbook("converge.yml", extra_vars={"reverse_proxy_acme_client": "certbot"})
    assert run.rc == 0, run
    assert proxy.file(LIVE + "/cert.pem").exists and proxy.file(DEPLOYED + "/fullchain.pem").exists
    assert FILE_TLS in proxy.file(CADDY_SITE).content_string
    serial = load_certificate(proxy.file(LIVE + "/cert.pem").content_string).serial_number
    assert wait_until_served(client, serial) == serial
    return serial


def test_auto_keeps_certbot_and_says_how_to_switch(lab, proxy, client, certbot_host):
    site = proxy.file(CADDY_SITE).sha256sum
    run = lab.playbook("converge.yml")
    host = lab.group("proxy")[0]
    assert run.rc == 0, run
    assert run.recap[host]["changed"] == 0, run.changed_tasks()
    assert NOTE in run.stdout, run
    assert "set reverse_proxy_acme_client: caddy" in run.stdout, run
    assert DEPLOYED + "/fullchain.pem" in run.stdout and "/etc/letsencrypt/renewal/example.test.conf" in run.stdout, run
    assert proxy.file(CADDY_SITE).sha256sum == site
    assert wait_until_served(client, certbot_host, timeout=10) == certbot_host
    # The tls role still runs: certbot keeps renewing, with pebble's CA.
    assert proxy.service("certbot.timer").is_enabled
    assert proxy.check_output("systemctl show --property=Environment --value certbot.service") == "REQUESTS_CA_BUNDLE=" + ACME_CA


def test_auto_predicts_no_change_in_check_mode(lab, certbot_host):
    run = lab.playbook("converge.yml", check=True, diff=True)
    run.assert_no_change(lab.group("proxy")[0])
    assert NOTE in run.stdout, run


def test_explicit_caddy_switches_to_caddy_acme(lab, proxy, client, certbot_host):
    run = lab.playbook("converge.yml", extra_vars={"reverse_proxy_acme_client": "caddy"})
    host = lab.group("proxy")[0]
    assert run.rc == 0, run
    assert run.recap[host]["changed"] >= 1, run
    assert NOTE not in run.stdout, run
    site = proxy.file(CADDY_SITE).content_string
    assert FILE_TLS not in site and "ca https://acme.test:14000/dir" in site, site
    stored = load_certificate(proxy.file(caddy_certificate_path(MATRIX_HOST)).content_string).serial_number
    assert stored != certbot_host
    assert wait_until_served(client, stored) == stored
    # Switching touches nothing of certbot's: its lineage stays until the admin removes it.
    assert proxy.file(LIVE + "/cert.pem").exists
    # Idempotent in the new mode.
    run = lab.playbook("converge.yml", extra_vars={"reverse_proxy_acme_client": "caddy"})
    assert run.rc == 0 and run.recap[host]["changed"] == 0, run.changed_tasks()
