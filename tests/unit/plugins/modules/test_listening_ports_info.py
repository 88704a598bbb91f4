# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""listening_ports_info as a real subprocess, with a fake ss first on PATH.

The fake replays output captured from a Debian 12 host; the real ss is exercised by the firewall
scenarios (molecule/firewall/tests/test_60_listeners.py)."""

import pwd

from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module

# ss -Htulnpe: a program ss can see, one it cannot (owned by root, uid 0), and loopback sockets left out.
SS = '''tcp LISTEN 0      5        0.0.0.0:7000 0.0.0.0:* users:(("python3",pid=198,fd=3)) ino:58154 sk:100a <->
udp UNCONN 0      0      10.89.0.2:3478 0.0.0.0:* uid:0 ino:58594 sk:1001 cgroup:unreachable:65 <->
tcp LISTEN 0      1024   127.0.0.1:3478 0.0.0.0:* uid:101 ino:57851 sk:100b cgroup:unreachable:65 <->
tcp LISTEN 0      1024       [::1]:3478    [::]:* uid:101 ino:58590 sk:100d cgroup:unreachable:65 v6only:1 <->
'''


def test_listeners_with_programs_or_owners(fake_bin, tmp_path):
    fake_bin.add('ss', stdout=SS)
    result, rc, dummy = run_module('listening_ports_info', {}, tmp_path)
    assert rc == 0, result
    assert result['changed'] is False
    assert result['listeners'] == [
        {'proto': 'tcp', 'port': 7000, 'address': '0.0.0.0', 'processes': ['python3'], 'users': []},
        {'proto': 'udp', 'port': 3478, 'address': '10.89.0.2', 'processes': [], 'users': [pwd.getpwuid(0).pw_name]},
    ]
    assert fake_bin.calls('ss') == [{'argv': ['-H', '-t', '-u', '-l', '-n', '-p', '-e'], 'lc_all': 'C'}]


def test_check_mode_lists_the_same(fake_bin, tmp_path):
    fake_bin.add('ss', stdout=SS)
    result, rc, dummy = run_module('listening_ports_info', {'_ansible_check_mode': True}, tmp_path)
    assert rc == 0 and len(result['listeners']) == 2


def test_failing_ss_fails_with_its_words(fake_bin, tmp_path):
    fake_bin.add('ss', rc=1, stderr='Cannot open netlink socket: Permission denied\n')
    result, rc, dummy = run_module('listening_ports_info', {}, tmp_path)
    assert rc == 1 and result['failed'] is True
    assert result['msg'] == 'ss -Htulnpe failed: Cannot open netlink socket: Permission denied'
