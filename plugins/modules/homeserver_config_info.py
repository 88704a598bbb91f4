#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: homeserver_config_info
short_description: Read a homeserver's identity from its configuration the way the homeserver does
version_added: 0.2.0
description:
  - For Synapse, reads the C(--config-path) arguments of the systemd unit's C(ExecStart) in order (a directory
    contributes its C(*.yaml) files, sorted) and merges them the way Synapse does (a later file replaces a whole
    top-level key). The matrix.org Debian package keeps C(server_name) in C(conf.d/server_name.yaml), so reading
    C(homeserver.yaml) alone gets it wrong.
  - For Dendrite, reads C(dendrite.yaml) and resolves C(global.private_key) against the unit's working directory.
  - Returns the server name, the signing key file actually used (and its owner, group and mode), the retired keys
    the admin publishes, the unit's user, and the names of the keys each file sets. Secret values
    (C(macaroon_secret_key), C(registration_shared_secret), database passwords, ...) are never returned.
  - The homeserver role and the key playbooks (C(keys_backup), C(keys_rotate), C(keys_restore)) use it so that they
    act on the key the server really signs with.
author:
  - matrix.federation contributors (@matrix-federation)
options:
  backend:
    description: Homeserver implementation.
    type: str
    choices: [synapse, dendrite]
    default: synapse
  service:
    description:
      - systemd unit of the homeserver. Its C(ExecStart) gives Synapse's C(--config-path)s; its C(User), C(Group)
        and C(WorkingDirectory) are returned.
      - Defaults to C(matrix-synapse.service) for Synapse and C(dendrite.service) for Dendrite.
      - For Synapse a unit that does not exist is an error unless O(config_paths) is set.
    type: str
  config_paths:
    description:
      - Synapse's C(--config-path) values in order, instead of reading them from the unit.
    type: list
    elements: path
  config_file:
    description: Dendrite's C(dendrite.yaml).
    type: path
    default: /etc/dendrite/dendrite.yaml
  working_directory:
    description:
      - Directory relative paths are resolved against. Default the unit's C(WorkingDirectory), else C(/) for
        Synapse and the directory of O(config_file) for Dendrite.
    type: path
  managed_file:
    description:
      - Synapse only. The collection's own configuration file (the homeserver role's). It is left out of the
        effective values, so that they show what the admin set, and listed in RV(config_files) (C(managed=true))
        where Synapse reads it, also before it exists.
    type: path
extends_documentation_fragment:
  - matrix.federation.attributes
  - matrix.federation.attributes.INFO_MODULE
requirements:
  - PyYAML
  - systemctl, unless O(config_paths) (Synapse) is given
'''

EXAMPLES = r'''
- name: Find the key Synapse really signs with (Debian package layout)
  matrix.federation.homeserver_config_info:
  register: synapse_config

- name: Back it up
  ansible.builtin.fetch:
    src: "{{ synapse_config.signing_key.path }}"
    dest: backups/

- name: Read a Dendrite configuration
  matrix.federation.homeserver_config_info:
    backend: dendrite
    config_file: /etc/dendrite/dendrite.yaml
'''

RETURN = r'''
server_name:
  description: The server name of the effective configuration, V(null) when none is set.
  returned: always
  type: str
  sample: example.com
server_name_source:
  description: The file that sets it.
  returned: always
  type: str
  sample: /etc/matrix-synapse/conf.d/server_name.yaml
signing_key:
  description:
    - The signing key file the homeserver uses (absolute), whether it exists, and its owner, group and mode.
    - C(source) is the file that sets the path, V(null) when it is the homeserver's default.
  returned: always
  type: dict
  sample: {path: /etc/matrix-synapse/homeserver.signing.key, format: synapse, exists: true, owner: matrix-synapse,
           group: matrix-synapse, mode: '0600', source: /etc/matrix-synapse/homeserver.yaml}
old_signing_keys:
  description: Retired keys the configuration publishes (public keys), in Synapse's C(old_signing_keys) shape.
  returned: always
  type: dict
  sample: {"ed25519:a_old": {key: "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ", expired_ts: 1700000000000}}
old_signing_keys_source:
  description: The file that sets them, V(null) when none does.
  returned: always
  type: str
federation_domain_whitelist:
  description:
    - Synapse's C(federation_domain_whitelist) as the admin's files set it (the servers it federates with),
      V(null) when unset (every server) and always for Dendrite (no allow list).
  returned: always
  type: list
  elements: str
federation_domain_whitelist_source:
  description: The file that sets it, V(null) when none does.
  returned: always
  type: str
trusted_key_servers:
  description:
    - The names of the key servers (notaries) the homeserver asks for other servers' keys (Synapse
      C(trusted_key_servers), C(matrix.org) when unset; Dendrite C(federation_api.key_perspectives)).
  returned: always
  type: list
  elements: str
  sample: [matrix.org]
