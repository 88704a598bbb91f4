#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
---
module: matrix_signing_keys
short_description: Create, rotate, restore and export a Synapse or Dendrite signing key
version_added: 0.1.0
description:
  - Manages the ed25519 signing key file of a Synapse or Dendrite homeserver, the server's identity in federation.
  - With O(format=synapse) the file holds one C(ed25519 <version> <unpadded base64 seed>) line per key; every line
    is an active key.
  - With O(format=dendrite) the file is one C(MATRIX PRIVATE KEY) PEM block with a C(Key-ID) header
    (C(ed25519:<version>)), as Dendrite's C(generate-keys --private-key) writes it (C(global.private_key) in
    C(dendrite.yaml)).
  - O(state=present) creates a key when the file is missing or empty and never touches an existing valid key.
  - O(state=rotated) replaces the key when asked (O(rotate=true)) or when it is older than O(max_age); the
    previous keys are returned as C(old_signing_keys) entries (public key and C(expired_ts)) and, with
    O(old_keys_path), merged into a YAML fragment for C(homeserver.yaml) that never loses an entry.
  - O(private_key) or O(content) (for example from Ansible Vault) make the file hold exactly that key (restore).
  - A malformed or truncated key file is refused with a precise error and left untouched; the module never
    regenerates a key over one it cannot read.
  - Owner, group and mode of existing files change only when O(owner), O(group) or O(mode) are set.
  - Writes are atomic. Every file is first written in full to a temp file in its directory, so a full disk
    (C(FILE_NO_SPACE)) or a read-only mount (C(FILE_READ_ONLY), also predicted in check mode) fails with a coded
    error before any file changed.
  - A missing key file is created only if it is still missing at that moment (C(link), not C(rename)). When
    another run or the homeserver itself created one meanwhile, that key is kept and reported as the existing
    key, RV(action=none). Restores and rotations replace the file (temp file and C(rename)).
  - Concurrent runs on the same key file are serialized; see the notes.
  - The module never returns, logs or diffs private key material, only key ids and public keys.
  - Key age (for O(max_age)) is the age of the key file's modification time. The module only rewrites the file
    when its keys change, so that is when the current key was written. Copying the file without preserving
    its timestamp resets the age; so does a restore through this module.
author:
  - matrix.federation contributors (@matrix-federation)
extends_documentation_fragment:
  - matrix.federation.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode a key that would be generated is not known yet, so RV(key_id) (unless O(version) is set)
        and RV(public_key) are V(null) for it.
  diff_mode:
    support: full
    details:
      - Diffs show key ids and public keys only, never seeds.
