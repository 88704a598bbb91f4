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

import pytest

from tlslab import PEBBLE_ROOT


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
