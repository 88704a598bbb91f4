#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sshd_ports_info
short_description: Find the TCP ports SSH is reachable on before a firewall changes
version_added: 0.1.0
description:
  - Returns the ports an C(sshd) process listens on now (from C(ss -Htlnp)), the TCP ports of the systemd socket
    units that start sshd (their C(Listen) property, from C(systemctl show)), and the ports sshd's effective
    configuration names (C(port) and each C(listenaddress) of C(sshd -T)).
  - Socket units matter when SSH was moved the socket-activated way (C(ssh.socket) with C(ListenStream=2222)).
    Until the first connection only systemd (pid 1) holds the socket, so C(ss) shows no sshd, and C(sshd -T) fails
    (C(/run/sshd) is created by ssh.service, which has not run yet). A socket unit counts when it is active or
    enabled and the service it starts (C(Triggers), or C(NAME@.service) for C(Accept=yes)) runs C(sshd).
  - When sshd is socket-activated, sshd serves the sockets systemd hands it and ignores its own C(Port) and
    C(ListenAddress), so the ports of C(sshd -T) are returned in RV(configured) but not counted in RV(ports).
  - Both matter to a firewall that must never lock the admin out. After C(sshd_config) is edited and before sshd
    restarts, the two differ, and both must stay open.
  - When sshd is installed but C(sshd -T) fails (an sshd that never ran has no C(/run/sshd)), the ports are read
    from O(sshd_config) and the files it C(Include)s instead, every C(Port) (22 when none) and the port of each
    C(ListenAddress host:port). RV(configured_from) says which source was used.
  - A missing or failing tool is reported in RV(problems), not as a failure; the caller decides (the firewall role
    falls back to port 22 only when nothing at all was found).
  - The firewall role (C(matrix.federation.firewall)) uses it to allow SSH before any default-deny policy.
author:
  - matrix.federation contributors (@matrix-federation)
options:
  sshd_config:
    description:
      - The sshd configuration file read when C(sshd -T) fails. Relative C(Include) paths are taken from C(/etc/ssh),
        as sshd does.
    type: path
    default: /etc/ssh/sshd_config
extends_documentation_fragment:
  - matrix.federation.attributes
  - matrix.federation.attributes.INFO_MODULE
requirements:
  - ss (iproute2), sshd and systemctl on the host, run as root (C(ss -p) shows other users' processes only to root)
'''

EXAMPLES = r'''
- name: Find the SSH ports
  matrix.federation.sshd_ports_info:
  register: ssh

- name: Allow them before enabling a default-deny policy
  community.general.ufw:
    rule: allow
    port: "{{ item }}"
    proto: tcp
  loop: "{{ ssh.ports }}"
'''

RETURN = r'''
ports:
  description:
    - Every port SSH is or will be reachable on, sorted; empty when none could be found (see RV(problems)).
    - RV(listening), the ports of the active or enabled RV(sockets), and RV(configured) unless RV(socket_activated).
  returned: always
  type: list
  elements: int
  sample: [22, 2222]
listening:
  description: Ports a process named C(sshd) listens on now.
  returned: always
  type: list
  elements: int
  sample: [22]
configured:
  description: Ports of sshd's effective configuration (C(sshd -T)).
  returned: always
  type: list
  elements: int
  sample: [2222]
configured_from:
  description: Where RV(configured) was read (C(sshd -T), or the O(sshd_config) path when C(sshd -T) failed); null when neither worked.
  returned: always
  type: str
  sample: sshd -T
sockets:
  description: The systemd socket units that start sshd and have TCP ports.
  returned: always
  type: list
  elements: dict
  sample: [{unit: ssh.socket, service: ssh.service, ports: [2222], active: true, enabled: true}]
  contains:
    unit:
      description: The socket unit.
      type: str
    service:
      description: The service it starts.
      type: str
    ports:
      description: Its TCP ports (C(ListenStream=)).
      type: list
      elements: int
    active:
      description: Whether systemd listens on them now.
      type: bool
    enabled:
      description: Whether the unit starts at boot.
      type: bool
socket_activated:
  description: Whether an active or enabled socket unit starts sshd (then RV(configured) is not counted in RV(ports)).
  returned: always
  type: bool
  sample: true
sshd:
  description: The sshd program found, null when sshd is not installed.
  returned: always
  type: str
  sample: /usr/sbin/sshd
problems:
  description: What could not be read (a missing C(ss), C(sshd) or C(systemctl), C(sshd -T) refusing its configuration).
  returned: always
  type: list
  elements: str
  sample: []
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.matrix.federation.plugins.module_utils._federation.sshports import ssh_ports


def main():
    module = AnsibleModule(argument_spec=dict(sshd_config=dict(type='path', default='/etc/ssh/sshd_config')),
                           supports_check_mode=True)

    def run(argv):
        return module.run_command(argv, environ_update={'LC_ALL': 'C'})

    sshd = module.get_bin_path('sshd', opt_dirs=['/usr/sbin'])
    result = ssh_ports(run, sshd=sshd, ss=module.get_bin_path('ss'), systemctl=module.get_bin_path('systemctl'),
                       sshd_config=module.params['sshd_config'])
    module.exit_json(changed=False, sshd=sshd, **result)


if __name__ == '__main__':
    main()
