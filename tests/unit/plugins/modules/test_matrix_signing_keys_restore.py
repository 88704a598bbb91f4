# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Restoring a backed-up key after a rotation, as playbooks/keys_restore.yml does it."""

from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module


def test_restoring_a_retired_key_retires_the_current_one(tmp_path):
    path = tmp_path / 'hs.signing.key'
    record = str(path) + '.old.yaml'
    path.write_text('ed25519 a_Orig YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n')
    original_text = path.read_text()
    rotated, rc, dummy = run_module('matrix_signing_keys', {
        'path': str(path), 'state': 'rotated', 'rotate': True, 'old_keys_path': record}, tmp_path)
    assert rc == 0 and rotated['action'] == 'rotate'
    assert list(rotated['old_verify_keys']) == ['ed25519:a_Orig']
    # The original comes back: it is in the record as retired, which must not block it.
    restored, rc, dummy = run_module('matrix_signing_keys', {
        'path': str(path), 'state': 'rotated', 'rotate': True, 'content': original_text,
        'old_keys_path': record}, tmp_path)
    assert rc == 0, restored
    assert restored['key_id'] == 'ed25519:a_Orig'
    assert list(restored['old_signing_keys']) == [rotated['key_id']]
    assert set(restored['old_verify_keys']) == {'ed25519:a_Orig', rotated['key_id']}
    assert path.read_text() == original_text


def test_another_key_under_a_retired_id_is_still_refused(tmp_path):
    path = tmp_path / 'hs.signing.key'
    record = str(path) + '.old.yaml'
    path.write_text('ed25519 a_Orig YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n')
    run_module('matrix_signing_keys', {'path': str(path), 'state': 'rotated', 'rotate': True,
                                       'old_keys_path': record}, tmp_path)
    result, rc, dummy = run_module('matrix_signing_keys', {
        'path': str(path), 'state': 'rotated', 'rotate': True,
        'content': 'ed25519 a_Orig AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA\n', 'old_keys_path': record}, tmp_path)
    assert rc == 1 and result['code'] == 'KEY_ID_REUSED'
