# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The listener parser, on ss -Htulnpe output captured from the lab's Debian 12 -full image."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.listeners import (
    is_loopback,
    parse_listeners,
    split_address,
)

# coturn started from the package (runs as turnserver, uid 101: a container's root without CAP_SYS_PTRACE
# cannot see its process), a python3 UDP socket on *:5353, python3 -m http.server 7000, ssh.socket on 2222.
SS = '''udp UNCONN 0      0      10.89.0.2:3478 0.0.0.0:* uid:101 ino:58594 sk:1001 cgroup:unreachable:65 <->
udp UNCONN 0      0      10.89.0.2:3478 0.0.0.0:* uid:101 ino:58593 sk:1002 cgroup:unreachable:65 <->
udp UNCONN 0      0      127.0.0.1:3478 0.0.0.0:* uid:101 ino:58592 sk:1003 cgroup:unreachable:65 <->
udp UNCONN 0      0          [::1]:3478    [::]:* uid:101 ino:58595 sk:1005 cgroup:unreachable:65 v6only:1 <->
udp UNCONN 0      0              *:5353       *:* users:(("python3",pid=199,fd=3)) ino:58143 sk:1007 v6only:0 <->
tcp LISTEN 0      1024   10.89.0.2:3478 0.0.0.0:* uid:101 ino:57853 sk:1008 cgroup:unreachable:65 <->
tcp LISTEN 0      5        0.0.0.0:7000 0.0.0.0:* users:(("python3",pid=198,fd=3)) ino:58154 sk:100a <->
tcp LISTEN 0      1024   127.0.0.1:3478 0.0.0.0:* uid:101 ino:57851 sk:100b cgroup:unreachable:65 <->
tcp LISTEN 0      4096           *:2222       *:* users:(("sshd",pid=136,fd=3),("systemd",pid=1,fd=49)) ino:1 <->
tcp LISTEN 0      1024       [::1]:3478    [::]:* uid:101 ino:58590 sk:100d cgroup:unreachable:65 v6only:1 <->
tcp LISTEN 0      4096   127.0.0.53%lo:53 0.0.0.0:* users:(("systemd-resolve",pid=300,fd=14)) ino:2 <->
udp UNCONN 0      0      [fe80::1c2a:6bff:fe1a:1b2c]%eth0:546 [::]:* users:(("dhclient",pid=400,fd=6)) ino:3 <->
tcp LISTEN 0      128    [::ffff:127.0.0.1]:8008 [::]:* users:(("python3",pid=9,fd=5)) ino:4 <->
'''


def test_network_listeners_with_their_programs():
    assert parse_listeners(SS, {101: 'turnserver'}) == [
        {'proto': 'tcp', 'port': 2222, 'address': '*', 'processes': ['sshd', 'systemd'], 'users': []},
        {'proto': 'tcp', 'port': 3478, 'address': '10.89.0.2', 'processes': [], 'users': ['turnserver']},
        {'proto': 'tcp', 'port': 7000, 'address': '0.0.0.0', 'processes': ['python3'], 'users': []},
        {'proto': 'udp', 'port': 546, 'address': 'fe80::1c2a:6bff:fe1a:1b2c', 'processes': ['dhclient'], 'users': []},
        {'proto': 'udp', 'port': 3478, 'address': '10.89.0.2', 'processes': [], 'users': ['turnserver']},
        {'proto': 'udp', 'port': 5353, 'address': '*', 'processes': ['python3'], 'users': []},
    ]


def test_unknown_uid_is_named_by_number():
    assert parse_listeners(SS.splitlines()[0])[0]['users'] == ['uid 101']


@pytest.mark.parametrize('local, expected', [
    ('0.0.0.0:22', ('0.0.0.0', 22)),
    ('[::]:22', ('::', 22)),
    ('*:22', ('*', 22)),
    ('127.0.0.53%lo:53', ('127.0.0.53', 53)),
    ('[fe80::1]%eth0:546', ('fe80::1', 546)),
    ('nonsense', (None, None)),
])
def test_split_address(local, expected):
    assert split_address(local) == expected


@pytest.mark.parametrize('host, expected', [
    ('127.0.0.1', True), ('127.1.2.3', True), ('::1', True), ('::ffff:127.0.0.1', True),
    ('0.0.0.0', False), ('::', False), ('*', False), ('10.0.0.1', False), ('fe80::1', False),
])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected
