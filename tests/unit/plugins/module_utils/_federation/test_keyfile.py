# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time

import pytest
import yaml

from ansible_collections.matrix.federation.plugins.module_utils._federation import keyfile, signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# Server-Server API appendix test vector.
SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'
SPEC_SIG_EMPTY = 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ'
SPEC_LINE = 'ed25519 1 %s\n' % SPEC_SEED
# The canonical re-encoding of the spec seed (its trailing bits are dropped).
SPEC_SEED_CANONICAL = signing.encode_base64(signing.decode_base64(SPEC_SEED))


def _write(path, text):
    with open(str(path), 'w') as handle:
        handle.write(text)


def test_spec_vector_through_key_file():
    keys = keyfile.parse_key_file(SPEC_LINE.encode('ascii'))
    assert len(keys) == 1
    assert keys[0].key_id == 'ed25519:1'
    assert keys[0].public_key == SPEC_PUBLIC
    signed = signing.sign_json({}, 'domain', keys[0].key_id, signing.signing_key_from_seed(keys[0].seed))
    assert signed['signatures']['domain']['ed25519:1'] == SPEC_SIG_EMPTY
    export = keyfile.server_keys_export(keys, server_name='domain')
    assert export == {'server_name': 'domain', 'verify_keys': {'ed25519:1': {'key': SPEC_PUBLIC}}, 'old_verify_keys': {}}
    assert SPEC_SEED not in repr(keys[0])


def test_serialize_round_trip_is_synapse_format():
    keys = keyfile.parse_key_file(SPEC_LINE + 'ed25519 a_AbCd %s' % SPEC_SEED_CANONICAL.replace('Y', 'Z', 1))
    text = keyfile.serialize_keys(keys)
    assert text.splitlines()[0] == 'ed25519 1 %s' % SPEC_SEED_CANONICAL
    assert text.endswith('\n') and text.count('\n') == 2
    assert keyfile.parse_key_file(text) == keys


@pytest.mark.parametrize('data', [b'', b'\n', b'  \n\t\n', None])
def test_empty_file_means_no_key(data):
    assert keyfile.parse_key_file(data) == []


@pytest.mark.parametrize('text, code', [
    ('ed25519 a_AbCd\n', 'KEYFILE_TRUNCATED_LINE'),
    ('ed25519\n', 'KEYFILE_TRUNCATED_LINE'),
    ('ed25519 a_AbCd %s extra\n' % SPEC_SEED, 'KEYFILE_MALFORMED_LINE'),
    ('rsa a_AbCd %s\n' % SPEC_SEED, 'KEYFILE_UNSUPPORTED_ALGORITHM'),
    ('ed25519 a-AbCd %s\n' % SPEC_SEED, 'KEYFILE_BAD_VERSION'),
    ('ed25519 a:b %s\n' % SPEC_SEED, 'KEYFILE_BAD_VERSION'),
    ('ed25519 a_AbCd %s\n' % SPEC_SEED[:30], 'KEYFILE_SEED_LENGTH'),
    ('ed25519 a_AbCd %s\n' % SPEC_SEED[:42], 'KEYFILE_SEED_LENGTH'),
    ('ed25519 a_AbCd %sAAAA\n' % SPEC_SEED, 'KEYFILE_SEED_LENGTH'),
    ('ed25519 a_AbCd %s\n' % SPEC_SEED.replace('+', '-'), 'KEYFILE_BAD_SEED'),
    ('ed25519 a_AbCd %s!\n' % SPEC_SEED[:42], 'KEYFILE_BAD_SEED'),
    (SPEC_LINE + '\n', 'KEYFILE_BLANK_LINE'),
    (SPEC_LINE + '\n' + SPEC_LINE.replace(' 1 ', ' 2 '), 'KEYFILE_BLANK_LINE'),
    (SPEC_LINE + SPEC_LINE, 'KEYFILE_DUPLICATE_VERSION'),
    (b'\xff\xfe' + SPEC_LINE.encode('ascii'), 'KEYFILE_NOT_TEXT'),
])
def test_malformed_files_refused_with_precise_code(text, code):
    with pytest.raises(FederationError) as err:
        keyfile.parse_key_file(text.encode('ascii') if isinstance(text, str) else text, source='k')
    assert err.value.code == code
    assert SPEC_SEED[:20] not in err.value.message
    assert 'k line' in err.value.message or code == 'KEYFILE_NOT_TEXT'


