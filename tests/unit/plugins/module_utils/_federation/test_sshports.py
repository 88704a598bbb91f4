# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SSH port parsers, on output captured from the lab's Debian 12 containers."""

import subprocess

from ansible_collections.matrix.federation.plugins.module_utils._federation.sshports import (
    exec_binaries,
    parse_ss,
    parse_sshd_t,
    parse_systemctl_show,
    ssh_ports,
    sshd_config_ports,
    sshd_socket_units,
    stream_ports,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.debian12_ssh_socket import (
    SERVICES_SHOW,
    SOCKETS_SHOW,
    SS_SOCKET_ONLY,
    SSHD_T_NO_PRIVSEP,
)

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
    result = ssh_ports(run, sshd='/nonexistent/sshd', ss=None, systemctl=None)
    assert result['ports'] == [] and result['listening'] == [] and result['configured'] == []
    assert 'ss (iproute2) is not installed' in result['problems'][0]
    assert result['problems'][1].startswith('sshd -T failed:')
    assert 'systemctl is not installed' in result['problems'][2]


def test_systemctl_show_blocks_and_repeated_listen():
    units = parse_systemctl_show(SOCKETS_SHOW)
    assert [unit['Id'] for unit in units] == ['dbus.socket', 'systemd-journald.socket', 'ssh.socket']
    assert units[1]['Listen'] == ['/run/systemd/journal/socket (Datagram)', '/run/systemd/journal/stdout (Stream)']
    assert units[2]['Triggers'] == 'ssh.service'


def test_stream_ports_skip_paths_and_datagrams():
    assert stream_ports(['[::]:2300 (Stream)', '127.0.0.1:2301 (Stream)', '/run/foo.sock (Stream)',
                         '[::]:2302 (Datagram)', 'vsock:2:22 (Stream)']) == [2300, 2301]


def test_exec_binaries_of_execstart():
    assert exec_binaries(SERVICES_SHOW.splitlines()[0]) == ['/usr/sbin/sshd']
    assert exec_binaries('') == []


def test_ssh_socket_moved_to_2222_is_found():
    units = sshd_socket_units(parse_systemctl_show(SOCKETS_SHOW), parse_systemctl_show(SERVICES_SHOW))
    assert units == [{'unit': 'ssh.socket', 'service': 'ssh.service', 'ports': [2222], 'active': True,
                      'enabled': True}]


def test_accept_yes_socket_starts_the_template():
    sockets = parse_systemctl_show('Accept=yes\nListen=[::]:2300 (Stream)\nId=foo.socket\nTriggers=foo.service\n'
                                   'ActiveState=inactive\nUnitFileState=enabled\n')
    services = parse_systemctl_show('ExecStart={ path=/usr/sbin/sshd ; argv[]=/usr/sbin/sshd -i ; }\n'
                                    'Id=foo@0.service\n')
    assert sshd_socket_units(sockets, services) == [{'unit': 'foo.socket', 'service': 'foo@0.service',
                                                     'ports': [2300], 'active': False, 'enabled': True}]


def test_socket_of_another_program_is_not_ssh():
    services = parse_systemctl_show('ExecStart={ path=/usr/bin/python3 ; argv[]=/usr/bin/python3 x ; }\n'
                                    'Id=ssh.service\n')
    assert sshd_socket_units(parse_systemctl_show(SOCKETS_SHOW), services) == []


def host(ss_out, sshd_t, sockets=SOCKETS_SHOW, services=SERVICES_SHOW):
    """run(argv) of a host: ss prints ss_out, sshd -T gives sshd_t (rc, out, err), systemctl show prints the units."""
    def run(argv):
        program = argv[0].rsplit('/', 1)[-1]
        if program == 'systemctl':
            return 0, (sockets if argv[-1] == '*.socket' else services), ''
        return sshd_t if program == 'sshd' else (0, ss_out, '')
    return run


def test_socket_activated_sshd_before_its_first_connection():
    # ss shows systemd only, sshd -T fails: the socket unit alone says 2222, and 22 is never assumed.
    result = ssh_ports(host(SS_SOCKET_ONLY, (255, '', SSHD_T_NO_PRIVSEP)),
                       sshd='/usr/sbin/sshd', ss='/usr/bin/ss', systemctl='/usr/bin/systemctl')
    assert result['ports'] == [2222] and result['socket_activated'] is True
    assert result['listening'] == [] and result['configured'] == []
    assert any('Missing privilege separation directory' in problem for problem in result['problems'])


def test_socket_activated_sshd_ignores_its_configured_port():
    # After a connection ssh.service runs and sshd -T works, but says port 22: sshd serves systemd's socket.
    ss_out = 'LISTEN 0 4096 *:2222 *:* users:(("sshd",pid=136,fd=3),("systemd",pid=1,fd=24))\n'
    result = ssh_ports(host(ss_out, (0, SSHD_T, '')),
                       sshd='/usr/sbin/sshd', ss='/usr/bin/ss', systemctl='/usr/bin/systemctl')
    assert result['ports'] == [2222] and result['configured'] == [22] and result['problems'] == []


def test_stopped_and_disabled_ssh_socket_does_not_count():
    sockets = SOCKETS_SHOW.replace('ActiveState=active\nUnitFileState=enabled', 'ActiveState=inactive\nUnitFileState=disabled')
    result = ssh_ports(host(SS, (0, 'port 2200\n', ''), sockets=sockets),
                       sshd='/usr/sbin/sshd', ss='/usr/bin/ss', systemctl='/usr/bin/systemctl')
    assert result['socket_activated'] is False and result['sockets'][0]['ports'] == [2222]
    assert result['ports'] == [22, 2200, 2201]


def test_failing_systemctl_is_a_problem():
    def run(argv):
        if argv[0].endswith('systemctl'):
            return 1, '', 'System has not been booted with systemd as init system (PID 1).'
        return host(SS, (0, SSHD_T, ''))(argv)
    result = ssh_ports(run, sshd='/usr/sbin/sshd', ss='/usr/bin/ss', systemctl='/usr/bin/systemctl')
    assert result['ports'] == [22, 2200, 2201] and result['sockets'] == []
    assert result['problems'] == ['systemctl show *.socket failed: System has not been booted with systemd '
                                  'as init system (PID 1).']


def test_installed_sshd_that_never_ran_is_read_from_its_config(tmp_path):
    # Debian's openssh-server installed but ssh.service never started (disabled, no socket unit): sshd -T
    # fails for want of /run/sshd, so the files say it; Includes follow sshd's order, Match ends the search.
    conf_d = tmp_path / 'sshd_config.d'
    conf_d.mkdir()
    (conf_d / '10-port.conf').write_text('Port=2200\n')
    (conf_d / '20-listen.conf').write_text('ListenAddress [::1]:2201\nListenAddress 10.0.0.1\nMatch User x\nPort 2299\n')
    (conf_d / '30-after-match.conf').write_text('Port 2298\n')
    config = tmp_path / 'sshd_config'
    config.write_text('# Port 2297\nInclude %s/*.conf\n  port 2222\n' % conf_d)
    sockets = SOCKETS_SHOW.replace('ActiveState=active\nUnitFileState=enabled', 'ActiveState=inactive\nUnitFileState=disabled')
    result = ssh_ports(host('', (255, '', SSHD_T_NO_PRIVSEP), sockets=sockets), sshd='/usr/sbin/sshd',
                       ss='/usr/bin/ss', systemctl='/usr/bin/systemctl', sshd_config=str(config))
    assert result['ports'] == [2200, 2201] and result['configured_from'] == str(config)
    assert result['problems'] == ['sshd -T failed: Missing privilege separation directory: /run/sshd']


def test_sshd_config_without_port_means_22(tmp_path):
    config = tmp_path / 'sshd_config'
    config.write_text('Include /nonexistent/*.conf\nUsePAM yes\n')
    assert sshd_config_ports(str(config)) == [22]


def test_unreadable_sshd_config_is_a_problem(tmp_path):
    result = ssh_ports(host('', (255, '', SSHD_T_NO_PRIVSEP)), sshd='/usr/sbin/sshd', ss='/usr/bin/ss',
                       systemctl=None, sshd_config=str(tmp_path / 'missing'))
    assert result['configured'] == [] and result['configured_from'] is None
    assert result['problems'][1].startswith('%s could not be read: ' % (tmp_path / 'missing'))
