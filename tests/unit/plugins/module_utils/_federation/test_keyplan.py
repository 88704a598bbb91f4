# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""keyplan.py: plan and apply on the key file, locking, the public result and diff."""

import os
import stat
import time

import pytest
import yaml

from ansible_collections.matrix.federation.plugins.module_utils._federation import keyplan, oldkeys, signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# Server-Server API appendix test vector.
SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'
SPEC_LINE = 'ed25519 1 %s\n' % SPEC_SEED
# The canonical re-encoding of the spec seed (its trailing bits are dropped).
SPEC_SEED_CANONICAL = signing.encode_base64(signing.decode_base64(SPEC_SEED))


def _write(path, text):
    with open(str(path), 'w') as handle:
        handle.write(text)


def test_plan_present_creates_then_is_idempotent(tmp_path):
    path = str(tmp_path / 'k.key')
    first = keyplan.plan(path)
    assert first.action == 'create' and first.key_changed and first.generated
    assert not os.path.exists(path)  # planning writes nothing
    keyplan.apply(path, first)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keyplan.load_key_file(path) == first.new_keys
    second = keyplan.plan(path)
    assert second.action == 'none' and not second.key_changed
    assert second.new_keys == first.new_keys
    assert os.listdir(str(tmp_path)) == ['k.key']  # no temp files left


def test_plan_present_on_empty_file_creates(tmp_path):
    path = tmp_path / 'k.key'
    _write(path, '')
    assert keyplan.plan(str(path), version='a_Zzzz').action == 'create'


def test_plan_restore_exact_key(tmp_path):
    path = str(tmp_path / 'k.key')
    keyplan.apply(path, keyplan.plan(path))
    restore = keyplan.plan(path, content=SPEC_LINE)
    assert restore.action == 'restore'
    keyplan.apply(path, restore, backup=True)
    with open(path) as handle:
        assert handle.read() == 'ed25519 1 %s\n' % SPEC_SEED_CANONICAL
    assert keyplan.plan(path, content=SPEC_LINE).action == 'none'
    assert keyplan.plan(path, private_key=SPEC_SEED, version='1').action == 'none'
    assert keyplan.plan(path, private_key=SPEC_SEED, version='2').action == 'restore'


def test_plan_rotation_keeps_old_key_in_fragment(tmp_path):
    path = str(tmp_path / 'k.key')
    frag = str(tmp_path / 'old.yaml')
    _write(path, SPEC_LINE)
    assert keyplan.plan(path, state='rotated', max_age=3600, old_keys_path=frag).action == 'none'
    rotation = keyplan.plan(path, state='rotated', rotate_now=True, old_keys_path=frag, expired_ts=1234)
    assert rotation.action == 'rotate'
    assert rotation.old_signing_keys == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1234}}
    keyplan.apply(path, rotation, frag)
    with open(frag) as handle:
        loaded = yaml.safe_load(handle)
    assert loaded == {'old_signing_keys': {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1234}}}
    assert stat.S_IMODE(os.stat(frag).st_mode) == 0o600
    # a second rotation adds to the fragment, losing nothing
    first_new = rotation.new_keys[0]
    again = keyplan.plan(path, state='rotated', rotate_now=True, old_keys_path=frag, expired_ts=5678)
    keyplan.apply(path, again, frag)
    entries = oldkeys.read_old_keys(frag)
    assert entries == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1234},
                       first_new.key_id: {'key': first_new.public_key, 'expired_ts': 5678}}
    with open(frag) as handle:
        assert SPEC_SEED_CANONICAL not in handle.read()


def test_rotation_by_age(tmp_path):
    path = tmp_path / 'k.key'
    _write(path, SPEC_LINE)
    old = time.time() - 10 * 86400
    os.utime(str(path), (old, old))
    assert keyplan.plan(str(path), state='rotated', max_age=30 * 86400).action == 'none'
    rotation = keyplan.plan(str(path), state='rotated', max_age=7 * 86400)
    assert rotation.action == 'rotate' and rotation.key_age >= 10 * 86400 - 5


def test_rotation_of_missing_key_creates_with_warning(tmp_path):
    rotation = keyplan.plan(str(tmp_path / 'k.key'), state='rotated', rotate_now=True)
    assert rotation.action == 'create' and not rotation.old_signing_keys
    assert rotation.warnings[0][0] == 'KEY_CREATED_NOT_ROTATED'


@pytest.mark.parametrize('data, code', [(SPEC_LINE[:9], 'KEYFILE_TRUNCATED_LINE'), (SPEC_LINE[:30], 'KEYFILE_SEED_LENGTH')])
def test_malformed_file_left_untouched(tmp_path, data, code):
    path = tmp_path / 'k.key'
    _write(path, data)
    before = os.stat(str(path))
    for kwargs in ({}, {'state': 'rotated', 'rotate_now': True}):
        with pytest.raises(FederationError) as err:
            keyplan.plan(str(path), **kwargs)
        assert err.value.code == code
    with open(str(path)) as handle:
        assert handle.read() == data
    assert os.stat(str(path)).st_mtime_ns == before.st_mtime_ns


