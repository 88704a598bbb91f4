# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""keyplan.py with Dendrite's PEM key files: plan, apply, the public result.

The fixture and its public key: see test_keyformat_dendrite.py.
"""

import os
import stat

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import keyformat, keyplan, signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.dendrite_key import (
    FIXTURE_KEY_ID,
    FIXTURE_PUBLIC,
    SPEC_SEED,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.dendrite_key import fixture_bytes as _fixture_bytes


def test_plan_create_apply_idempotent(tmp_path):
    path = str(tmp_path / 'matrix_key.pem')
    first = keyplan.plan(path, key_format='dendrite')
    assert first.action == 'create'
    keyplan.apply(path, first, key_format='dendrite')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        text = handle.read()
    assert text.startswith('-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:a_')
    again = keyplan.plan(path, key_format='dendrite')
    assert again.action == 'none' and not again.key_changed
    assert again.current_keys == first.new_keys


def test_plan_keeps_generate_keys_key(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    path.write_bytes(_fixture_bytes())
    result = keyplan.plan(str(path), key_format='dendrite')
    assert result.action == 'none'
    assert keyplan.public_result(result)['verify_keys'] == {FIXTURE_KEY_ID: FIXTURE_PUBLIC}


def test_rotation_returns_old_key(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    path.write_bytes(_fixture_bytes())
    result = keyplan.plan(str(path), state='rotated', rotate_now=True, version='a_New', expired_ts=1700000000000,
                          key_format='dendrite')
    keyplan.apply(str(path), result, key_format='dendrite')
    assert result.old_signing_keys == {FIXTURE_KEY_ID: {'key': FIXTURE_PUBLIC, 'expired_ts': 1700000000000}}
    keys = keyplan.load_key_file(str(path), 'dendrite')
    assert [key.key_id for key in keys] == ['ed25519:a_New']


def test_restore_exact_key_from_content(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    path.write_text(keyformat.serialize_keys([keyformat.generate_key('a_Old')], 'dendrite'))
    result = keyplan.plan(str(path), content=_fixture_bytes().decode('ascii'), key_format='dendrite')
    assert result.action == 'restore'
    keyplan.apply(str(path), result, key_format='dendrite')
    assert path.read_bytes() == _fixture_bytes()


def test_synapse_content_for_a_dendrite_file_refused(tmp_path):
    path = str(tmp_path / 'matrix_key.pem')
    with pytest.raises(FederationError) as info:
        keyplan.plan(path, content='ed25519 a_AbCd %s\n' % SPEC_SEED, key_format='dendrite')
    assert info.value.code == 'KEYFILE_WRONG_FORMAT'
    assert not os.path.exists(path)


@pytest.mark.parametrize('state, extra', [('present', {}), ('rotated', {'rotate_now': True})])
def test_malformed_file_left_untouched(tmp_path, state, extra):
    path = tmp_path / 'matrix_key.pem'
    truncated = _fixture_bytes()[:60]
    path.write_bytes(truncated)
    before = os.stat(str(path))
    with pytest.raises(FederationError) as info:
        keyplan.plan(str(path), state=state, key_format='dendrite', **extra)
    assert info.value.code == 'KEYFILE_PEM_MALFORMED'
    assert path.read_bytes() == truncated
    assert os.stat(str(path)).st_mtime == before.st_mtime


def test_public_result_has_no_seed(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    path.write_bytes(_fixture_bytes())
    seed = keyformat.parse_key_file(_fixture_bytes(), key_format='dendrite')[0].seed
    result = keyplan.plan(str(path), state='rotated', rotate_now=True, key_format='dendrite')
    text = repr(keyplan.public_result(result)) + repr(keyplan.diff_text(result))
    for form in (signing.encode_base64(seed), signing.encode_base64(seed)[:20], 'xonUvdhPZysEcZ6'):
        assert form not in text
