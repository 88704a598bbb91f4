# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The homeserver role's retired keys (matrix_old_signing_keys) and Dendrite's
managed settings (matrix_dendrite_settings)."""


import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.filter.matrix_homeserver import (
    matrix_settings_in_use,
    FilterModule, matrix_dendrite_settings, matrix_old_signing_key_errors, matrix_old_signing_keys,
    matrix_synapse_shadowed_settings, matrix_trusted_key_server_errors)

KEY_A = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'
KEY_B = 'A' * 42 + 'E'
KEY_C = 'C' * 42 + 'g'


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {'matrix_old_signing_keys', 'matrix_dendrite_settings',
                                             'matrix_old_signing_key_errors', 'matrix_trusted_key_server_errors',
                                             'matrix_synapse_shadowed_settings', 'matrix_settings_in_use'}


def test_old_keys_merged_in_order_later_wins():
    configured = {'ed25519:old1': {'key': KEY_A, 'expired_ts': 1}, 'ed25519:Old2': {'key': KEY_B, 'expired_ts': 9}}
    inventory = {'ed25519:Old2': {'key': KEY_B, 'expired_ts': 2}, 'ed25519:a_x': {'key': KEY_A, 'expired_ts': 3}}
    signing_key = {'changed': False, 'verify_keys': {'ed25519:a_x': KEY_A},
                   'old_verify_keys': {'ed25519:old1': {'key': KEY_C, 'expired_ts': 7}, 'ed25519:zz': {'key': KEY_B, 'expired_ts': 8}}}
    result = matrix_old_signing_keys(configured, inventory, signing_key)
    assert list(result) == ['ed25519:old1', 'ed25519:Old2', 'ed25519:zz']
    assert result['ed25519:old1'] == {'key': KEY_C, 'expired_ts': 7}
    assert result['ed25519:Old2'] == {'key': KEY_B, 'expired_ts': 2}


def test_old_keys_without_a_signing_key_result():
    inventory = {'ed25519:x': {'key': KEY_A, 'expired_ts': 1}}
    assert matrix_old_signing_keys({}, inventory) == inventory
    assert matrix_old_signing_keys({}, inventory, None) == inventory
    # homeserver_signing_key_manage: false leaves a skipped result.
    assert matrix_old_signing_keys({}, inventory, {'skipped': True, 'changed': False}) == inventory


def test_old_keys_never_list_the_current_key():
    # After a restore the record still lists the restored key as retired.
    signing_key = {'verify_keys': {'ed25519:a': KEY_A}, 'old_verify_keys': {'ed25519:a': {'key': KEY_A, 'expired_ts': 5}}}
    assert matrix_old_signing_keys({'ed25519:a': {'key': KEY_A, 'expired_ts': 4}}, {}, signing_key) == {}


def test_old_keys_refuse_lists():
    with pytest.raises(AnsibleFilterError):
        matrix_old_signing_keys([], {})


def test_dendrite_minimal():
    assert matrix_dendrite_settings('example.com') == {
        'global': {'server_name': 'example.com', 'disable_federation': False},
        'federation_api': {'disable_tls_validation': False},
    }


@pytest.mark.parametrize('interval, expected', [
    ('1d', '24h0m0s'), ('12h', '12h0m0s'), ('90s', '0h1m30s'), ('61m', '1h1m0s'), ('25h', '25h0m0s'),
    ('2w', '336h0m0s'), ('1y', '8760h0m0s'), ('0', '0h0m0s'),
    # No unit is milliseconds, as in Synapse; not whole seconds stays in milliseconds.
    ('1500', '1500ms'), (3600000, '1h0m0s'), (3600, '3600ms'), ('3601001ms', '3601001ms'), ('2000ms', '0h0m2s'),
])
def test_key_validity_period(interval, expected):
    settings = matrix_dendrite_settings('example.com', key_refresh_interval=interval)
    assert settings['global']['key_validity_period'] == expected


def test_key_validity_period_refuses_other_text():
    with pytest.raises(AnsibleFilterError, match='not a duration'):
        matrix_dendrite_settings('example.com', key_refresh_interval='1 day')


def test_dendrite_everything():
    settings = matrix_dendrite_settings(
        'example.com', federation_enabled='yes', verify_certificates=False, signing_key_path='keys/matrix_key.pem',
        key_refresh_interval='1d',
        old_signing_keys={'ed25519:b': {'key': KEY_B, 'expired_ts': 2}, 'ed25519:A_x': {'key': KEY_A, 'expired_ts': 1}},
        old_private_key_files=[{'path': 'old.pem', 'expired_at': 123}],
        presence=True,
        trusted_key_servers=[{'server_name': 'matrix.org', 'verify_keys': {'ed25519:b': KEY_B, 'ed25519:a': KEY_A}},
                             {'server_name': 'notary.example'}],
        prefer_direct_fetch=False, send_max_retries='5')
    assert settings == {
        'global': {
            'server_name': 'example.com', 'disable_federation': False, 'private_key': 'keys/matrix_key.pem',
            'key_validity_period': '24h0m0s',
            # Ordered by key id ignoring case, then the admin's key files.
            'old_private_keys': [{'key_id': 'ed25519:A_x', 'public_key': KEY_A, 'expired_at': 1},
                                 {'key_id': 'ed25519:b', 'public_key': KEY_B, 'expired_at': 2},
                                 {'private_key': 'old.pem', 'expired_at': 123}],
            'presence': {'enable_inbound': True, 'enable_outbound': True},
        },
        'federation_api': {
            'disable_tls_validation': True,
            'key_perspectives': [{'server_name': 'matrix.org', 'keys': [{'key_id': 'ed25519:a', 'public_key': KEY_A},
                                                                        {'key_id': 'ed25519:b', 'public_key': KEY_B}]},
                                 {'server_name': 'notary.example', 'keys': []}],
            'prefer_direct_fetch': False,
            'send_max_retries': 5,
        },
    }
    # The order of the keys is the order they are added to dendrite.yaml in.
    assert list(settings['global']) == ['server_name', 'disable_federation', 'private_key', 'key_validity_period',
                                        'old_private_keys', 'presence']


def test_dendrite_federation_off_no_notaries_and_only_key_files():
    settings = matrix_dendrite_settings('example.com', federation_enabled=False, presence=False, trusted_key_servers=[],
                                        old_private_key_files=[{'path': '/abs/old.pem', 'expired_at': 0}])
    assert settings['global']['disable_federation'] is True
    assert settings['global']['presence'] == {'enable_inbound': False, 'enable_outbound': False}
    assert settings['global']['old_private_keys'] == [{'private_key': '/abs/old.pem', 'expired_at': 0}]
    assert settings['federation_api'] == {'disable_tls_validation': False, 'key_perspectives': []}


def test_old_signing_key_errors():
    keys = {
        'ed25519:a': {'key': KEY_A, 'expired_ts': 1700000000000},
        'ed25519:b c': {'key': KEY_A, 'expired_ts': 1},          # a space in the version
        'ed25519:x': {'key': KEY_A + 'A', 'expired_ts': 1},       # 44 characters: not a public key
        'ed25519:y': {'key': KEY_A, 'expired_ts': '1'},           # a string
        'ed25519:z': {'key': KEY_A, 'expired_ts': True},          # a boolean is no timestamp
        'ed25519:n': {'key': None, 'expired_ts': 1},
        'ed25519:m': 'ed25519 m 0123456789abcdef',                  # a signing key file line
        'rsa:q': {'key': KEY_A, 'expired_ts': 1},
        'ed25519:o': {'expired_ts': 2},
    }
    assert matrix_old_signing_key_errors(keys) == ['ed25519:b c', 'ed25519:x', 'ed25519:y', 'ed25519:z', 'ed25519:n',
                                                   'ed25519:m', 'rsa:q', 'ed25519:o']
    assert matrix_old_signing_key_errors({}) == []


@pytest.mark.parametrize('value', [['ed25519:a'], 'ed25519:a', None])
def test_old_signing_key_errors_of_no_dict(value):
    assert matrix_old_signing_key_errors(value) == ['(not a dict)']


def test_trusted_key_server_errors():
    servers = [
        {'server_name': 'matrix.org'},                                     # no pins: fine
        {'server_name': 'a.org', 'verify_keys': {'ed25519:auto': KEY_A}},
        {'server_name': 'b.org', 'verify_keys': {'ed25519:auto': 'short'}},
        {'server_name': 'c.org', 'verify_keys': {'bad id': KEY_A}},
        {'verify_keys': []},
        'plain.org',
        {'server_name': 'd.org', 'verify_keys': None},
        {'server_name': 'e.org', 'verify_keys': {'ed25519:x': 5}},
    ]
    assert matrix_trusted_key_server_errors(servers) == ['b.org', 'c.org', '?', 'plain.org', 'd.org', 'e.org']
    assert matrix_trusted_key_server_errors(None) == []
    assert matrix_trusted_key_server_errors([]) == []


def config_file(path, keys, managed=False):
    return {'path': path, 'keys': keys, 'managed': managed}


def test_synapse_shadowed_settings():
    settings = {'server_name': 'example.com', 'presence': {'enabled': False}, 'trusted_key_servers': []}
    files = [
        config_file('/etc/matrix-synapse/homeserver.yaml', ['server_name', 'presence']),    # read before: overridden
        config_file('/etc/matrix-synapse/conf.d/matrix_federation.yaml', ['presence'], True),
        config_file('/etc/matrix-synapse/conf.d/z.yaml', ['presence', 'other', 'server_name']),
        config_file('/etc/matrix-synapse/conf.d/zz.yaml', ['other']),
        config_file('/etc/matrix-synapse/conf.d/zzz.yaml', ['trusted_key_servers']),
    ]
    assert matrix_synapse_shadowed_settings(files, settings) == [
        {'path': '/etc/matrix-synapse/conf.d/z.yaml', 'keys': ['presence', 'server_name']},
        {'path': '/etc/matrix-synapse/conf.d/zzz.yaml', 'keys': ['trusted_key_servers']},
    ]


def test_synapse_shadowed_settings_none():
    settings = {'presence': {'enabled': False}}
    assert matrix_synapse_shadowed_settings([], settings) == []
    assert matrix_synapse_shadowed_settings([config_file('/etc/matrix-synapse/homeserver.yaml', ['presence']),
                                             config_file('/etc/matrix-synapse/conf.d/m.yaml', [], True)], settings) == []
    with pytest.raises(AnsibleFilterError):
        matrix_synapse_shadowed_settings({'config_files': []}, settings)


def test_settings_in_use_names_those_set_away_from_their_unused_value():
    unset = {'homeserver_federation_denied_servers': [], 'homeserver_federation_workers': None,
             'homeserver_federation_presence': None}
    values = [['bad.example'], None, False]
    assert matrix_settings_in_use(unset, values) == ['homeserver_federation_denied_servers',
                                                     'homeserver_federation_presence']


def test_settings_in_use_none_when_all_unused():
    assert matrix_settings_in_use({'a': [], 'b': None}, [[], None]) == []
    assert matrix_settings_in_use({}, []) == []


def test_settings_in_use_refuses_values_that_do_not_line_up():
    with pytest.raises(AnsibleFilterError, match='one value per setting'):
        matrix_settings_in_use({'a': [], 'b': None}, [[]])