def test_lenient_about_padding_and_final_newline():
    keys = keyfile.parse_key_file('ed25519 1 %s=' % SPEC_SEED)
    assert keys[0].public_key == SPEC_PUBLIC
    assert keyfile.parse_key_file('ed25519 1 %s\r\n' % SPEC_SEED)[0].public_key == SPEC_PUBLIC


def test_generate_version_and_key():
    for dummy in range(50):
        version = keyfile.generate_version()
        assert len(version) == 6 and version.startswith('a_') and version[2:].isalpha()
    key = keyfile.generate_key()
    assert len(key.seed) == 32 and key.key_id.startswith('ed25519:a_')
    assert keyfile.generate_key('v2').key_id == 'ed25519:v2'
    with pytest.raises(FederationError) as err:
        keyfile.generate_key('bad version')
    assert err.value.code == 'KEY_BAD_VERSION'


def test_rotate_returns_old_signing_keys_entry():
    old = keyfile.parse_key_file(SPEC_LINE)
    new = keyfile.generate_key('a_Next')
    keys, retired = keyfile.rotate(old, new, expired_ts=1700000000000)
    assert keys == [new]
    assert retired == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1700000000000}}
    before = keyfile.now_ms()
    dummy, retired = keyfile.rotate(old, new)
    assert before <= retired['ed25519:1']['expired_ts'] <= keyfile.now_ms()
    with pytest.raises(FederationError) as err:
        keyfile.rotate(old, keyfile.generate_key('1'))
    assert err.value.code == 'KEY_ID_REUSED'
    with pytest.raises(FederationError) as err:
        keyfile.rotate(old, new, retired_before={'ed25519:a_Next': {}})
    assert err.value.code == 'KEY_ID_REUSED'


def test_key_from_seed():
    key = keyfile.key_from_seed(' %s\n' % SPEC_SEED, 'a_AbCd')
    assert key.public_key == SPEC_PUBLIC and key.key_id == 'ed25519:a_AbCd'
    with pytest.raises(FederationError) as err:
        keyfile.key_from_seed(SPEC_SEED[:40], 'a_AbCd')
    assert err.value.code == 'KEYFILE_SEED_LENGTH'
    assert SPEC_SEED[:40] not in err.value.message


@pytest.mark.parametrize('value, seconds', [(30, 30), ('30', 30), ('2m', 120), ('3h', 10800), ('365d', 31536000), ('1w', 604800)])
def test_parse_duration(value, seconds):
    assert keyfile.parse_duration(value) == seconds


@pytest.mark.parametrize('value', ['', 'soon', '1y', '-1d', '0', 0])
def test_parse_duration_refuses(value):
    with pytest.raises(FederationError) as err:
        keyfile.parse_duration(value)
    assert err.value.code == 'BAD_DURATION'


def test_key_age_from_mtime(tmp_path):
    path = tmp_path / 'k.key'
    assert keyfile.key_age_seconds(str(path)) is None
    _write(path, SPEC_LINE)
    os.utime(str(path), (time.time() - 7200, time.time() - 7200))
    assert 7199 <= keyfile.key_age_seconds(str(path)) <= 7260


def test_plan_present_creates_then_is_idempotent(tmp_path):
    path = str(tmp_path / 'k.key')
    first = keyfile.plan(path)
    assert first.action == 'create' and first.key_changed and first.generated
    assert not os.path.exists(path)  # planning writes nothing
    keyfile.apply(path, first)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keyfile.load_key_file(path) == first.new_keys
    second = keyfile.plan(path)
    assert second.action == 'none' and not second.key_changed
    assert second.new_keys == first.new_keys
    assert os.listdir(str(tmp_path)) == ['k.key']  # no temp files left


