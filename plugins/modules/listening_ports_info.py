#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: listening_ports_info
short_description: List the TCP and UDP services that listen on the network, before a firewall cuts them
version_added: 0.1.0
description:
  - Returns the listening TCP sockets and the bound UDP sockets on non-loopback addresses (C(ss -Htulnpe)),
    with the names of the programs that hold them.
  - Sockets on C(127.0.0.0/8) and C(::1) are left out, as no firewall rule on the input path concerns them.
  - A socket whose program C(ss) cannot see (a process of another user in a container without
    C(CAP_SYS_PTRACE)) is named by the user that owns it.
  - The firewall role (C(matrix.federation.firewall)) uses it to refuse a deny-by-default policy that would
    silently cut a service it was not told about.
author:
  - matrix.federation contributors (@matrix-federation)
options: {}
extends_documentation_fragment:
  - matrix.federation.attributes
  - matrix.federation.attributes.INFO_MODULE
requirements:
  - ss (iproute2) on the host, run as root (C(ss -p) shows other users' processes only to root)
'''

EXAMPLES = r'''
- name: List what listens on the network
  matrix.federation.listening_ports_info:
  register: listening

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.port }}/{{ item.proto }} {{ item.processes | join(',') }}"
  loop: "{{ listening.listeners }}"
'''

RETURN = r'''
listeners:
  description: One entry per protocol, port and address, sorted.
  returned: always
  type: list
  elements: dict
  sample: [{proto: udp, port: 3478, address: 10.0.0.5, processes: [turnserver], users: []}]
  contains:
    proto:
      description: V(tcp) or V(udp).
      type: str
    port:
      description: The port.
      type: int
    address:
      description: The address listened on; V(*), V(0.0.0.0) or V(::) for every address.
      type: str
    processes:
      description: Names of the programs holding the socket (C(systemd) for a socket unit).
      type: list
      elements: str
    users:
      description: Owner of the socket when its program could not be seen.
      type: list
      elements: str
'''

import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.matrix.federation.plugins.module_utils._federation.listeners import parse_listeners


def main():
    module = AnsibleModule(argument_spec=dict(), supports_check_mode=True)
    ss = module.get_bin_path('ss', required=True)
    rc, out, err = module.run_command([ss, '-H', '-t', '-u', '-l', '-n', '-p', '-e'], environ_update={'LC_ALL': 'C'})
    if rc != 0:
        module.fail_json(msg='ss -Htulnpe failed: %s' % (err or out).strip())
    users = dict((entry.pw_uid, entry.pw_name) for entry in pwd.getpwall())
    module.exit_json(changed=False, listeners=parse_listeners(out, users))


if __name__ == '__main__':
    main()
