# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPv6 through the converged firewall, over the lab network's link-local addresses.

From the probe, SSH (open to any source) answers over IPv6 and an unlisted
port does not, right after the firewall host forgot its neighbours, so
neighbour discovery must pass both ways. nftables: DHCPv6 replies (udp 547 ->
546 from fe80::/10) reach a client socket, and the loaded table says so.
ufw: its rules exist for IPv6 too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

import pytest

# On the probe: send one datagram from SPORT to [HOST]:546, as a DHCPv6 server's reply comes.
DHCPV6_REPLY = r"""
import socket, sys
host, sport = sys.argv[1], int(sys.argv[2])
family, kind, proto, _, address = socket.getaddrinfo(host, 546, socket.AF_INET6, socket.SOCK_DGRAM)[0]
sock = socket.socket(family, kind, proto)
sock.bind(("::", sport))
sock.sendto(b"reply from port %d" % sport, address)
"""

# On the firewall host: a DHCPv6 client's socket, printing what it receives (journal of its unit).
DHCPV6_CLIENT = r"""
import socket
sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sock.bind(("::", 546))
while True:
    data, peer = sock.recvfrom(512)
    print(data.decode(), "from", peer[0], flush=True)
"""


@pytest.fixture
def forgotten_neighbours(fw):
    """The firewall host's IPv6 neighbour cache emptied: its next reply needs neighbour discovery."""
    fw.run_expect([0], "ip -6 neigh flush dev eth0")


def test_ssh_answers_over_ipv6_after_neighbour_discovery(forgotten_neighbours, assert_open, fw_link_local, ssh_port):
    assert_open([ssh_port], host=fw_link_local)


def test_unlisted_port_is_blocked_over_ipv6(assert_listeners, assert_closed, fw_link_local):
    assert_listeners([9999])
    assert_closed([9999], host=fw_link_local)


def test_ufw_rules_cover_ipv6(backend, fw, ssh_port):
    if backend != "ufw":
        pytest.skip("ufw only")
    status = fw.check_output("ufw status")
    assert "%d/tcp (v6)" % ssh_port in status, "ufw has no IPv6 rule for SSH:\n%s" % status
    policy = fw.check_output("ip6tables -S ufw6-user-input")
    assert "--dport %d" % ssh_port in policy, "ip6tables has no SSH rule in ufw6-user-input:\n%s" % policy


@pytest.fixture
def dhcpv6_client(backend, fw):
    """A socket on udp 546 on the firewall host (transient unit), as a DHCPv6 client has."""
    if backend != "nftables":
        pytest.skip("the DHCPv6 rule is the nftables table's own; ufw and firewalld ship theirs")
    fw.run_expect([0], "systemd-run --unit lab-dhcpv6-client python3 -u -c %s" % _quote(DHCPV6_CLIENT))
    fw.run_expect([0], "for i in $(seq 50); do ss -Hlun 'sport = :546' | grep -q . && exit 0; sleep 0.1; done; exit 1")
    yield
    fw.run("systemctl stop lab-dhcpv6-client")


def _quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"


def test_dhcpv6_reply_reaches_the_client(dhcpv6_client, fw, probe, fw_link_local):
    for sport in (547, 5470):
        probe.run_expect([0], "python3 -c %s %s %s" % (_quote(DHCPV6_REPLY), fw_link_local, sport))
    deadline = time.monotonic() + 10
    received = fw.run("journalctl -q -o cat -u lab-dhcpv6-client").stdout
    while "reply from port 547" not in received and time.monotonic() < deadline:
        time.sleep(0.5)
        received = fw.run("journalctl -q -o cat -u lab-dhcpv6-client").stdout
    assert "reply from port 547 from fe80:" in received, "the DHCPv6 reply did not pass:\n%s" % received
    assert "reply from port 5470" not in received, "udp from port 5470 to 546 passed too:\n%s" % received


def test_loaded_table_accepts_dhcpv6_replies_and_icmpv6(backend, fw):
    if backend != "nftables":
        pytest.skip("nftables only")
    table = json.loads(fw.check_output("nft -j list table inet matrix_federation"))
    rules = [item["rule"] for item in table["nftables"] if "rule" in item]
    rendered = [json.dumps(expr, sort_keys=True) for expr in rules]

    def position(*fragments):
        found = [index for index, text in enumerate(rendered) if all(fragment in text for fragment in fragments)]
        assert found, "no rule with %s in the loaded table:\n%s" % (fragments, "\n".join(rendered))
        return found[0]

    dhcpv6 = position('"prefix": {"addr": "fe80::", "len": 10}', '"field": "sport"', '547', '"field": "dport"',
                      '546', '"accept": null')
    icmpv6 = position('"ipv6-icmp"', '"accept": null')
    invalid = position('"invalid"', '"drop": null')
    # Neighbour discovery is "untracked" for conntrack: the ICMPv6 accept must come before the policy drop,
    # and before any port rule that could be narrowed later.
    assert dhcpv6 < position('"comment": "ssh"') and icmpv6 < position('"comment": "ssh"'), "\n".join(rendered)
    assert invalid < icmpv6, "\n".join(rendered)
