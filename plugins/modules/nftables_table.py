#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: nftables_table
short_description: Keep one nftables table loaded from its file, and repair it when it drifts
version_added: 0.1.0
description:
  - Loads an nftables table from a file with C(nft -f) when the kernel does not hold exactly what that file
    loaded last time, and does nothing otherwise.
  - The comparison is made in the kernel, not only on disk. The table as C(nft --stateless list table) prints it
    is recorded right after each load, with the SHA-256 of the file. The table is loaded again when it is
    missing (after C(nft flush ruleset), or a restart of C(nftables.service) whose C(/etc/nftables.conf) flushes
    the ruleset), when a rule in it was changed by hand, or when the file changed.
  - The file is checked with C(nft --check) first; a file nft rejects fails the task and the loaded table stays.
  - For an atomic replacement, the file should declare, delete and re-create its table
    (C(table inet t), C(delete table inet t), C(table inet t { ... })), so C(nft -f) swaps it in one transaction.
  - Only the named table is touched; other tables (C(/etc/nftables.conf), Docker's, the admin's) are left alone.
  - The firewall role (C(matrix.federation.firewall), nftables backend) uses it for its table.
author:
  - matrix.federation contributors (@matrix-federation)
options:
  name:
    description:
      - Name of the table.
    type: str
    required: true
  family:
    description:
      - Address family of the table.
    type: str
    default: inet
    choices: [ip, ip6, inet, arp, bridge, netdev]
  path:
    description:
      - File that creates the table (C(nft -f) syntax). Required with O(state=present).
    type: path
  state:
    description:
      - V(present) loads the table from O(path) when the kernel differs; V(absent) deletes the table.
    type: str
    default: present
    choices: [present, absent]
  force:
    description:
      - Load the table from O(path) even when the kernel holds it exactly as last loaded.
      - In check mode this predicts the load, also when O(path) does not exist yet because a task before this one
        (skipped by check mode) is about to write it.
    type: bool
    default: false
  record_path:
    description:
      - Where the listing of the last load is kept.
      - Defaults to C(/var/lib/matrix-federation/nftables-<family>-<name>.json).
    type: path
extends_documentation_fragment:
  - matrix.federation.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff is of the table's listing before and after (in check mode, of the file to be loaded).
requirements:
  - nft (the nftables package)
seealso:
  - module: ansible.builtin.template
'''

EXAMPLES = r'''
- name: Write the table file, checked with nft -c
  ansible.builtin.template:
    src: federation.nft.j2
    dest: /etc/nftables.d/federation.nft
    mode: "0644"
    validate: nft -c -f %s

- name: Keep the table loaded exactly as the file says
  matrix.federation.nftables_table:
    name: federation
    path: /etc/nftables.d/federation.nft

- name: Remove the table from the kernel
  matrix.federation.nftables_table:
    name: federation
    state: absent
'''

RETURN = r'''
reason:
  description: Why the table was (or in check mode would be) loaded or deleted; null when nothing changed.
  returned: always
  type: str
  sample: table inet federation was changed outside this module
record_path:
  description: The file holding the listing of the last load.
  returned: always
  type: str
  sample: /var/lib/matrix-federation/nftables-inet-federation.json
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.nftables import (
    FAMILIES,
    Nft,
    default_record_path,
    ensure_table,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            family=dict(type='str', default='inet', choices=list(FAMILIES)),
            path=dict(type='path'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            record_path=dict(type='path'),
            force=dict(type='bool', default=False),
        ),
        required_if=[('state', 'present', ['path'])],
        supports_check_mode=True,
    )
    params = module.params
    record_path = params['record_path'] or default_record_path(params['family'], params['name'])
    binary = module.get_bin_path('nft')
    if binary is None:
        module.fail_json(msg='nft was not found on the host: install the nftables package', record_path=record_path)

    def run(argv):
        return module.run_command(argv, environ_update={'LC_ALL': 'C'})

    try:
        result = ensure_table(Nft(run, binary), params['family'], params['name'], path=params['path'],
                              state=params['state'], record_path=record_path, check_mode=module.check_mode,
                              force=params['force'])
    except FederationError as exc:
        module.fail_json(msg=exc.message, code=exc.code, record_path=record_path)
    output = dict(changed=result['changed'], reason=result['reason'], record_path=record_path)
    if module._diff and result['changed']:
        output['diff'] = dict(before=result['before'], after=result['after'],
                              before_header='table %s %s (kernel)' % (params['family'], params['name']),
                              after_header=params['path'] or 'absent')
    module.exit_json(**output)


if __name__ == '__main__':
    main()
