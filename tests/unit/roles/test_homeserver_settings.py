# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The homeserver role's Synapse settings and Eltrix environment, rendered by ansible-playbook.

A setting the inventory leaves null is left out (the homeserver keeps its
own default), never written as an empty string: ansible-core before 2.19
renders a template that is None as "" (`make unit-oldest` runs this under
the oldest supported ansible-core)."""

import json
import os
import subprocess
import sys

import ansible_collections

ROLE = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'homeserver')
PLAY = [{
    'hosts': 'localhost',
    'gather_facts': False,
    'vars_files': [os.path.join(ROLE, 'defaults', 'main.yml'), os.path.join(ROLE, 'vars', 'main.yml')],
    'vars': {'_homeserver_config': {'server_name': None, 'signing_key': {'path': '/etc/k', 'exists': True},
                                    'old_signing_keys': {}}},
    'tasks': [{'name': 'Render the settings',
               'ansible.builtin.copy': {
                   'content': "{{ {'synapse': _homeserver_synapse_settings, 'eltrix': _homeserver_eltrix_env} | to_json }}",
                   'dest': '{{ out }}'}}],
}]


def render(tmp_path, **variables):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps(PLAY))
    out = tmp_path / 'settings.json'
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    extra = dict(variables, out=str(out), ansible_python_interpreter=sys.executable)
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
                           '-c', 'local', '-e', json.dumps(extra), str(playbook)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text())


def test_null_settings_are_left_out(tmp_path):
    settings = render(tmp_path, homeserver_server_name='example.com')
    assert settings['synapse'] == {'server_name': 'example.com', 'federation_verify_certificates': True}
    assert settings['eltrix'] == {'ELTRIX_SERVER_NAME': 'example.com', 'ELTRIX_FEDERATION_ENABLED': 'true'}


def test_set_settings_keep_their_types(tmp_path):
    settings = render(tmp_path, homeserver_server_name='example.com', homeserver_federation_enabled=False,
                      homeserver_federation_allowed_servers=[], homeserver_federation_denied_servers=['bad.example'],
                      homeserver_federation_presence=True, homeserver_federation_rate_limit=5,
                      homeserver_eltrix_log_federation=True)
    synapse = settings['synapse']
    assert synapse['federation_domain_whitelist'] == [] and synapse['allow_public_rooms_over_federation'] is False
    assert synapse['presence'] == {'enabled': True}
    assert synapse['rc_federation'] == {'window_size': 1000, 'sleep_limit': 5}
    eltrix = settings['eltrix']
    assert eltrix['ELTRIX_FEDERATION_WHITELIST'] == '' and eltrix['ELTRIX_FEDERATION_BLACKLIST'] == 'bad.example'
    assert eltrix['ELTRIX_FEDERATION_RATE_LIMIT'] == 5 and eltrix['ELTRIX_LOG_FEDERATION'] == 'true'
    assert 'ELTRIX_MEDIA_QUARANTINE_ENABLED' not in eltrix
