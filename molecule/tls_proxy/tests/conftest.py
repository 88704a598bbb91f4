# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the TLS + reverse proxy scenario (one run per proxy: LAB_BACKEND=nginx|caddy).

Two containers: `acme` runs pebble (the lab's ACME CA) and is the client the
checks are made from; `proxy` runs the proxy, certbot and an echo backend
that answers with the headers it got.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from tlslab import ACME_CA, PEBBLE_ROOT, caddy_certificate_path, issued_certificate, load_certificate, wait_until_served


@pytest.fixture(scope="session")
def settings(lab):
    """The scenario's lab_* variables (molecule.yml group_vars)."""
    hostvars = lab.vars(lab.group("proxy")[0])
    return dict((key, value) for key, value in hostvars.items() if key.startswith("lab_"))


@pytest.fixture(scope="session")
def proxy(lab):
    return lab.host(lab.group("proxy")[0])


@pytest.fixture(scope="session")
def client(lab):
    """The acme container as a client that trusts pebble's issuing root."""
    host = lab.host(lab.group("acme")[0])
    host.run_expect(
        [0], "curl -sS --fail --max-time 30 --cacert /etc/pebble/ca.pem -o %s https://acme.test:15000/roots/0", PEBBLE_ROOT
    )
    return host


@pytest.fixture(scope="session")
def issued(proxy, client, settings):
    """Every name's certificate issued and served. Caddy's own ACME obtains them
    in the background once it loaded the sites: wait for them (the converge
    run only configured the sites)."""
    for name in settings["lab_cert_names"]:
        if settings["lab_acme_client"] == "caddy":
            deadline = time.time() + 120
            while not proxy.file(caddy_certificate_path(name)).exists and time.time() < deadline:
                time.sleep(2)
            assert proxy.file(caddy_certificate_path(name)).exists, "Caddy got no certificate for %s: %s" % (
                name, proxy.run("journalctl -u caddy --no-pager -n 40").stdout)
        serial = issued_certificate(proxy, settings, name).serial_number
        assert wait_until_served(client, serial, name) == serial, name
    return True


@pytest.fixture(scope="session")
def pebble_intermediate(proxy):
    """pebble's current intermediate (the issuer of its certificates); its root and
    intermediate are left on the proxy in /tmp/pebble-{roots,intermediates}.pem."""
    for kind in ("roots", "intermediates"):
        proxy.run_expect(
            [0], "curl -sS --fail --max-time 30 --cacert %s -o /tmp/pebble-%s.pem https://acme.test:15000/%s/0", ACME_CA, kind, kind
        )
    return load_certificate(proxy.file("/tmp/pebble-intermediates.pem").content_string)
