# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""homeserver_config.py: Synapse's command line in systemd units, its config files merged in order, the key path."""

import json
import os

from ansible_collections.matrix.federation.plugins.module_utils._federation import homeserver_config
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.synapse_layout import SECRETS, packaged_layout

# As `systemctl show matrix-synapse.service -p ExecStartPre -p ExecStart` prints the
# matrix.org package's unit (systemd 252).
PACKAGED_EXEC = (
    'ExecStartPre={ path=/opt/venvs/matrix-synapse/bin/python ; argv[]=/opt/venvs/matrix-synapse/bin/python -m '
    'synapse.app.homeserver --config-path=/etc/matrix-synapse/homeserver.yaml '
    '--config-path=/etc/matrix-synapse/conf.d/ --generate-keys ; ignore_errors=no ; start_time=[n/a] ; '
    'stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n'
    'ExecStart={ path=/opt/venvs/matrix-synapse/bin/python ; argv[]=/opt/venvs/matrix-synapse/bin/python -m '
    'synapse.app.homeserver --config-path=/etc/matrix-synapse/homeserver.yaml '
    '--config-path=/etc/matrix-synapse/conf.d/ ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; '
    'pid=0 ; code=(null) ; status=0/0 }\n')


def test_systemd_exec_lines_give_synapse_config_paths_in_order():
    commands = homeserver_config.parse_systemd_exec(PACKAGED_EXEC)
    assert len(commands) == 2
    paths, keys_dir, generate = homeserver_config.synapse_command_options(commands[0])
    assert paths == ['/etc/matrix-synapse/homeserver.yaml', '/etc/matrix-synapse/conf.d/']
    assert generate is True and keys_dir is None
    paths, dummy, generate = homeserver_config.synapse_command_options(commands[1])
    assert generate is False and len(paths) == 2


def test_short_and_split_options():
    argv = ['python', '-m', 'synapse.app.homeserver', '-c', 'a.yaml', '-cb.yaml', '--config-path', 'c/',
            '--keys-directory=/k']
    assert homeserver_config.synapse_command_options(argv) == (['a.yaml', 'b.yaml', 'c/'], '/k', False)


def test_packaged_layout_server_name_comes_from_conf_d(tmp_path):
    etc = packaged_layout(tmp_path)
    facts = homeserver_config.read_synapse_config([str(etc / 'homeserver.yaml'), str(etc / 'conf.d') + '/'])
    # homeserver.yaml alone has no server_name: conf.d/server_name.yaml sets it.
    assert facts['server_name'] == 'live.test'
    assert facts['server_name_source'].endswith('conf.d/server_name.yaml')
    assert facts['signing_key_path'] == str(etc / 'homeserver.signing.key')
    assert list(facts['old_signing_keys']) == ['ed25519:a_adm1']
    assert [os.path.basename(f['path']) for f in facts['config_files']] == [
        'homeserver.yaml', 'report_stats.yaml', 'server_name.yaml']
    assert not any(secret in json.dumps(facts) for secret in SECRETS)


def test_later_file_replaces_a_whole_key_and_exclude_shows_the_admins_value(tmp_path):
    etc = packaged_layout(tmp_path)
    ours = etc / 'conf.d' / 'matrix_federation.yaml'
    ours.write_text('old_signing_keys: {}\nsigning_key_path: /elsewhere.key\n')
    paths = [str(etc / 'homeserver.yaml'), str(etc / 'conf.d')]
    facts = homeserver_config.read_synapse_config(paths)
    assert facts['old_signing_keys'] == {} and facts['signing_key_path'] == '/elsewhere.key'
    admins = homeserver_config.read_synapse_config(paths, managed_file=str(ours))
    assert list(admins['old_signing_keys']) == ['ed25519:a_adm1']
    assert admins['signing_key_path'] == str(etc / 'homeserver.signing.key')
    assert [f['managed'] for f in admins['config_files']] == [False, True, False, False]
    ours.unlink()
    # Listed where Synapse will read it once written.
    before = homeserver_config.read_synapse_config(paths, managed_file=str(ours))
    assert [os.path.basename(f['path']) for f in before['config_files'] if f['managed']] == ['matrix_federation.yaml']
    assert before['config_files'][1]['keys'] == []


def test_default_key_path_and_relative_path(tmp_path):
    conf = tmp_path / 'hs.yaml'
    conf.write_text('server_name: example.test\n')
    facts = homeserver_config.read_synapse_config([str(conf)], working_directory='/var/lib/matrix-synapse')
    # Synapse's default: <directory of the last config file>/<server name>.signing.key
    assert facts['signing_key_path'] == str(tmp_path / 'example.test.signing.key')
    assert facts['signing_key_path_source'] is None
    conf.write_text('server_name: example.test\nsigning_key_path: keys/hs.key\n')
    facts = homeserver_config.read_synapse_config([str(conf)], working_directory='/var/lib/matrix-synapse')
    # Synapse opens a relative path from its working directory.
    assert facts['signing_key_path'] == '/var/lib/matrix-synapse/keys/hs.key'


def test_allow_list_and_trusted_key_servers_are_read(tmp_path):
    main = tmp_path / 'homeserver.yaml'
    main.write_text('server_name: example.org\nfederation_domain_whitelist: [other.org]\n')
    facts = homeserver_config.read_synapse_config([str(main)])
    assert facts['federation_domain_whitelist'] == ['other.org']
    assert facts['federation_domain_whitelist_source'] == str(main)
    assert facts['trusted_key_servers'] == ['matrix.org']  # Synapse's default when unset
    main.write_text('server_name: example.org\ntrusted_key_servers: [{server_name: notary.org}, {bad: 1}]\n')
    facts = homeserver_config.read_synapse_config([str(main)])
    assert facts['federation_domain_whitelist'] is None and facts['trusted_key_servers'] == ['notary.org']
    main.write_text('server_name: example.org\ntrusted_key_servers: []\n')
    assert homeserver_config.read_synapse_config([str(main)])['trusted_key_servers'] == []


def test_dendrite_has_no_allow_list_and_lists_its_key_perspectives(tmp_path):
    config = tmp_path / 'dendrite.yaml'
    config.write_text('global: {server_name: d.org}\nfederation_api:\n  key_perspectives:\n'
                      '    - {server_name: matrix.org, keys: []}\n')
    facts = homeserver_config.read_dendrite_config(str(config))
    assert facts['federation_domain_whitelist'] is None and facts['trusted_key_servers'] == ['matrix.org']