old_private_key_files:
  description: Dendrite C(old_private_keys) entries given as key files, C(path) (as written) and C(expired_at).
  returned: always
  type: list
  elements: dict
config_files:
  description:
    - Every file the homeserver reads, in order, with the names (not values) of the top-level keys it sets, and
      C(managed) (it is O(managed_file)).
  returned: always
  type: list
  elements: dict
  sample: [{path: /etc/matrix-synapse/homeserver.yaml, keys: [database, listeners, signing_key_path], managed: false}]
service:
  description:
    - The unit as read, C(exists), C(active) (running now), C(user), C(group), C(working_directory), its Synapse C(config_paths), and
      C(generate_keys) (Synapse runs with C(--generate-keys), so a missing key file becomes a new identity at the
      next start).
  returned: always
  type: dict
'''

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation import homeserver_config

_UNIT_PROPERTIES = ('LoadState', 'ActiveState', 'User', 'Group', 'WorkingDirectory', 'ExecStartPre', 'ExecStart')


def read_unit(module, name):
    """The unit's properties, ``{}`` when systemctl is missing or the unit is not loaded."""
    systemctl = module.get_bin_path('systemctl')
    if not systemctl:
        return {}
    argv = [systemctl, 'show', name] + ['--property=%s' % prop for prop in _UNIT_PROPERTIES]
    rc, out, dummy = module.run_command(argv, environ_update={'LC_ALL': 'C'})
    if rc != 0:
        return {}
    props = {}
    for line in out.splitlines():
        key, sep, value = line.partition('=')
        if sep:
            props[key] = props.get(key, '') + value
    return props if props.get('LoadState') == 'loaded' else {}


def _name(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def stat_key(path):
    """Existence, owner, group and mode of the key file (without reading it)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {'exists': False, 'owner': None, 'group': None, 'mode': None}
    except OSError as exc:
        raise FederationError('FILE_READ_FAILED', 'cannot stat %s: %s' % (path, exc.strerror or exc))
    return {'exists': True, 'owner': _name(pwd.getpwuid, st.st_uid), 'group': _name(grp.getgrgid, st.st_gid),
            'mode': '%04o' % (st.st_mode & 0o7777)}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            backend=dict(type='str', choices=['synapse', 'dendrite'], default='synapse'),
            service=dict(type='str'),
            config_paths=dict(type='list', elements='path'),
            config_file=dict(type='path', default='/etc/dendrite/dendrite.yaml'),
            working_directory=dict(type='path'),
            managed_file=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    backend = params['backend']
    service_name = params['service'] or ('matrix-synapse.service' if backend == 'synapse' else 'dendrite.service')
    unit = read_unit(module, service_name)
    commands = homeserver_config.parse_systemd_exec(unit.get('ExecStartPre', '') + unit.get('ExecStart', ''))
    service = {
        'name': service_name, 'exists': bool(unit), 'active': unit.get('ActiveState') == 'active', 'user': unit.get('User') or None,
        'group': unit.get('Group') or None, 'working_directory': unit.get('WorkingDirectory') or None,
        'config_paths': [], 'generate_keys': False,
    }
    try:
        if backend == 'synapse':
            keys_directory = None
            for argv in commands:
                paths, keys_dir, generate = homeserver_config.synapse_command_options(argv)
                service['generate_keys'] = service['generate_keys'] or generate
                if paths:
                    # ExecStart comes after ExecStartPre: the serving process's paths win.
                    service['config_paths'], keys_directory = paths, keys_dir
            search = params['config_paths'] or service['config_paths']
            if not search:
                raise FederationError(
                    'SYNAPSE_UNIT_NOT_FOUND',
                    '%s %s: cannot tell which configuration files Synapse reads. Set service to the Synapse unit, or '
                    'config_paths to its --config-path values in order.'
                    % (service_name, 'has no --config-path in ExecStart' if unit else 'is not a loaded systemd unit'))
            facts = homeserver_config.read_synapse_config(
                search, params['working_directory'] or service['working_directory'] or '/', keys_directory,
                params['managed_file'])
        else:
            facts = homeserver_config.read_dendrite_config(
                params['config_file'], params['working_directory'] or service['working_directory'])
        key = {'path': facts.pop('signing_key_path'), 'format': facts.pop('signing_key_format'),
               'source': facts.pop('signing_key_path_source')}
        if key['path']:
            key.update(stat_key(key['path']))
    except FederationError as exc:
        module.fail_json(msg=exc.message, code=exc.code)
    facts.setdefault('old_private_key_files', [])
    module.exit_json(changed=False, signing_key=key, service=service, **facts)


if __name__ == '__main__':
    main()
