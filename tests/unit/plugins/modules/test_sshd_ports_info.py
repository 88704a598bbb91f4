# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""sshd_ports_info as a real subprocess, with fake ss, systemctl and sshd first on PATH.

The fakes replay output captured from a Debian 12 host; the real programs are exercised by the
firewall scenarios (molecule/firewall/tests/test_15_ssh_socket.py)."""

import os
import shutil

import pytest

from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.debian12_ssh_socket import (
    SERVICES_SHOW,
    SOCKETS_SHOW,
    SS_SOCKET_ONLY,
)
from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module

SS_SSHD = 'LISTEN 0      128    0.0.0.0:22   0.0.0.0:* users:(("sshd",pid=471,fd=3))\n'

# get_bin_path looks in /usr/sbin before PATH for sshd: a real sshd would answer instead of the fake (or its absence).
_SSHD_DIRS = os.pathsep.join([os.environ.get('PATH', ''), '/sbin', '/usr/sbin', '/usr/local/sbin'])
# Ansible's get_bin_path looks in /usr/sbin and /sbin before PATH, so where a real sshd is installed the fake
# one is never run; those two tests then skip (the real sshd is exercised by the firewall scenarios).
no_real_sshd = pytest.mark.skipif(shutil.which('sshd', path=_SSHD_DIRS) is not None, reason='a real sshd is installed')


def _fake_systemctl(fake_bin, sockets):
    # Both systemctl calls get the same answer: the socket units' blocks, then the services' (only Id and ExecStart read).
    fake_bin.add('systemctl', stdout=sockets + '\n' + SERVICES_SHOW)


def test_socket_activated_ssh_is_found_on_its_socket_port(fake_bin, tmp_path):
    fake_bin.add('ss', stdout=SS_SOCKET_ONLY)
    _fake_systemctl(fake_bin, SOCKETS_SHOW)
    result, rc, dummy = run_module('sshd_ports_info', {}, tmp_path)
    assert rc == 0, result
    assert result['changed'] is False
    assert result['ports'] == [2222] and result['listening'] == [] and result['socket_activated'] is True
    assert result['sockets'] == [{'unit': 'ssh.socket', 'service': 'ssh.service', 'ports': [2222], 'active': True,
                                  'enabled': True}]
    assert fake_bin.calls('ss') == [{'argv': ['-H', '-t', '-l', '-n', '-p'], 'lc_all': 'C'}]
    first = fake_bin.calls('systemctl')[0]
    assert first['argv'][0] == 'show' and first['argv'][-1] == '*.socket' and first['lc_all'] == 'C'


@no_real_sshd
def test_configuration_file_when_sshd_t_fails(fake_bin, tmp_path):
    fake_bin.add('ss', stdout=SS_SSHD)
    fake_bin.add('systemctl', stdout='')
    sshd = fake_bin.add('sshd', rc=255, stderr='Missing privilege separation directory: /run/sshd\n')
    config = tmp_path / 'sshd_config'
    config.write_text('# moved\nPort 2200\n')
    result, rc, dummy = run_module('sshd_ports_info', {'sshd_config': str(config)}, tmp_path)
    assert rc == 0, result
    assert result['sshd'] == sshd
    assert result['listening'] == [22] and result['configured'] == [2200]
    assert result['configured_from'] == str(config)
    assert result['ports'] == [22, 2200] and result['socket_activated'] is False
    assert result['problems'] == ['sshd -T failed: Missing privilege separation directory: /run/sshd']
    assert fake_bin.calls('sshd') == [{'argv': ['-T'], 'lc_all': 'C'}]


@no_real_sshd
def test_missing_sshd_is_a_problem_not_a_failure(fake_bin, tmp_path):
    fake_bin.add('ss', stdout=SS_SSHD)
    fake_bin.add('systemctl', rc=1, stderr='System has not been booted with systemd\n')
    result, rc, dummy = run_module('sshd_ports_info', {}, tmp_path)
    assert rc == 0, result
    assert result['sshd'] is None and result['ports'] == [22]
    assert result['problems'] == ['sshd is not installed',
                                  'systemctl show *.socket failed: System has not been booted with systemd']