def test_plan_present_on_empty_file_creates(tmp_path):
    path = tmp_path / 'k.key'
    _write(path, '')
    assert keyfile.plan(str(path), version='a_Zzzz').action == 'create'


def test_plan_restore_exact_key(tmp_path):
    path = str(tmp_path / 'k.key')
    keyfile.apply(path, keyfile.plan(path))
    restore = keyfile.plan(path, content=SPEC_LINE)
    assert restore.action == 'restore'
    keyfile.apply(path, restore, backup=True)
    with open(path) as handle:
        assert handle.read() == 'ed25519 1 %s\n' % SPEC_SEED_CANONICAL
    assert keyfile.plan(path, content=SPEC_LINE).action == 'none'
    assert keyfile.plan(path, private_key=SPEC_SEED, version='1').action == 'none'
    assert keyfile.plan(path, private_key=SPEC_SEED, version='2').action == 'restore'


def test_plan_rotation_keeps_old_key_in_fragment(tmp_path):
    path = str(tmp_path / 'k.key')
    frag = str(tmp_path / 'old.yaml')
    _write(path, SPEC_LINE)
    assert keyfile.plan(path, state='rotated', max_age=3600, old_keys_path=frag).action == 'none'
    rotation = keyfile.plan(path, state='rotated', rotate_now=True, old_keys_path=frag, expired_ts=1234)
    assert rotation.action == 'rotate'
    assert rotation.old_signing_keys == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1234}}
    keyfile.apply(path, rotation, frag)
    with open(frag) as handle:
        loaded = yaml.safe_load(handle)
    assert loaded == {'old_signing_keys': {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1234}}}
    assert stat.S_IMODE(os.stat(frag).st_mode) == 0o600
    # a second rotation adds to the fragment, losing nothing
    first_new = rotation.new_keys[0]
    again = keyfile.plan(path, state='rotated', rotate_now=True, old_keys_path=frag, expired_ts=5678)
    keyfile.apply(path, again, frag)
    entries = keyfile.read_old_keys(frag)
    assert entries == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1234},
                       first_new.key_id: {'key': first_new.public_key, 'expired_ts': 5678}}
    with open(frag) as handle:
        assert SPEC_SEED_CANONICAL not in handle.read()


def test_rotation_by_age(tmp_path):
    path = tmp_path / 'k.key'
    _write(path, SPEC_LINE)
    old = time.time() - 10 * 86400
    os.utime(str(path), (old, old))
    assert keyfile.plan(str(path), state='rotated', max_age=30 * 86400).action == 'none'
    rotation = keyfile.plan(str(path), state='rotated', max_age=7 * 86400)
    assert rotation.action == 'rotate' and rotation.key_age >= 10 * 86400 - 5


def test_rotation_of_missing_key_creates_with_warning(tmp_path):
    rotation = keyfile.plan(str(tmp_path / 'k.key'), state='rotated', rotate_now=True)
    assert rotation.action == 'create' and not rotation.old_signing_keys
    assert rotation.warnings[0][0] == 'KEY_CREATED_NOT_ROTATED'


def test_old_keys_merge_never_loses_or_overwrites():
    existing = {'ed25519:a': {'key': 'AAA', 'expired_ts': 1}}
    assert keyfile.merge_old_keys(existing, {'ed25519:a': {'key': 'AAA', 'expired_ts': 9}}) == existing
    with pytest.raises(FederationError) as err:
        keyfile.merge_old_keys(existing, {'ed25519:a': {'key': 'BBB', 'expired_ts': 9}})
    assert err.value.code == 'OLD_KEYS_CONFLICT'


