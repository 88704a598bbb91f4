# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A service the role was not told about is not cut silently.

A new listener on the firewall host (python3 -m http.server on 7000, a
transient unit) makes the next run refuse, naming 7000/tcp and python3 and
the variables to use; with 7000 in firewall_extra_ports the run goes through
and the probe reaches it. (The scenario's own 9100 and 9999 listeners are in
firewall_accept_closing: molecule.yml.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

PORT = 7000


@pytest.fixture(scope="module")
def new_service(backend, fw):
    if backend != "nftables":
        pytest.skip("the check runs before the backend is touched: the nftables scenario is enough")
    fw.run_expect([0], "systemd-run --unit lab-new-service python3 -m http.server %d --directory /tmp" % PORT)
    fw.run_expect([0], "for i in $(seq 50); do ss -Hltn 'sport = :%d' | grep -q . && exit 0; sleep 0.1; done; exit 1"
                  % PORT)
    yield
    fw.run("systemctl stop lab-new-service")


def test_new_listener_is_named_in_a_refusal(new_service, assert_refused):
    assert_refused({}, [
        "Refusing to apply the firewall, nothing was changed",
        "would be cut: %d/tcp (python3 on 0.0.0.0)" % PORT,
        "add it to firewall_extra_ports",
        "list it in firewall_accept_closing",
    ])


def test_listener_kept_open_is_reached(new_service, converge, fw_name, lab, assert_open):
    extra_ports = lab.vars(fw_name)["firewall_extra_ports"] + [{"port": PORT, "comment": "new service"}]
    run = converge(limit=fw_name, extra_vars={"firewall_extra_ports": extra_ports})
    assert run.rc == 0 and run.recap[fw_name]["failed"] == 0, "the run with %d kept open failed: %r" % (PORT, run)
    assert_open([PORT])