def test_backup_is_0600_and_keeps_content(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    os.chmod(path, 0o644)
    rotation = keyplan.plan(path, state='rotated', rotate_now=True)
    backup = keyplan.apply(path, rotation, backup=True)
    assert backup and os.path.dirname(backup) == str(tmp_path)
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    with open(backup) as handle:
        assert handle.read() == SPEC_LINE
    assert sorted(os.listdir(str(tmp_path))) == sorted(['k.key', os.path.basename(backup)])


def test_public_result_has_no_seed(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    rotation = keyplan.plan(path, state='rotated', rotate_now=True, expired_ts=1)
    result = keyplan.public_result(rotation, 'example.test')
    text = repr(result) + repr(keyplan.diff_text(rotation))
    for seed in [SPEC_SEED, SPEC_SEED_CANONICAL, signing.encode_base64(rotation.new_keys[0].seed)]:
        assert seed not in text
    assert result['old_signing_keys'] == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1}}
    assert result['server_keys_json']['old_verify_keys'] == result['old_signing_keys']
    assert result['verify_keys'] == {rotation.new_keys[0].key_id: rotation.new_keys[0].public_key}


def test_check_mode_result_for_generated_key_is_placeholder(tmp_path):
    creation = keyplan.plan(str(tmp_path / 'k.key'), version='a_Test')
    result = keyplan.public_result(creation, check_mode=True)
    assert result['key_id'] == 'ed25519:a_Test' and result['public_key'] is None
    assert 'generated when applied' in keyplan.diff_text(creation, check_mode=True)[1]


def test_symlinked_key_file_is_refused(tmp_path):
    real = tmp_path / 'real.key'
    link = tmp_path / 'link.key'
    _write(real, SPEC_LINE)
    os.symlink('real.key', str(link))
    for kwargs in ({}, {'state': 'rotated', 'rotate_now': True}):
        with pytest.raises(FederationError) as err:
            keyplan.plan(str(link), **kwargs)
        assert err.value.code == 'KEYFILE_SYMLINK'
        # The message names the real file, so the fix (point path at it) is one copy and paste away.
        assert str(real) in err.value.message and 'path' in err.value.message
    assert os.path.islink(str(link)) and keyplan.load_key_file(str(real))[0].key_id == 'ed25519:1'


@pytest.mark.parametrize('make', [os.mkfifo, os.mkdir], ids=['fifo', 'directory'])
def test_key_path_that_is_not_a_regular_file_is_refused(tmp_path, make):
    # A FIFO would block a plain open() forever; a directory is a typo in path.
    path = str(tmp_path / 'k.key')
    make(path)
    with pytest.raises(FederationError) as err:
        keyplan.plan(path)
    assert err.value.code in ('KEYFILE_NOT_REGULAR', 'KEYFILE_IS_DIRECTORY')
    assert path in err.value.message


def test_key_created_by_another_process_meanwhile_is_kept(tmp_path):
    # Synapse (or a second run) creates the key between this run's plan and apply: the first key wins.
    path = str(tmp_path / 'k.key')
    creation = keyplan.plan(path, state='rotated', rotate_now=True)
    assert creation.action == 'create' and creation.warnings
    _write(path, SPEC_LINE)
    keyplan.apply(path, creation)
    with open(path) as handle:
        assert handle.read() == SPEC_LINE
    assert creation.action == 'none' and not creation.key_changed and not creation.generated
    assert [key.key_id for key in creation.new_keys] == ['ed25519:1']
    assert creation.current_keys == creation.new_keys and creation.warnings == []
    assert keyplan.public_result(creation)['public_key'] == SPEC_PUBLIC
    assert os.listdir(str(tmp_path)) == ['k.key']


def test_empty_file_created_meanwhile_is_an_error_not_a_race(tmp_path):
    path = str(tmp_path / 'k.key')
    creation = keyplan.plan(path)
    _write(path, '')
    with pytest.raises(FederationError) as err:
        keyplan.apply(path, creation)
    assert err.value.code == 'KEYFILE_CREATED_CONCURRENTLY'
    assert os.listdir(str(tmp_path)) == ['k.key'] and os.path.getsize(path) == 0


def test_lock_holds_off_another_run_and_leaves_no_file(tmp_path):
    keys = tmp_path / 'keys'
    keys.mkdir()
    path = str(keys / 'k.key')
    _write(path, SPEC_LINE)
    with keyplan.locked(path) as lock:
        assert lock.warnings == []
        # A second lock on the same directory (another run) waits, then gives up with a code.
        started = time.time()
        with pytest.raises(FederationError) as err:
            with keyplan.locked(path, timeout=0.3):
                pass  # pragma: no cover - never reached while the first lock is held
        assert err.value.code == 'FILE_LOCKED' and str(keys) in err.value.message
        assert time.time() - started >= 0.3
    with keyplan.locked(path, str(tmp_path / 'old.yaml')) as lock:
        assert lock.warnings == []
    assert sorted(os.listdir(str(keys))) == ['k.key'] and sorted(os.listdir(str(tmp_path))) == ['keys']


def test_lock_on_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FederationError) as err:
        with keyplan.locked(str(tmp_path / 'missing' / 'k.key')):
            pass  # pragma: no cover
    assert err.value.code == 'DIRECTORY_MISSING'


def test_replaced_file_keeps_owner_and_mode(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    os.chown(path, 4321, 5432)
    os.chmod(path, 0o640)
    rotation = keyplan.plan(path, state='rotated', rotate_now=True)
    keyplan.apply(path, rotation)
    info = os.stat(path)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4321, 5432, 0o640)
    assert keyplan.load_key_file(path) == rotation.new_keys


def test_old_keys_path_that_is_a_directory_is_refused(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    with pytest.raises(FederationError) as err:
        keyplan.plan(path, state='rotated', rotate_now=True, old_keys_path=str(tmp_path))
    assert err.value.code == 'OLD_KEYS_IS_DIRECTORY' and str(tmp_path) in err.value.message