@pytest.mark.parametrize('text', ['[1, 2]', 'old_signing_keys: [1]', 'other: 1',
                                  'old_signing_keys: {"ed25519:a": {"key": "x"}}', 'old_signing_keys: {a: [}',
                                  'old_signing_keys: {"rsa:a": {"key": "x", "expired_ts": 1}}'])
def test_malformed_fragment_refused(tmp_path, text):
    frag = tmp_path / 'old.yaml'
    _write(frag, text)
    with pytest.raises(FederationError) as err:
        keyfile.read_old_keys(str(frag))
    assert err.value.code == 'OLD_KEYS_MALFORMED'


def test_fragment_serialization_is_yaml():
    entries = {'ed25519:b': {'key': 'BBB', 'expired_ts': 2}, 'ed25519:a': {'key': 'AAA', 'expired_ts': 1}}
    assert yaml.safe_load(keyfile.serialize_old_keys(entries)) == {'old_signing_keys': entries}
    assert yaml.safe_load(keyfile.serialize_old_keys({})) == {'old_signing_keys': {}}


@pytest.mark.parametrize('data, code', [(SPEC_LINE[:9], 'KEYFILE_TRUNCATED_LINE'), (SPEC_LINE[:30], 'KEYFILE_SEED_LENGTH')])
def test_malformed_file_left_untouched(tmp_path, data, code):
    path = tmp_path / 'k.key'
    _write(path, data)
    before = os.stat(str(path))
    for kwargs in ({}, {'state': 'rotated', 'rotate_now': True}):
        with pytest.raises(FederationError) as err:
            keyfile.plan(str(path), **kwargs)
        assert err.value.code == code
    with open(str(path)) as handle:
        assert handle.read() == data
    assert os.stat(str(path)).st_mtime_ns == before.st_mtime_ns


