# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""homeserver_config_info on the layouts admins have: the matrix.org Debian package, Dendrite's."""

import json
import os

from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.synapse_layout import SECRETS, packaged_layout
from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module


def test_module_reports_key_owner_and_never_secrets(tmp_path):
    etc = packaged_layout(tmp_path)
    os.chmod(str(etc / 'homeserver.signing.key'), 0o640)
    result, rc, stderr = run_module('homeserver_config_info', {
        'config_paths': [str(etc / 'homeserver.yaml'), str(etc / 'conf.d')],
        'service': 'matrix-federation-no-such.service'}, tmp_path)
    assert rc == 0, result
    assert result['changed'] is False
    assert result['server_name'] == 'live.test'
    assert result['signing_key']['exists'] is True and result['signing_key']['mode'] == '0640'
    assert result['service']['exists'] is False
    assert not any(secret in json.dumps(result) + stderr for secret in SECRETS)


def test_module_without_unit_or_paths_says_what_to_set(tmp_path):
    result, rc, dummy = run_module('homeserver_config_info', {'service': 'matrix-federation-no-such.service'},
                                   tmp_path)
    assert rc == 1 and result['code'] == 'SYNAPSE_UNIT_NOT_FOUND'
    assert 'config_paths' in result['msg']


def test_broken_yaml_error_never_quotes_the_file(tmp_path):
    conf = tmp_path / 'hs.yaml'
    conf.write_text('server_name: x\nmacaroon_secret_key: "%s\n  bad: [\n' % SECRETS[0])
    result, rc, dummy = run_module('homeserver_config_info', {'config_paths': [str(conf)], 'service': 'x.service'},
                                   tmp_path)
    assert rc == 1 and result['code'] == 'CONFIG_INVALID_YAML'
    assert SECRETS[0] not in json.dumps(result)


def test_dendrite_key_relative_to_working_directory_and_old_keys(tmp_path):
    conf = tmp_path / 'dendrite.yaml'
    conf.write_text(
        'version: 2\nglobal:\n  server_name: dendrite.test\n  private_key: matrix_key.pem\n'
        '  registration_shared_secret: "%s"\n  old_private_keys:\n'
        '    - {key_id: "ed25519:old1", public_key: "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ", '
        'expired_at: 1600000000000}\n    - {private_key: old.pem, expired_at: 1500000000000}\n' % SECRETS[1])
    result, rc, dummy = run_module('homeserver_config_info', {
        'backend': 'dendrite', 'config_file': str(conf), 'working_directory': '/var/lib/dendrite',
        'service': 'matrix-federation-no-such.service'}, tmp_path)
    assert rc == 0, result
    assert result['server_name'] == 'dendrite.test'
    assert result['signing_key']['path'] == '/var/lib/dendrite/matrix_key.pem'
    assert result['signing_key']['format'] == 'dendrite' and result['signing_key']['exists'] is False
    assert result['old_signing_keys'] == {
        'ed25519:old1': {'key': 'l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ', 'expired_ts': 1600000000000}}
    assert result['old_private_key_files'] == [{'path': 'old.pem', 'expired_at': 1500000000000}]
    assert SECRETS[1] not in json.dumps(result)
