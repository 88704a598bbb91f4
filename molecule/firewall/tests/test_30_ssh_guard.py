# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Refusals: each run is refused with a message saying why and what to do, and nothing changes.

A firewall_ssh_port sshd does not listen on; sources that are not networks;
ufw with IPV6=no; a firewalld zone with target ACCEPT.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest


def test_wrong_ssh_port_is_refused(assert_refused, assert_open, ssh_port):
    wrong = ssh_port + 1
    assert_refused({"firewall_ssh_port": wrong}, [
        "Refusing to apply the firewall",
        "sshd listens on port(s) %d but firewall_ssh_port is %d" % (ssh_port, wrong),
    ])
    assert_open([ssh_port])


def test_sources_that_are_not_networks_are_refused(backend, assert_refused, lab, fw_name):
    if backend != "nftables":
        pytest.skip("checked before any backend is touched: the nftables scenario is enough")
    extra_ports = lab.vars(fw_name)["firewall_extra_ports"]
    assert_refused({
        "firewall_sources": ["1.2.3.4; drop", "10.0.0.0/8"],
        "firewall_extra_ports": extra_ports + [{"port": 9001, "sources": ["any", "matrix.example.org"]}],
    }, [
        "Refusing to apply the firewall, nothing was changed",
        "firewall_sources: '1.2.3.4; drop' is not an IP range",
        "firewall_extra_ports[1] (port 9001) sources: 'any' is not an IP range",
        "firewall_extra_ports[1] (port 9001) sources: 'matrix.example.org' is not an IP range",
    ])


@pytest.fixture
def ufw_ipv6_no(backend, fw):
    """/etc/default/ufw with IPV6=no for the test, then as it was."""
    if backend != "ufw":
        pytest.skip("ufw only")
    fw.run_expect([0], "cp -a /etc/default/ufw /tmp/ufw.default && sed -i 's/^IPV6=.*/IPV6=no/' /etc/default/ufw")
    yield
    fw.run_expect([0], "mv /tmp/ufw.default /etc/default/ufw")


def test_ufw_without_ipv6_is_refused(ufw_ipv6_no, assert_refused):
    assert_refused({}, [
        "Refusing to apply the firewall, nothing was changed: /etc/default/ufw has IPV6=no",
        "Set IPV6=yes in /etc/default/ufw",
    ])


@pytest.fixture
def eth0_in_trusted(backend, fw):
    """The lab interface in firewalld's trusted zone (target ACCEPT) for the test, runtime only."""
    if backend != "firewalld":
        pytest.skip("firewalld only")
    fw.run_expect([0], "firewall-cmd --zone=trusted --add-interface=eth0")
    yield
    fw.run_expect([0], "firewall-cmd --zone=trusted --remove-interface=eth0")


def test_firewalld_interface_in_an_accept_zone_is_refused(eth0_in_trusted, assert_refused):
    assert_refused({}, [
        "Refusing to apply the firewall, nothing was changed",
        "zones with target ACCEPT",
        "trusted (runtime, interfaces eth0)",
        "firewall_default_deny: false",
    ])


def test_firewalld_rules_in_an_accept_zone_are_refused(backend, assert_refused):
    if backend != "firewalld":
        pytest.skip("firewalld only")
    assert_refused({"firewall_firewalld_zone": "trusted"}, [
        "trusted (runtime, the zone of the rules)",
        "trusted (permanent, the zone of the rules)",
    ])