options:
  path:
    description:
      - Path of the signing key file (Synapse C(signing_key_path) in C(homeserver.yaml), Dendrite
        C(global.private_key) in C(dendrite.yaml)).
      - The directory must exist.
      - Must be the file itself, not a symbolic link. A link is refused with C(KEYFILE_SYMLINK) (also in check
        mode) and left alone, because replacing the file would either replace the link or change a file
        elsewhere than O(path) says. Point O(path) at the real file (the message names it). Links among the
        directories on the way are fine.
    type: path
    required: true
  format:
    description:
      - Key file format. V(synapse) is Synapse's one line per key; V(dendrite) is Dendrite's PEM file, which
        holds exactly one key.
      - Applies to the file and to O(content). A file in the other format is refused with an error that says so,
        and left untouched.
    type: str
    choices: [synapse, dendrite]
    default: synapse
  state:
    description:
      - V(present) makes sure a valid key exists (creating or restoring one).
      - V(rotated) replaces the current key when O(rotate=true) or when it is older than O(max_age).
        One of them is required, so a playbook never rotates by accident.
    type: str
    choices: [present, rotated]
    default: present
  rotate:
    description:
      - With O(state=rotated), rotate on this run. Every run with V(true) rotates again.
    type: bool
    default: false
  max_age:
    description:
      - With O(state=rotated), rotate when the key is at least this old.
      - Seconds, or a number with a unit V(s), V(m), V(h), V(d) or V(w), for example V(365d).
    type: str
  version:
    description:
      - Version (the part after C(ed25519:) in the key id) of a newly generated key, or of O(private_key).
      - Letters, digits and C(_) only (Dendrite refuses other characters too). By default C(a_) and 4 random
        letters, as Synapse does.
      - Ignored for an existing valid key with O(state=present).
    type: str
  private_key:
    description:
      - Unpadded base64 ed25519 seed to restore (or to rotate to). Requires O(version).
      - With O(state=present) the file is made to hold exactly this key.
    type: str
  content:
    description:
      - Complete key file text to restore (or to rotate to), for example a vault-encrypted backup.
      - Parsed as strictly as the file itself, in O(format); written in that format.
    type: str
  expired_ts:
    description:
      - C(expired_ts) (milliseconds since the epoch) recorded for keys retired by a rotation. Defaults to now.
      - Other servers accept signatures made by a retired key before this time.
    type: int
  old_keys_path:
    description:
      - YAML file holding C(old_signing_keys:) to which keys retired by a rotation are added, atomically.
      - Earlier entries are kept; an existing entry with the same key id but another public key is an error.
      - Gets the same O(owner), O(group) and O(mode) as the key file. Needs PyYAML.
      - Like O(path), must not be a symbolic link (C(OLD_KEYS_SYMLINK)).
    type: path
  server_name:
    description:
      - Server name to put in RV(server_keys_json), as other servers see it.
    type: str
  backup:
    description:
      - Before the key file is changed, keep a timestamped copy with mode C(0600) next to it.
    type: bool
    default: false
  owner:
    description:
      - Owner of the key file (Synapse's user).
      - Without it an existing file keeps its owner, also when a rotation or restore replaces it; a new file
        belongs to the user the module runs as (usually C(root)).
    type: str
  group:
    description:
      - Group of the key file.
      - Without it an existing file keeps its group, also when it is replaced; a new file gets the primary
        group of the user the module runs as.
    type: str
  mode:
    description:
      - Permissions of the key file, as for M(ansible.builtin.file). Anyone who can read it can impersonate
        the server.
      - Without it an existing file keeps its mode, also when a rotation or restore replaces it (a packaged
        key such as Debian's C(matrix-synapse:matrix-synapse) one is left as the package made it), and a new
        file is created with C(0600), never readable by others even for a moment.
    type: raw
requirements:
  - cryptography >= 3.4
  - PyYAML (only for O(old_keys_path))
notes:
  - Synapse signs with the first key in the file and publishes all of them in C(verify_keys).
  - Runs on the same key file (or O(old_keys_path)) take turns through an exclusive C(flock) on the file's
    directory, held while the run reads, decides and writes, so concurrent rotations each retire the key the
    previous one made and none is lost. No lock file is created. A run waits up to 60 seconds for another
    (C(FILE_LOCKED)); where the file system has no C(flock) (some NFS setups) the run goes on unserialized and
    warns (C(FILE_NOT_LOCKED)). Other programs do not take this lock.
  - Error messages name the file, the line and what is wrong, never the content of a key file, O(content) or
    O(private_key).
  - Dendrite reads only the first key of its PEM file. Retired keys go to C(global.old_private_keys) in
    C(dendrite.yaml) as C({key_id, public_key, expired_at}); RV(old_signing_keys) holds the same data.
  - Add RV(old_signing_keys) (or the O(old_keys_path) fragment) to C(homeserver.yaml) and restart Synapse after
    a rotation, or other servers cannot verify events signed with the old key.
  - The seed 000 Eltrix documentation names an export command but not its format, so no Eltrix format is
    produced; RV(server_keys_json) is the format every homeserver publishes.
seealso:
  - name: Matrix Server-Server API, retrieving server keys
    description: The C(/_matrix/key/v2/server) document that RV(server_keys_json) mirrors.
    link: https://spec.matrix.org/latest/server-server-api/#retrieving-server-keys
'''

EXAMPLES = r'''
- name: Make sure the homeserver has a signing key
  matrix.federation.matrix_signing_keys:
    path: /etc/matrix-synapse/example.com.signing.key
    owner: matrix-synapse
    group: matrix-synapse
    mode: '0600'
  register: signing_key

- name: Rotate the key once a year, recording the old one for homeserver.yaml
  matrix.federation.matrix_signing_keys:
    path: /etc/matrix-synapse/example.com.signing.key
    state: rotated
    max_age: 365d
    old_keys_path: /etc/matrix-synapse/conf.d/old_signing_keys.yaml
    backup: true

- name: Restore a key from a vault-encrypted backup
  matrix.federation.matrix_signing_keys:
    path: /etc/matrix-synapse/example.com.signing.key
    content: "{{ lookup('ansible.builtin.file', 'backups/example.com.signing.key') }}"
    backup: true
  no_log: true

- name: Make sure a Dendrite server has a signing key (PEM, as generate-keys writes it)
  matrix.federation.matrix_signing_keys:
    path: /etc/dendrite/matrix_key.pem
    format: dendrite
    owner: dendrite
    mode: '0600'

- name: Restore a key from a seed kept in a vault variable
  matrix.federation.matrix_signing_keys:
    path: /etc/matrix-synapse/example.com.signing.key
    private_key: "{{ vault_signing_key_seed }}"
    version: a_AbCd
'''

RETURN = r'''
key_id:
  description: Id of the active (first) signing key after the run, C(ed25519:<version>).
  returned: always
  type: str
  sample: ed25519:a_AbCd
public_key:
  description: Unpadded base64 public key of the active key.
  returned: always
  type: str
  sample: XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI
verify_keys:
  description: Every active key, as C(key_id) to public key.
  returned: always
  type: dict
  sample: {"ed25519:a_AbCd": "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"}
old_signing_keys:
  description: Keys retired by this run, in the C(old_signing_keys) format of C(homeserver.yaml).
  returned: always
  type: dict
  sample: {"ed25519:a_WxYz": {"key": "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI", "expired_ts": 1767225600000}}
old_verify_keys:
  description: All retired keys known to the module (the O(old_keys_path) fragment plus this run's).
  returned: always
  type: dict
  sample: {"ed25519:a_WxYz": {"key": "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI", "expired_ts": 1767225600000}}
server_keys_json:
  description:
    - The keys as other servers see them at C(/_matrix/key/v2/server), without C(valid_until_ts) and signatures
      (the homeserver adds those).
  returned: always
  type: dict
  sample:
    server_name: example.com
    verify_keys: {"ed25519:a_AbCd": {"key": "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"}}
    old_verify_keys: {}
key_age:
  description: Age in seconds of the key found at the start of the run (from the file's mtime), V(null) without one.
  returned: always
  type: int
  sample: 86400
action:
  description: What happened to the key, V(none), V(create), V(restore) or V(rotate).
  returned: always
  type: str
  sample: rotate
backup_file:
  description: Name of the backup copy of the key file.
  returned: when O(backup=true) and the key file was changed
  type: str
  sample: /etc/matrix-synapse/example.com.signing.key.1234.2026-01-01@00:00:00~
federation_warnings:
  description: Coded warnings (also shown as WARNING lines).
  returned: always
  type: list
  elements: dict
  sample: [{"code": "KEY_CREATED_NOT_ROTATED", "message": "no signing key at /etc/x.signing.key to rotate: created a new key"}]
code:
  description: Machine code of the error.
  returned: failure
  type: str
  sample: KEYFILE_TRUNCATED_LINE
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation import durations, keyplan, oldkeys
from ansible_collections.matrix.federation.plugins.module_utils._federation.modulefiles import apply_attributes, refuse_attributes_on_read_only
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import missing_library


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            format=dict(type='str', choices=['synapse', 'dendrite'], default='synapse'),
            state=dict(type='str', choices=['present', 'rotated'], default='present'),
            rotate=dict(type='bool', default=False),
            max_age=dict(type='str'),
            version=dict(type='str'),
            private_key=dict(type='str', no_log=True),
            content=dict(type='str', no_log=True),
            expired_ts=dict(type='int'),
            old_keys_path=dict(type='path'),
            server_name=dict(type='str'),
            backup=dict(type='bool', default=False),
            owner=dict(type='str'),
            group=dict(type='str'),
            mode=dict(type='raw'),
        ),
        mutually_exclusive=[('private_key', 'content'), ('content', 'version')],
        required_by={'private_key': 'version'},
        supports_check_mode=True,
    )
    params = module.params
    missing = missing_library('cryptography')
    if missing:
        module.fail_json(msg=missing_required_lib('cryptography'), exception=str(missing[1]))
    if params['state'] == 'present' and (params['rotate'] or params['max_age']):
        module.fail_json(msg='rotate and max_age only apply with state=rotated', code='BAD_OPTIONS')
    if params['state'] == 'rotated' and not (params['rotate'] or params['max_age']):
        module.fail_json(msg='state=rotated needs rotate=true or max_age, so that a key is never rotated by accident',
                         code='BAD_OPTIONS')

    path = params['path']
    old_keys_path = params['old_keys_path']
    attr_diffs = []
    try:
        # Plan and write under one lock, so concurrent runs each start from what the previous one wrote.
        with keyplan.locked(path, old_keys_path) as lock:
            max_age = durations.parse_duration(params['max_age']) if params['max_age'] else None
            key_plan = keyplan.plan(
                path, state=params['state'], rotate_now=params['rotate'], max_age=max_age,
                version=params['version'], private_key=params['private_key'], content=params['content'],
                expired_ts=params['expired_ts'], old_keys_path=old_keys_path, key_format=params['format'])
            file_args = module.load_file_common_arguments(params)
            refuse_attributes_on_read_only(module, file_args, (path, old_keys_path))
            backup_name = None
            if not module.check_mode:
                backup_name = keyplan.apply(path, key_plan, old_keys_path, params['backup'],
                                            key_format=params['format'])
            changed = apply_attributes(module, file_args, (path, old_keys_path),
                                       key_plan.key_changed or key_plan.old_keys_changed, attr_diffs)
    except FederationError as exc:
        module.fail_json(msg=exc.message, code=exc.code)

    diffs = []
    before, after = keyplan.diff_text(key_plan, module.check_mode)
    if before != after:
        diffs.append({'before_header': path, 'after_header': path, 'before': before, 'after': after})
    if key_plan.old_keys_changed:
        diffs.append({
            'before_header': old_keys_path, 'after_header': old_keys_path,
            'before': oldkeys.serialize_old_keys(key_plan.old_keys_before) if key_plan.old_keys_before else '',
            'after': oldkeys.serialize_old_keys(key_plan.old_keys_after),
        })
    diffs.extend(attr_diffs)

    result = keyplan.public_result(key_plan, params['server_name'], module.check_mode)
    result['changed'] = changed
    warnings = lock.warnings + key_plan.warnings
    result['federation_warnings'] = [finding(code, message) for code, message in warnings]
    for code, message in warnings:
        module.warn(message)
    if backup_name:
        result['backup_file'] = backup_name
    if module._diff:
        result['diff'] = diffs
    module.exit_json(**result)


if __name__ == '__main__':
    main()
