# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest
import yaml

from ansible_collections.matrix.federation.plugins.module_utils._federation import yamledit
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# Shaped like Dendrite v0.13.8 generate-config output, with an admin's comments.
CONFIG = """# Admin notes: do not remove.
version: 2
global:
  server_name: localhost   # our public name
  private_key: matrix_key.pem
  old_private_keys: []
  key_validity_period: 168h0m0s
  well_known_server_name: 'hs.example.test:443'  # delegation
  presence:
    enable_inbound: false
    enable_outbound: false
federation_api:
  send_max_retries: 16
  disable_tls_validation: false
  key_perspectives:   # notaries
  - server_name: matrix.org
    keys:
    - key_id: ed25519:auto
      public_key: Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw
  # end of federation_api

logging:
- type: file
  level: info
"""

SETTINGS = {
    'global': {'server_name': 'hs.example.test', 'key_validity_period': '12h0m0s',
               'presence': {'enable_inbound': True, 'enable_outbound': True},
               'old_private_keys': [{'key_id': 'ed25519:a_old1', 'public_key': 'abc', 'expired_at': 17}]},
    'federation_api': {'disable_tls_validation': False, 'key_perspectives': [], 'prefer_direct_fetch': True},
}


def test_only_managed_values_change():
    out = yamledit.set_values(CONFIG, SETTINGS)
    lines = out.splitlines()
    assert '  server_name: hs.example.test   # our public name' in lines
    assert "  well_known_server_name: 'hs.example.test:443'  # delegation" in lines
    assert '  key_perspectives: []  # notaries' in lines
    assert '  disable_tls_validation: false' in lines  # unchanged value, untouched text
    assert [line for line in lines if '#' in line] == [
        '# Admin notes: do not remove.', '  server_name: hs.example.test   # our public name',
        "  well_known_server_name: 'hs.example.test:443'  # delegation", '  key_perspectives: []  # notaries',
        '  # end of federation_api']
    assert out.endswith('logging:\n- type: file\n  level: info\n')
    data = yaml.safe_load(out)
    assert data['global']['presence'] == {'enable_inbound': True, 'enable_outbound': True}
    assert data['global']['old_private_keys'][0]['key_id'] == 'ed25519:a_old1'
    assert data['federation_api']['prefer_direct_fetch'] is True
    # The new key sits at the end of its section, before the section's trailing comment.
    assert out.index('prefer_direct_fetch: true') < out.index('# end of federation_api')


def test_idempotent_and_untouched_when_equal():
    out = yamledit.set_values(CONFIG, SETTINGS)
    assert yamledit.set_values(out, SETTINGS) == out
    assert yamledit.set_values(CONFIG, {'global': {'key_validity_period': '168h0m0s'}}) == CONFIG


def test_missing_sections_and_empty_values():
    assert yamledit.set_values('a:\n  b:\n  c: 1\n', {'a': {'b': {'x': 1}}}) == 'a:\n  b: {"x": 1}\n  c: 1\n'
    assert yamledit.set_values('a: {c: 1}  # x\n', {'a': {'b': 2}}) == 'a: {"b": 2, "c": 1}  # x\n'
    assert yamledit.set_values('a:\n- 1\n- 2\nb: 3\n', {'a': [5]}) == 'a: [5]\nb: 3\n'
    assert yamledit.set_values('# only a comment\n', {'a': {'b': 'x y'}}) == '# only a comment\na:\n  b: "x y"\n'
    assert yamledit.set_values('x: 1', {'y': True}) == 'x: 1\ny: true\n'


def test_type_changes_are_changes():
    assert yamledit.set_values('a: 1\n', {'a': True}) == 'a: true\n'
    assert yamledit.set_values('a: "1"\n', {'a': 1}) == 'a: 1\n'


@pytest.mark.parametrize('value, text', [('plain.name', 'plain.name'), ('yes', '"yes"'), ('a: b', '"a: b"'),
                                         ('', '""'), (None, 'null'), ('12h0m0s', '12h0m0s'), ('#x', '"#x"')])
def test_render_value_is_unambiguous(value, text):
    assert yamledit.render_value(value) == text
    assert yaml.safe_load('k: %s' % text)['k'] == value


@pytest.mark.parametrize('text, code', [('a: [1\n', 'YAML_INVALID'), ('- 1\n- 2\n', 'YAML_NOT_MAPPING')])
def test_invalid_input_refused(text, code):
    with pytest.raises(FederationError) as info:
        yamledit.set_values(text, {'a': 1}, source='dendrite.yaml')
    assert info.value.code == code and 'dendrite.yaml' in info.value.message


def test_unknown_paths():
    reference = 'global:\n  server_name: x\n  presence: {enable_inbound: false}\nfederation_api:\n  key_perspectives: []\n'
    settings = {'global': {'server_name': 'a', 'presence': {'enable_inbound': True, 'enable_outboud': True}},
                'federation_api': {'key_perspectives': [{'server_name': 'n'}], 'deny_networks': []}, 'extra': 1}
    assert sorted(yamledit.unknown_paths(settings, reference)) == [
        'extra', 'federation_api.deny_networks', 'global.presence.enable_outboud']