def test_backup_is_0600_and_keeps_content(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    os.chmod(path, 0o644)
    rotation = keyfile.plan(path, state='rotated', rotate_now=True)
    backup = keyfile.apply(path, rotation, backup=True)
    assert backup and os.path.dirname(backup) == str(tmp_path)
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    with open(backup) as handle:
        assert handle.read() == SPEC_LINE
    assert sorted(os.listdir(str(tmp_path))) == sorted(['k.key', os.path.basename(backup)])


def test_public_result_has_no_seed(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    rotation = keyfile.plan(path, state='rotated', rotate_now=True, expired_ts=1)
    result = keyfile.public_result(rotation, 'example.test')
    text = repr(result) + repr(keyfile.diff_text(rotation))
    for seed in [SPEC_SEED, SPEC_SEED_CANONICAL, signing.encode_base64(rotation.new_keys[0].seed)]:
        assert seed not in text
    assert result['old_signing_keys'] == {'ed25519:1': {'key': SPEC_PUBLIC, 'expired_ts': 1}}
    assert result['server_keys_json']['old_verify_keys'] == result['old_signing_keys']
    assert result['verify_keys'] == {rotation.new_keys[0].key_id: rotation.new_keys[0].public_key}


def test_check_mode_result_for_generated_key_is_placeholder(tmp_path):
    creation = keyfile.plan(str(tmp_path / 'k.key'), version='a_Test')
    result = keyfile.public_result(creation, check_mode=True)
    assert result['key_id'] == 'ed25519:a_Test' and result['public_key'] is None
    assert 'generated when applied' in keyfile.diff_text(creation, check_mode=True)[1]


def test_symlinked_key_file_is_refused(tmp_path):
    real = tmp_path / 'real.key'
    link = tmp_path / 'link.key'
    _write(real, SPEC_LINE)
    os.symlink('real.key', str(link))
    for kwargs in ({}, {'state': 'rotated', 'rotate_now': True}):
        with pytest.raises(FederationError) as err:
            keyfile.plan(str(link), **kwargs)
        assert err.value.code == 'KEYFILE_SYMLINK'
        # The message names the real file, so the fix (point path at it) is one copy and paste away.
        assert str(real) in err.value.message and 'path' in err.value.message
    assert os.path.islink(str(link)) and keyfile.load_key_file(str(real))[0].key_id == 'ed25519:1'


@pytest.mark.parametrize('make', [os.mkfifo, os.mkdir], ids=['fifo', 'directory'])
def test_key_path_that_is_not_a_regular_file_is_refused(tmp_path, make):
    # A FIFO would block a plain open() forever; a directory is a typo in path.
    path = str(tmp_path / 'k.key')
    make(path)
    with pytest.raises(FederationError) as err:
        keyfile.plan(path)
    assert err.value.code in ('KEYFILE_NOT_REGULAR', 'KEYFILE_IS_DIRECTORY')
    assert path in err.value.message


def test_key_created_by_another_process_meanwhile_is_kept(tmp_path):
    # Synapse (or a second run) creates the key between this run's plan and apply: the first key wins.
    path = str(tmp_path / 'k.key')
    creation = keyfile.plan(path, state='rotated', rotate_now=True)
    assert creation.action == 'create' and creation.warnings
    _write(path, SPEC_LINE)
    keyfile.apply(path, creation)
    with open(path) as handle:
        assert handle.read() == SPEC_LINE
    assert creation.action == 'none' and not creation.key_changed and not creation.generated
    assert [key.key_id for key in creation.new_keys] == ['ed25519:1']
    assert creation.current_keys == creation.new_keys and creation.warnings == []
    assert keyfile.public_result(creation)['public_key'] == SPEC_PUBLIC
    assert os.listdir(str(tmp_path)) == ['k.key']


def test_empty_file_created_meanwhile_is_an_error_not_a_race(tmp_path):
    path = str(tmp_path / 'k.key')
    creation = keyfile.plan(path)
    _write(path, '')
    with pytest.raises(FederationError) as err:
        keyfile.apply(path, creation)
    assert err.value.code == 'KEYFILE_CREATED_CONCURRENTLY'
    assert os.listdir(str(tmp_path)) == ['k.key'] and os.path.getsize(path) == 0


def test_lock_holds_off_another_run_and_leaves_no_file(tmp_path):
    keys = tmp_path / 'keys'
    keys.mkdir()
    path = str(keys / 'k.key')
    _write(path, SPEC_LINE)
    with keyfile.locked(path) as lock:
        assert lock.warnings == []
        # A second lock on the same directory (another run) waits, then gives up with a code.
        started = time.time()
        with pytest.raises(FederationError) as err:
            with keyfile.locked(path, timeout=0.3):
                pass  # pragma: no cover - never reached while the first lock is held
        assert err.value.code == 'FILE_LOCKED' and str(keys) in err.value.message
        assert time.time() - started >= 0.3
    with keyfile.locked(path, str(tmp_path / 'old.yaml')) as lock:
        assert lock.warnings == []
    assert sorted(os.listdir(str(keys))) == ['k.key'] and sorted(os.listdir(str(tmp_path))) == ['keys']


def test_lock_on_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FederationError) as err:
        with keyfile.locked(str(tmp_path / 'missing' / 'k.key')):
            pass  # pragma: no cover
    assert err.value.code == 'DIRECTORY_MISSING'


def test_replaced_file_keeps_owner_and_mode(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    os.chown(path, 4321, 5432)
    os.chmod(path, 0o640)
    rotation = keyfile.plan(path, state='rotated', rotate_now=True)
    keyfile.apply(path, rotation)
    info = os.stat(path)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4321, 5432, 0o640)
    assert keyfile.load_key_file(path) == rotation.new_keys


def test_old_keys_path_that_is_a_directory_is_refused(tmp_path):
    path = str(tmp_path / 'k.key')
    _write(path, SPEC_LINE)
    with pytest.raises(FederationError) as err:
        keyfile.plan(path, state='rotated', rotate_now=True, old_keys_path=str(tmp_path))
    assert err.value.code == 'OLD_KEYS_IS_DIRECTORY' and str(tmp_path) in err.value.message
