# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SSH port parsers, on output captured from the lab's Debian 12 containers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import subprocess

from ansible_collections.matrix.federation.plugins.module_utils._federation.sshports import parse_ss, parse_sshd_t, ssh_ports

# ss -Htlnp on the firewall lab host: sshd on 22 (IPv4 and IPv6), test listeners.
SS = '''LISTEN 0      5      0.0.0.0:9100 0.0.0.0:* users:(("python3",pid=972,fd=3))
LISTEN 0      5      0.0.0.0:8448 0.0.0.0:* users:(("python3",pid=825,fd=3))
LISTEN 0      128    0.0.0.0:22   0.0.0.0:* users:(("sshd",pid=471,fd=3))
LISTEN 0      128       [::]:22      [::]:* users:(("sshd",pid=471,fd=4))
LISTEN 0      4096   127.0.0.1%lo:2200 0.0.0.0:* users:(("sshd",pid=9,fd=5))
LISTEN 0      4096         *:2201       *:* users:(("systemd",pid=1,fd=50),("sshd",pid=77,fd=3))
LISTEN 0      128    0.0.0.0:2222 0.0.0.0:* users:(("sshd-session",pid=5,fd=3))
'''

SSHD_T = '''port 22
addressfamily any
listenaddress [::]:22
listenaddress 0.0.0.0:22
usepam yes
'''


def test_ss_keeps_only_sshd_sockets():
    assert parse_ss(SS) == [22, 2200, 2201]


def test_ss_without_process_column_finds_nothing():
    assert parse_ss('LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n') == []


def test_sshd_t_port():
    assert parse_sshd_t(SSHD_T) == [22]


def test_sshd_t_listenaddress_with_its_own_port():
    # Port 22 plus ListenAddress 0.0.0.0:2222: sshd listens on 2222 for IPv4 and 22 for the rest.
    assert parse_sshd_t('port 22\nlistenaddress 0.0.0.0:2222\nlistenaddress [::]:22\n') == [22, 2222]


def run(argv):
    """AnsibleModule.run_command's contract: a program that cannot start is rc 127, not an exception."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as exc:
        return 127, '', str(exc)
    return proc.returncode, proc.stdout, proc.stderr


def test_missing_tools_are_problems_not_failures():
    result = ssh_ports(run, sshd='/nonexistent/sshd', ss=None)
    assert result['ports'] == [] and result['listening'] == [] and result['configured'] == []
    assert 'ss (iproute2) is not installed' in result['problems'][0]
    assert result['problems'][1].startswith('sshd -T failed:')
