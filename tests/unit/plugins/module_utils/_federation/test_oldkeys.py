# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""oldkeys.py: rotation and the old_signing_keys record."""

import pytest
import yaml

from ansible_collections.matrix.federation.plugins.module_utils._federation import durations, keyformat, oldkeys
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# Server-Server API appendix test vector.
SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'
SPEC_LINE = 'ed25519 1 %s\n' % SPEC_SEED


def _write(path, text):
    with open(str(path), 'w') as handle:
        handle.write(text)


def test_rotate_returns_old_signing_keys_entry():
    old = keyformat.parse_key_file(SPEC_LINE)
    new = keyformat.generate_key('a_Next')
    keys, retired = oldkeys.rotate(old, new, expired_ts=1700000000000)
    assert keys == [new]
    assert retired == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1700000000000}}
    before = durations.now_ms()
    dummy, retired = oldkeys.rotate(old, new)
    assert before <= retired['ed25519:1']['expired_ts'] <= durations.now_ms()
    with pytest.raises(FederationError) as err:
        oldkeys.rotate(old, keyformat.generate_key('1'))
    assert err.value.code == 'KEY_ID_REUSED'
    with pytest.raises(FederationError) as err:
        oldkeys.rotate(old, new, retired_before={'ed25519:a_Next': {}})
    assert err.value.code == 'KEY_ID_REUSED'


def test_old_keys_merge_never_loses_or_overwrites():
    existing = {'ed25519:a': {'key': 'AAA', 'expired_ts': 1}}
    assert oldkeys.merge_old_keys(existing, {'ed25519:a': {'key': 'AAA', 'expired_ts': 9}}) == existing
    with pytest.raises(FederationError) as err:
        oldkeys.merge_old_keys(existing, {'ed25519:a': {'key': 'BBB', 'expired_ts': 9}})
    assert err.value.code == 'OLD_KEYS_CONFLICT'


@pytest.mark.parametrize('text', ['[1, 2]', 'old_signing_keys: [1]', 'other: 1',
                                  'old_signing_keys: {"ed25519:a": {"key": "x"}}', 'old_signing_keys: {a: [}',
                                  'old_signing_keys: {"rsa:a": {"key": "x", "expired_ts": 1}}'])
def test_malformed_fragment_refused(tmp_path, text):
    frag = tmp_path / 'old.yaml'
    _write(frag, text)
    with pytest.raises(FederationError) as err:
        oldkeys.read_old_keys(str(frag))
    assert err.value.code == 'OLD_KEYS_MALFORMED'


def test_fragment_serialization_is_yaml():
    entries = {'ed25519:b': {'key': 'BBB', 'expired_ts': 2}, 'ed25519:a': {'key': 'AAA', 'expired_ts': 1}}
    assert yaml.safe_load(oldkeys.serialize_old_keys(entries)) == {'old_signing_keys': entries}
    assert yaml.safe_load(oldkeys.serialize_old_keys({})) == {'old_signing_keys': {}}
