# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_signing_keys run as a real process: directly with ANSIBLE_MODULE_ARGS on
stdin, and through ``ansible localhost -m`` with -vvv and --diff, so that what an
operator sees (stdout, stderr, diffs, invocation) is what is asserted on."""

import base64
import binascii
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time

import pytest
import yaml

import ansible_collections
from ansible_collections.matrix.federation.plugins.module_utils._federation import signing

MODULE = 'ansible_collections.matrix.federation.plugins.modules.matrix_signing_keys'
SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'
SPEC_SEED_CANONICAL = signing.encode_base64(signing.decode_base64(SPEC_SEED))
# A second, unrelated seed (as it would sit in a real server's key file).
FILE_SEED_BYTES = bytes(range(1, 33))
FILE_SEED = signing.encode_base64(FILE_SEED_BYTES)
FILE_PUBLIC = signing.public_key_from_seed(FILE_SEED_BYTES)
FILE_LINE = 'ed25519 a_File %s\n' % FILE_SEED


def _collections_root():
    for entry in ansible_collections.__path__:
        if os.path.isdir(os.path.join(entry, 'matrix', 'federation')):
            return os.path.dirname(entry)
    raise AssertionError('matrix.federation is not on the collections path')


COLLECTIONS = _collections_root()


def _secret_forms(seed_bytes):
    """Every way a seed could leak: base64 (padded, unpadded, URL-safe) and hex."""
    b64 = signing.encode_base64(seed_bytes)
    return [b64, b64.replace('+', '-').replace('/', '_'), binascii.hexlify(seed_bytes).decode('ascii'), b64[:24]]


def run_module(args, check=False, diff=False):
    """Run the module as Ansible would on a managed host; return (result, stdout, stderr)."""
    payload = dict(args)
    payload['_ansible_check_mode'] = check
    payload['_ansible_diff'] = diff
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.run([sys.executable, '-m', MODULE], input=json.dumps({'ANSIBLE_MODULE_ARGS': payload}),
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    result = json.loads(proc.stdout)
    assert 'Traceback' not in proc.stdout + proc.stderr
    return result, proc.stdout, proc.stderr


def run_ansible(tmp_path, args, *extra):
    """``ansible localhost -m matrix.federation.matrix_signing_keys`` through this venv."""
    home = tmp_path / 'ansible-home'
    home.mkdir(exist_ok=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_HOME=str(home),
               ANSIBLE_LOCAL_TEMP=str(home / 'tmp'), ANSIBLE_REMOTE_TEMP=str(home / 'remote'),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_LOG_PATH=str(home / 'ansible.log'), ANSIBLE_KEEP_REMOTE_FILES='0')
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    cmd = [ansible, 'localhost', '-i', 'localhost,', '-c', 'local', '-m', 'matrix.federation.matrix_signing_keys',
           '-a', json.dumps(args)] + list(extra)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
    log = ''
    if os.path.exists(str(home / 'ansible.log')):
        with open(str(home / 'ansible.log')) as handle:
            log = handle.read()
    return proc, log


def _read(path):
    with open(str(path)) as handle:
        return handle.read()


def _write(path, text):
    with open(str(path), 'w') as handle:
        handle.write(text)
    os.chmod(str(path), 0o600)


def _mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_create_then_idempotent(tmp_path):
    path = tmp_path / 'example.test.signing.key'
    result, dummy, dummy = run_module({'path': str(path)})
    assert result['changed'] is True and result['action'] == 'create'
    assert result['key_id'].startswith('ed25519:a_') and len(result['key_id']) == len('ed25519:a_AbCd')
    lines = _read(path).splitlines()
    assert len(lines) == 1
    algorithm, version, seed = lines[0].split(' ')
    assert (algorithm, 'ed25519:' + version) == ('ed25519', result['key_id'])
    assert signing.public_key_from_seed(signing.decode_base64(seed)) == result['public_key']
    assert result['verify_keys'] == {result['key_id']: result['public_key']}
    assert result['server_keys_json']['verify_keys'] == {result['key_id']: {'key': result['public_key']}}
    assert _mode(path) == 0o600
    assert os.listdir(str(tmp_path)) == [path.name]  # atomic write left no temp file

    again, dummy, dummy = run_module({'path': str(path)}, diff=True)
    assert again['changed'] is False and again['action'] == 'none'
    assert again['key_id'] == result['key_id'] and again['public_key'] == result['public_key']
    assert again['diff'] == []
    assert 0 <= again['key_age'] < 600


def test_check_mode_predicts_without_writing(tmp_path):
    path = tmp_path / 'k.key'
    result, dummy, dummy = run_module({'path': str(path), 'version': 'a_Chek'}, check=True, diff=True)
    assert result['changed'] is True and result['action'] == 'create'
    assert result['key_id'] == 'ed25519:a_Chek' and result['public_key'] is None
    assert not path.exists() and os.listdir(str(tmp_path)) == []
    assert 'ed25519:a_Chek' in result['diff'][0]['after']

    _write(path, FILE_LINE)
    os.chmod(str(path), 0o600)
    before = os.stat(str(path))
    result, dummy, dummy = run_module({'path': str(path)}, check=True)
    assert result['changed'] is False and result['public_key'] == FILE_PUBLIC
    result, dummy, dummy = run_module({'path': str(path), 'state': 'rotated', 'rotate': True,
                                       'old_keys_path': str(tmp_path / 'old.yaml')}, check=True, diff=True)
    assert result['changed'] is True and result['action'] == 'rotate'
    assert result['old_signing_keys']['ed25519:a_File']['key'] == FILE_PUBLIC
    assert _read(path) == FILE_LINE and os.stat(str(path)).st_mtime_ns == before.st_mtime_ns
    assert sorted(os.listdir(str(tmp_path))) == ['k.key']
    result, dummy, dummy = run_module({'path': str(path), 'mode': '0640'}, check=True, diff=True)
    assert result['changed'] is True and _mode(path) == 0o600


def test_rotation_keeps_old_key_and_fragment_grows(tmp_path):
    path = tmp_path / 'k.key'
    fragment = tmp_path / 'old_signing_keys.yaml'
    _write(path, FILE_LINE)
    args = {'path': str(path), 'state': 'rotated', 'old_keys_path': str(fragment), 'server_name': 'example.test'}

    not_due, dummy, dummy = run_module(dict(args, max_age='30d'))
    assert not_due['changed'] is False and _read(path) == FILE_LINE and not fragment.exists()

    rotated, dummy, dummy = run_module(dict(args, rotate=True, expired_ts=1700000000000, backup=True), diff=True)
    assert rotated['changed'] is True and rotated['action'] == 'rotate'
    expected_old = {'ed25519:a_File': {'key': FILE_PUBLIC, 'expired_ts': 1700000000000}}
    assert rotated['old_signing_keys'] == expected_old
    assert rotated['old_verify_keys'] == expected_old
    assert rotated['key_id'] != 'ed25519:a_File'
    assert rotated['server_keys_json'] == {
        'server_name': 'example.test',
        'verify_keys': {rotated['key_id']: {'key': rotated['public_key']}},
        'old_verify_keys': expected_old,
    }
    assert yaml.safe_load(_read(fragment)) == {'old_signing_keys': expected_old}
    assert _mode(fragment) == 0o600
    assert _read(rotated['backup_file']) == FILE_LINE and _mode(rotated['backup_file']) == 0o600
    assert [d['before_header'] for d in rotated['diff']] == [str(path), str(fragment)]

    second, dummy, dummy = run_module(dict(args, rotate=True, expired_ts=1800000000000))
    entries = yaml.safe_load(_read(fragment))['old_signing_keys']
    retired_now = {rotated['key_id']: {'key': rotated['public_key'], 'expired_ts': 1800000000000}}
    assert entries == dict(expected_old, **retired_now)
    assert second['old_verify_keys'] == entries
    assert second['old_signing_keys'] == retired_now
    leftovers = [name for name in os.listdir(str(tmp_path)) if name.endswith('.tmp')]
    assert leftovers == []


def test_rotation_by_age(tmp_path):
    path = tmp_path / 'k.key'
    _write(path, FILE_LINE)
    old = time.time() - 3 * 86400
    os.utime(str(path), (old, old))
    result, dummy, dummy = run_module({'path': str(path), 'state': 'rotated', 'max_age': '2d'})
    assert result['changed'] is True and result['action'] == 'rotate' and result['key_age'] >= 3 * 86400 - 60
    again, dummy, dummy = run_module({'path': str(path), 'state': 'rotated', 'max_age': '2d'})
    assert again['changed'] is False and again['key_id'] == result['key_id']


def test_restore_writes_exact_key(tmp_path):
    path = tmp_path / 'k.key'
    run_module({'path': str(path)})
    result, dummy, dummy = run_module({'path': str(path), 'private_key': SPEC_SEED, 'version': 'a_Spec',
                                       'backup': True})
    assert result['changed'] is True and result['action'] == 'restore'
    assert result['key_id'] == 'ed25519:a_Spec' and result['public_key'] == SPEC_PUBLIC
    assert _read(path) == 'ed25519 a_Spec %s\n' % SPEC_SEED_CANONICAL
    assert _mode(result['backup_file']) == 0o600
    again, dummy, dummy = run_module({'path': str(path), 'private_key': SPEC_SEED, 'version': 'a_Spec'})
    assert again['changed'] is False

    content = tmp_path / 'other.key'
    result, dummy, dummy = run_module({'path': str(content), 'content': FILE_LINE})
    assert result['changed'] is True and _read(content) == FILE_LINE and _mode(content) == 0o600
    again, dummy, dummy = run_module({'path': str(content), 'content': FILE_LINE.rstrip('\n')})
    assert again['changed'] is False


@pytest.mark.parametrize('text, code', [
    (FILE_LINE[:14], 'KEYFILE_TRUNCATED_LINE'),
    (FILE_LINE[:40], 'KEYFILE_SEED_LENGTH'),
    ('ed25519 a-bad %s\n' % FILE_SEED, 'KEYFILE_BAD_VERSION'),
    ('ed448 a_File %s\n' % FILE_SEED, 'KEYFILE_UNSUPPORTED_ALGORITHM'),
    (FILE_LINE + '\n', 'KEYFILE_BLANK_LINE'),
])
def test_malformed_file_refused_and_untouched(tmp_path, text, code):
    path = tmp_path / 'k.key'
    _write(path, text)
    os.chmod(str(path), 0o644)
    before = os.stat(str(path))
    for args in ({}, {'state': 'rotated', 'rotate': True}, {'mode': '0600', 'backup': True}):
        result, stdout, stderr = run_module(dict(args, path=str(path)), diff=True)
        assert result['failed'] is True and result['code'] == code
        assert str(path) in result['msg']
        assert FILE_SEED[:20] not in stdout + stderr
    assert _read(path) == text
    after = os.stat(str(path))
    assert (after.st_mtime_ns, after.st_ino, _mode(path)) == (before.st_mtime_ns, before.st_ino, 0o644)
    assert os.listdir(str(tmp_path)) == ['k.key']


@pytest.mark.parametrize('args, words', [
    ({'private_key': SPEC_SEED}, 'version'),
    ({'state': 'rotated'}, 'rotate'),
    ({'rotate': True}, 'state=rotated'),
    ({'state': 'rotated', 'max_age': 'yearly'}, 'duration'),
    ({'version': 'not valid'}, 'letters, digits'),
    ({'private_key': 'short', 'version': 'a_Bcde'}, 'ed25519 seed'),
    ({'content': 'ed25519 a_X %s\n' % SPEC_SEED[:40]}, 'truncated'),
])
def test_bad_options_fail_clearly(tmp_path, args, words):
    result, stdout, stderr = run_module(dict(args, path=str(tmp_path / 'k.key')))
    assert result['failed'] is True and words in result['msg']
    assert SPEC_SEED[:20] not in stdout + stderr
    assert not (tmp_path / 'k.key').exists()


def test_directory_missing_fails_clearly(tmp_path):
    result, dummy, dummy = run_module({'path': str(tmp_path / 'missing' / 'k.key')})
    assert result['failed'] is True and result['code'] == 'DIRECTORY_MISSING'


def _assert_no_secret(text, *seeds):
    for seed in seeds:
        for form in _secret_forms(seed):
            assert form not in text, 'private key material leaked'


def test_no_private_material_in_direct_output(tmp_path):
    path = tmp_path / 'k.key'
    fragment = tmp_path / 'old.yaml'
    _write(path, FILE_LINE)
    spec_bytes = signing.decode_base64(SPEC_SEED)
    outputs = []
    for check in (True, False):
        for args in ({}, {'state': 'rotated', 'rotate': True, 'old_keys_path': str(fragment), 'backup': True},
                     {'private_key': SPEC_SEED, 'version': 'a_Spec', 'backup': True},
                     {'content': FILE_LINE, 'backup': True},
                     {'content': 'ed448 a_x %s\n' % FILE_SEED}):
            result, stdout, stderr = run_module(dict(args, path=str(path)), check=check, diff=True)
            outputs.append(stdout + stderr)
            if not result.get('failed'):
                new_line = _read(path).split()
                outputs.append(json.dumps(result))
                # The key now in the file must not leak either.
                _assert_no_secret(stdout + stderr, signing.decode_base64(new_line[2]))
    _assert_no_secret('\n'.join(outputs), FILE_SEED_BYTES, spec_bytes)
    _assert_no_secret(_read(fragment), FILE_SEED_BYTES, spec_bytes)


def test_no_private_material_through_ansible_vvv_diff(tmp_path):
    path = tmp_path / 'k.key'
    fragment = tmp_path / 'old.yaml'
    _write(path, FILE_LINE)
    spec_bytes = signing.decode_base64(SPEC_SEED)
    runs = [
        ({'path': str(path)}, ['--diff']),
        ({'path': str(path), 'state': 'rotated', 'rotate': True, 'old_keys_path': str(fragment)}, ['--check', '--diff']),
        ({'path': str(path), 'state': 'rotated', 'rotate': True, 'old_keys_path': str(fragment), 'backup': True},
         ['--diff']),
        ({'path': str(path), 'private_key': SPEC_SEED, 'version': 'a_Spec', 'backup': True}, ['--diff']),
        ({'path': str(path), 'content': FILE_LINE}, ['--check', '--diff']),
        ({'path': str(path), 'content': FILE_LINE}, ['--diff']),
    ]
    seen = []
    for args, extra in runs:
        in_file = signing.decode_base64(_read(path).split()[2])
        proc, log = run_ansible(tmp_path, args, '-vvv', *extra)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert 'matrix_signing_keys' in proc.stdout + proc.stderr
        _assert_no_secret(proc.stdout + proc.stderr + log, FILE_SEED_BYTES, spec_bytes, in_file)
        seen.append(proc.stdout)
    # The runs really did rotate and restore (this is not a test of a module that did nothing).
    assert 'CHANGED' in seen[2] and 'ed25519:a_File' in seen[2]
    assert _read(path) == FILE_LINE
    assert 'ed25519:a_File' in yaml.safe_load(_read(fragment))['old_signing_keys']
    # A failing run (malformed content) leaks nothing either.
    proc, log = run_ansible(tmp_path, {'path': str(path), 'content': 'ed25519 a_x %sQ\n' % FILE_SEED}, '-vvv', '--diff')
    assert proc.returncode != 0 and 'KEYFILE_SEED_LENGTH' in proc.stdout
    _assert_no_secret(proc.stdout + proc.stderr + log, FILE_SEED_BYTES)


# ---------------------------------------------------------------- format=dendrite

DENDRITE_FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils', '_federation',
                                'fixtures', 'dendrite_generate_keys.pem')


def test_dendrite_format_check_create_idempotent_and_secret_free(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    args = {'path': str(path), 'format': 'dendrite', 'version': 'a_Dend', 'server_name': 'example.test'}
    check, dummy, dummy = run_module(args, check=True, diff=True)
    assert check['changed'] is True and check['key_id'] == 'ed25519:a_Dend' and check['public_key'] is None
    assert not path.exists()

    created, out, err = run_module(args, diff=True)
    assert created['changed'] is True and created['action'] == 'create'
    text = _read(path)
    lines = text.splitlines()
    assert lines[:3] == ['-----BEGIN MATRIX PRIVATE KEY-----', 'Key-ID: ed25519:a_Dend', '']
    assert lines[4] == '-----END MATRIX PRIVATE KEY-----' and len(lines) == 5
    seed = base64.b64decode(lines[3])
    assert signing.public_key_from_seed(seed) == created['public_key']
    assert _mode(path) == 0o600
    for form in _secret_forms(seed) + [lines[3]]:
        assert form not in out + err

    again, dummy, dummy = run_module(args, check=True, diff=True)
    assert again['changed'] is False and again['diff'] == []
    assert again['public_key'] == created['public_key']


def test_dendrite_key_from_generate_keys_is_kept(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    with open(DENDRITE_FIXTURE, 'rb') as handle:
        original = handle.read()
    path.write_bytes(original)
    os.chmod(str(path), 0o600)
    result, dummy, dummy = run_module({'path': str(path), 'format': 'dendrite'})
    assert result['changed'] is False
    assert result['verify_keys'] == {'ed25519:xonUvd': 'Am/5TE2R6OH6IeUrAuvDgTOc8ljZ3ZONqsGzUxmwpTs'}
    assert path.read_bytes() == original


def test_wrong_format_refused_and_file_untouched(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    with open(DENDRITE_FIXTURE, 'rb') as handle:
        original = handle.read()
    path.write_bytes(original)
    result, out, err = run_module({'path': str(path)})
    assert result['failed'] is True and result['code'] == 'KEYFILE_WRONG_FORMAT'
    assert 'format=dendrite' in result['msg']
    assert path.read_bytes() == original
    assert original.splitlines()[3].decode('ascii') not in out + err


# ---------------------------------------------------------------- live server safety

# A seed that looks like a real one. It has "+" and "/", so in the version field of a garbled line it fails
# the version check, and an error that quoted the field would quote the seed.
SECRET_BYTES = hashlib.sha256(b'matrix.federation test secret 7').digest()
SECRET = signing.encode_base64(SECRET_BYTES)
SECRET_ALNUM = re.sub('[^A-Za-z0-9]', '', SECRET)
SECRET_UPPER = SECRET_ALNUM.upper()


def _assert_secret_absent(text):
    """No secret form, nor any 8 characters of one, in ``text``."""
    for secret in (SECRET, SECRET_ALNUM, SECRET_UPPER, SECRET.replace('+', '-').replace('/', '_'),
                   base64.b64encode(SECRET_BYTES).decode('ascii')):
        for start in range(len(secret) - 7):
            assert secret[start:start + 8] not in text, 'part of the secret (%r) in the output' % secret[start:start + 8]


def _dendrite_pem(key_id='ed25519:a_Bad', body=None, begin='MATRIX PRIVATE KEY', headers=None):
    body = base64.b64encode(SECRET_BYTES).decode('ascii') if body is None else body
    head = 'Key-ID: %s\n' % key_id if headers is None else headers
    return '-----BEGIN %s-----\n%s\n%s\n-----END %s-----\n' % (begin, head, body, begin)


# (file text, key format, expected code, line number the message must name or None)
BROKEN_KEY_FILES = [
    ('ed25519 a_Bad %s!\n' % SECRET[:42], 'synapse', 'KEYFILE_BAD_SEED', 1),
    ('ed25519 a_Bad %s\n' % SECRET.replace('+', '-').replace('/', '_'), 'synapse', 'KEYFILE_BAD_SEED', 1),
    ('ed25519 a_Bad %s\n' % SECRET[:30], 'synapse', 'KEYFILE_SEED_LENGTH', 1),
    ('ed25519 a_Bad %sAAAA\n' % SECRET, 'synapse', 'KEYFILE_SEED_LENGTH', 1),
    (FILE_LINE + '%s ed25519 a_Bad\n' % SECRET, 'synapse', 'KEYFILE_UNSUPPORTED_ALGORITHM', 2),
    ('ed25519 %s a_Bad\n' % SECRET, 'synapse', 'KEYFILE_BAD_VERSION', 1),
    ('ed25519 a_Bad %s extra\n' % SECRET, 'synapse', 'KEYFILE_MALFORMED_LINE', 1),
    ('ed25519 %s\n' % SECRET, 'synapse', 'KEYFILE_TRUNCATED_LINE', 1),
    ('%s\n' % SECRET, 'synapse', 'KEYFILE_TRUNCATED_LINE', 1),
    (FILE_LINE + 'ed25519 a_Bad %s\xe9\n' % SECRET, 'synapse', 'KEYFILE_NOT_TEXT', 2),
    ('ed25519 a_Bad %s\n\n' % SECRET, 'synapse', 'KEYFILE_BLANK_LINE', 2),
    ('ed25519 a_Bad %s\ned25519 a_Bad %s\n' % (SECRET, FILE_SEED), 'synapse', 'KEYFILE_DUPLICATE_VERSION', 2),
    (_dendrite_pem(), 'synapse', 'KEYFILE_WRONG_FORMAT', None),
    ('ed25519 a_Bad %s\n' % SECRET, 'dendrite', 'KEYFILE_WRONG_FORMAT', None),
    (_dendrite_pem(begin='%s KEY' % SECRET_UPPER), 'dendrite', 'KEYFILE_PEM_MALFORMED', 1),
    (_dendrite_pem(begin='PRIVATE KEY'), 'dendrite', 'KEYFILE_PEM_MALFORMED', 1),
    ('%s\n' % SECRET + _dendrite_pem(), 'dendrite', 'KEYFILE_PEM_MALFORMED', 1),
    (_dendrite_pem() + 'trailing %s\n' % SECRET, 'dendrite', 'KEYFILE_PEM_MALFORMED', 6),
    (_dendrite_pem(key_id='ed25519:%s' % SECRET), 'dendrite', 'KEYFILE_BAD_VERSION', 2),
    (_dendrite_pem(key_id='%s:a_Bad' % SECRET), 'dendrite', 'KEYFILE_UNSUPPORTED_ALGORITHM', 2),
    (_dendrite_pem(headers='Key-ID: ed25519:a_Bad\n%s: x\n' % SECRET_ALNUM), 'dendrite', 'KEYFILE_PEM_HEADERS', 3),
    (_dendrite_pem(headers='%s: x\n' % SECRET_ALNUM), 'dendrite', 'KEYFILE_PEM_HEADERS', 2),
    (_dendrite_pem(body=SECRET + '!'), 'dendrite', 'KEYFILE_PEM_MALFORMED', 4),
    (_dendrite_pem(body=SECRET), 'dendrite', 'KEYFILE_PEM_MALFORMED', 4),
    (_dendrite_pem(body=base64.b64encode(SECRET_BYTES[:31]).decode('ascii')), 'dendrite', 'KEYFILE_SEED_LENGTH', 4),
    (_dendrite_pem()[:80], 'dendrite', 'KEYFILE_PEM_MALFORMED', None),
]


@pytest.mark.parametrize('text, key_format, code, line', BROKEN_KEY_FILES)
def test_broken_key_file_errors_never_quote_the_key(tmp_path, text, key_format, code, line):
    path = tmp_path / 'k.key'
    path.write_bytes(text.encode('latin-1'))
    for args in ({}, {'state': 'rotated', 'rotate': True, 'old_keys_path': str(tmp_path / 'old.yaml')}):
        for check in (False, True):
            result, stdout, stderr = run_module(dict(args, path=str(path), format=key_format), check=check, diff=True)
            assert result['failed'] is True and result['code'] == code, result
            assert str(path) in result['msg']
            if line is not None:
                assert ' line %d' % line in result['msg'], result['msg']
            _assert_secret_absent(stdout + stderr)
    assert path.read_bytes() == text.encode('latin-1')
    assert os.listdir(str(tmp_path)) == ['k.key']


@pytest.mark.parametrize('text, key_format, code, line', BROKEN_KEY_FILES)
def test_broken_content_errors_never_quote_the_key(tmp_path, text, key_format, code, line):
    path = tmp_path / 'k.key'
    result, stdout, stderr = run_module({'path': str(path), 'format': key_format, 'content': text}, diff=True)
    assert result['failed'] is True and result['code'] == code, result
    assert 'content' in result['msg']
    if line is not None:
        assert ' line %d' % line in result['msg'], result['msg']
    _assert_secret_absent(stdout + stderr)
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('private_key, code', [
    (SECRET[:42] + '!', 'KEYFILE_BAD_SEED'),
    (SECRET[:30], 'KEYFILE_SEED_LENGTH'),
    (SECRET + 'AAAA', 'KEYFILE_SEED_LENGTH'),
    (SECRET.replace('+', '-').replace('/', '_'), 'KEYFILE_BAD_SEED'),
    ('%s %s' % (SECRET[:20], SECRET[20:]), 'KEYFILE_BAD_SEED'),
])
def test_broken_private_key_errors_never_quote_it(tmp_path, private_key, code):
    path = tmp_path / 'k.key'
    result, stdout, stderr = run_module({'path': str(path), 'private_key': private_key, 'version': 'a_Bad'}, diff=True)
    assert result['failed'] is True and result['code'] == code and 'private_key' in result['msg'], result
    _assert_secret_absent(stdout + stderr)
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('text', [
    'old_signing_keys: {"ed25519:a_x": {key: %s, expired_ts: [}\n' % SECRET,
    'old_signing_keys:\n  "%s": {key: "x", expired_ts: 1}\n' % SECRET,
    'old_signing_keys:\n  "ed25519:a_x": {key: "%s%s", expired_ts: 1}\n' % (SECRET, SECRET),
    'ed25519 a_Bad %s\n' % SECRET,
])
def test_broken_old_keys_record_errors_never_quote_it(tmp_path, text):
    # old_keys_path pointed at the key file by mistake, or a record someone edited by hand.
    path = tmp_path / 'k.key'
    _write(path, FILE_LINE)
    fragment = tmp_path / 'old.yaml'
    _write(fragment, text)
    result, stdout, stderr = run_module({'path': str(path), 'state': 'rotated', 'rotate': True,
                                         'old_keys_path': str(fragment)}, diff=True)
    assert result['failed'] is True and result['code'] == 'OLD_KEYS_MALFORMED', result
    assert str(fragment) in result['msg']
    _assert_secret_absent(stdout + stderr)
    assert _read(path) == FILE_LINE and _read(fragment) == text


# ------------------------------------------------ concurrent runs

# Each child imports everything first, says it is ready and waits for the start signal, so that the
# 20 runs of the module really overlap instead of being spread out by interpreter start-up.
_GATED_RUN = '''
import os, runpy, sys, time
import ansible.module_utils.basic
import ansible_collections.matrix.federation.plugins.module_utils._federation.keyplan
ready, go = sys.argv[1], sys.argv[2]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
sys.argv = [sys.argv[0]]
runpy.run_module(%r, run_name="__main__", alter_sys=True)
''' % MODULE


def _run_concurrently(tmp_path, args_list):
    """Run the module once per entry of ``args_list``, all at the same moment; return the results."""
    gate = tmp_path / 'gate'
    gate.mkdir()
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    procs = []
    for number, args in enumerate(args_list):
        args_file = gate / ('args-%d.json' % number)
        args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        with open(str(args_file)) as stdin:
            procs.append(subprocess.Popen(
                [sys.executable, '-c', _GATED_RUN, str(gate / ('ready-%d' % number)), str(gate / 'go')],
                stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    deadline = time.time() + 120
    while len([name for name in os.listdir(str(gate)) if name.startswith('ready-')]) < len(procs):
        assert time.time() < deadline, 'the module processes did not start'
        time.sleep(0.01)
    (gate / 'go').write_text('')
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=180)
        assert 'Traceback' not in stdout + stderr, stdout + stderr
        results.append(json.loads(stdout))
    return results


def test_concurrent_creation_leaves_one_key(tmp_path):
    keys = tmp_path / 'keys'
    keys.mkdir()
    path = keys / 'example.test.signing.key'
    results = _run_concurrently(tmp_path, [{'path': str(path)}] * 20)
    assert [result.get('failed', False) for result in results] == [False] * 20, results
    key_ids = set(result['key_id'] for result in results)
    assert len(key_ids) == 1, 'the 20 runs report %d different keys' % len(key_ids)
    assert sorted(result['action'] for result in results) == ['create'] + ['none'] * 19
    assert [result['changed'] for result in results].count(True) == 1
    lines = _read(path).splitlines()
    assert len(lines) == 1 and 'ed25519:' + lines[0].split()[1] == key_ids.pop()
    assert set(result['public_key'] for result in results) == {signing.public_key_from_seed(
        signing.decode_base64(lines[0].split()[2]))}
    assert os.listdir(str(keys)) == [path.name]  # no temp file, no lock file


def test_concurrent_rotations_keep_every_retired_key(tmp_path):
    keys = tmp_path / 'keys'
    keys.mkdir()
    path = keys / 'k.key'
    fragment = keys / 'old_signing_keys.yaml'
    _write(path, FILE_LINE)
    args = {'path': str(path), 'state': 'rotated', 'rotate': True, 'old_keys_path': str(fragment)}
    results = _run_concurrently(tmp_path, [args] * 8)
    assert [result.get('failed', False) for result in results] == [False] * 8, results
    new_ids = [result['key_id'] for result in results]
    assert len(set(new_ids)) == 8
    active = 'ed25519:' + _read(path).split()[1]
    retired = yaml.safe_load(_read(fragment))['old_signing_keys']
    # Every key that was ever active is either the active one or on record: none was lost.
    assert set(retired) == set(['ed25519:a_File'] + new_ids) - {active}
    assert sorted(list(retired) + [active]) == sorted(['ed25519:a_File'] + new_ids)
    # Each run retired exactly the key the previous one made.
    assert sorted(list(result['old_signing_keys'])[0] for result in results) == sorted(retired)
    assert sorted(os.listdir(str(keys))) == sorted([path.name, fragment.name])


# ------------------------------------------------ symlinks

def test_symlinked_key_path_refused(tmp_path):
    real = tmp_path / 'real.key'
    link = tmp_path / 'link.key'
    _write(real, FILE_LINE)
    os.symlink(str(real), str(link))
    before = os.stat(str(real))
    for args in ({}, {'state': 'rotated', 'rotate': True}, {'content': 'ed25519 a_New %s\n' % SECRET},
                 {'mode': '0640'}):
        for check in (True, False):
            result, dummy, dummy = run_module(dict(args, path=str(link)), check=check, diff=True)
            assert result['failed'] is True and result['code'] == 'KEYFILE_SYMLINK', result
            assert str(link) in result['msg'] and str(real) in result['msg'] and 'path' in result['msg']
    assert os.path.islink(str(link)) and _read(real) == FILE_LINE
    after = os.stat(str(real))
    assert (after.st_ino, after.st_mtime_ns, after.st_mode) == (before.st_ino, before.st_mtime_ns, before.st_mode)
    assert sorted(os.listdir(str(tmp_path))) == ['link.key', 'real.key']


def test_dangling_symlink_key_path_refused(tmp_path):
    link = tmp_path / 'link.key'
    os.symlink(str(tmp_path / 'nowhere.key'), str(link))
    for check in (True, False):
        result, dummy, dummy = run_module({'path': str(link)}, check=check)
        assert result['failed'] is True and result['code'] == 'KEYFILE_SYMLINK', result
    assert sorted(os.listdir(str(tmp_path))) == ['link.key']


def test_symlinked_old_keys_path_refused(tmp_path):
    path = tmp_path / 'k.key'
    _write(path, FILE_LINE)
    real = tmp_path / 'real-old.yaml'
    _write(real, 'old_signing_keys: {}\n')
    link = tmp_path / 'old.yaml'
    os.symlink(str(real), str(link))
    for check in (True, False):
        result, dummy, dummy = run_module({'path': str(path), 'state': 'rotated', 'rotate': True,
                                           'old_keys_path': str(link)}, check=check)
        assert result['failed'] is True and result['code'] == 'OLD_KEYS_SYMLINK', result
        assert str(link) in result['msg'] and 'old_keys_path' in result['msg']
    assert _read(path) == FILE_LINE and _read(real) == 'old_signing_keys: {}\n' and os.path.islink(str(link))
    assert sorted(os.listdir(str(tmp_path))) == ['k.key', 'old.yaml', 'real-old.yaml']


def test_key_in_a_symlinked_directory_is_fine(tmp_path):
    # Only the file itself must not be a link: /etc/matrix-synapse -> /srv/... is common and harmless.
    (tmp_path / 'real').mkdir()
    os.symlink(str(tmp_path / 'real'), str(tmp_path / 'conf'))
    result, dummy, dummy = run_module({'path': str(tmp_path / 'conf' / 'k.key')})
    assert result['changed'] is True and result['action'] == 'create'
    assert os.listdir(str(tmp_path / 'real')) == ['k.key']


# ------------------------------------------------ ownership and mode of existing files

def test_existing_file_keeps_owner_group_and_mode(tmp_path):
    # As the Debian package ships it: matrix-synapse:matrix-synapse with its own mode.
    path = tmp_path / 'k.key'
    fragment = tmp_path / 'old.yaml'
    _write(path, FILE_LINE)
    os.chown(str(path), 4321, 5432)
    os.chmod(str(path), 0o640)
    _write(fragment, 'old_signing_keys: {}\n')
    os.chown(str(fragment), 4321, 5432)
    os.chmod(str(fragment), 0o644)

    def attrs(target):
        info = os.stat(str(target))
        return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)

    for check in (True, False):
        result, dummy, dummy = run_module({'path': str(path), 'old_keys_path': str(fragment)}, check=check, diff=True)
        assert result['changed'] is False and result['diff'] == [], result
    assert attrs(path) == (4321, 5432, 0o640) and attrs(fragment) == (4321, 5432, 0o644)

    rotated, dummy, dummy = run_module({'path': str(path), 'state': 'rotated', 'rotate': True,
                                        'old_keys_path': str(fragment), 'backup': True})
    assert rotated['action'] == 'rotate'
    assert attrs(path) == (4321, 5432, 0o640) and attrs(fragment) == (4321, 5432, 0o644)
    assert _mode(rotated['backup_file']) == 0o600

    restored, dummy, dummy = run_module({'path': str(path), 'content': FILE_LINE})
    assert restored['action'] == 'restore' and _read(path) == FILE_LINE
    assert attrs(path) == (4321, 5432, 0o640)


def test_new_file_is_0600_and_explicit_attributes_apply(tmp_path):
    path = tmp_path / 'k.key'
    result, dummy, dummy = run_module({'path': str(path)})
    assert result['changed'] is True and _mode(path) == 0o600
    assert (os.stat(str(path)).st_uid, os.stat(str(path)).st_gid) == (os.getuid(), os.getgid())
    result, dummy, dummy = run_module({'path': str(path), 'mode': '0640', 'owner': '4321', 'group': '5432'},
                                      diff=True)
    assert result['changed'] is True and result['action'] == 'none' and _mode(path) == 0o640
    assert (os.stat(str(path)).st_uid, os.stat(str(path)).st_gid) == (4321, 5432)
    assert any(d['after'].get('mode') == '0640' for d in result['diff'] if isinstance(d.get('after'), dict))
    # Later runs without owner, group or mode leave them alone.
    result, dummy, dummy = run_module({'path': str(path)}, diff=True)
    assert result['changed'] is False and _mode(path) == 0o640
    assert (os.stat(str(path)).st_uid, os.stat(str(path)).st_gid) == (4321, 5432)
    result, dummy, dummy = run_module({'path': str(path), 'mode': '0640'})
    assert result['changed'] is False


# ------------------------------------------------ read-only and full file systems

# Runs in a private mount namespace (unshare -m): sets up the mounts and files the test asks for,
# runs the module, and reports its output with a snapshot of the directory before and after.
_MOUNT_DRIVER = r'''
import errno, hashlib, json, os, subprocess, sys
spec = json.load(sys.stdin)
directory = spec["directory"]

def snapshot():
    entries = {}
    for name in sorted(os.listdir(directory)):
        full = os.path.join(directory, name)
        info = os.lstat(full)
        with open(full, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        entries[name] = [info.st_ino, info.st_mode, info.st_uid, info.st_gid, info.st_mtime_ns, digest]
    return entries

for step in spec["steps"]:
    if "run" in step:
        subprocess.run(step["run"], check=True)
    if "write" in step:
        for name, text in step["write"].items():
            with open(os.path.join(directory, name), "w") as handle:
                handle.write(text)
            os.chmod(os.path.join(directory, name), 0o600)
    if step.get("fill"):
        with open(os.path.join(directory, "filler"), "wb", buffering=0) as handle:
            for size in (65536, 4096, 512, 1):
                try:
                    while True:
                        handle.write(b"x" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC, exc
runs = []
for args in spec["runs"]:
    before = snapshot()
    proc = subprocess.run(spec["module"], input=json.dumps({"ANSIBLE_MODULE_ARGS": args}),
                          capture_output=True, text=True)
    runs.append({"stdout": proc.stdout, "stderr": proc.stderr, "before": before, "after": snapshot()})
print(json.dumps(runs))
'''


def _mount_namespace_ok():
    if os.geteuid() != 0:
        return 'needs root for mount namespaces (unshare -m)'
    if not shutil.which('unshare'):
        return 'unshare (util-linux) is not installed'
    probe = subprocess.run(['unshare', '-m', 'mount', '-t', 'tmpfs', 'tmpfs', '/mnt'], capture_output=True, check=False)
    if probe.returncode != 0:
        return 'cannot mount in a private mount namespace here: %s' % probe.stderr.decode('utf-8', 'replace')
    return None


needs_mounts = pytest.mark.skipif(_mount_namespace_ok() is not None, reason=str(_mount_namespace_ok()))


def _run_in_mounts(directory, steps, runs):
    """Run the module once per ``runs`` entry inside a private mount namespace prepared by ``steps``."""
    spec = {'directory': str(directory), 'steps': steps, 'runs': runs,
            'module': [sys.executable, '-m', MODULE]}
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.run(['unshare', '-m', sys.executable, '-c', _MOUNT_DRIVER], input=json.dumps(spec),
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(proc.stdout)
    for outcome in outcomes:
        assert 'Traceback' not in outcome['stdout'] + outcome['stderr'], outcome
        outcome['result'] = json.loads(outcome['stdout'])
    return outcomes


def _check(args):
    return dict(args, _ansible_check_mode=True)


@needs_mounts
def test_read_only_directory_fails_with_code_and_changes_nothing(tmp_path):
    keys = tmp_path / 'keys'
    keys.mkdir()
    missing = str(keys / 'new.key')
    path = str(keys / 'k.key')
    fragment = str(keys / 'old.yaml')
    rotate = {'path': path, 'state': 'rotated', 'rotate': True, 'old_keys_path': fragment, 'backup': True}
    runs = [
        {'path': missing}, _check({'path': missing}),
        rotate, _check(rotate),
        {'path': path, 'content': 'ed25519 a_New %s\n' % SECRET},
        {'path': path, 'mode': '0640'}, _check({'path': path, 'mode': '0640'}),
        {'path': path},
    ]
    outcomes = _run_in_mounts(keys, [
        {'write': {'k.key': FILE_LINE}},
        {'run': ['mount', '--bind', str(keys), str(keys)]},
        {'run': ['mount', '-o', 'remount,bind,ro', str(keys)]},
    ], runs)
    for args, outcome in zip(runs[:-1], outcomes[:-1]):
        result = outcome['result']
        assert result.get('failed') is True and result['code'] == 'FILE_READ_ONLY', (args, result)
        assert 'read-only' in result['msg'] and str(keys) in result['msg']
        assert outcome['after'] == outcome['before']
        _assert_secret_absent(outcome['stdout'] + outcome['stderr'])
    # Nothing to change on a read-only file system is not an error: a live server may mount /etc read-only.
    last = outcomes[-1]['result']
    assert last.get('failed') is not True and last['changed'] is False and last['key_id'] == 'ed25519:a_File'


@needs_mounts
@pytest.mark.parametrize('tmpfs_options, files', [
    # Space for the files, none for a temp file's content.
    ('size=16k', {'k.key': FILE_LINE, 'old.yaml': 'old_signing_keys: {}\n'}),
    # Not even an inode left for a temp file.
    ('size=1m,nr_inodes=4', {'k.key': FILE_LINE, 'old.yaml': 'old_signing_keys: {}\n'}),
])
def test_full_disk_fails_with_code_and_changes_nothing(tmp_path, tmpfs_options, files):
    keys = tmp_path / 'keys'
    keys.mkdir()
    path = str(keys / 'k.key')
    fragment = str(keys / 'old.yaml')
    runs = [
        {'path': str(keys / 'new.key')},
        {'path': path, 'state': 'rotated', 'rotate': True, 'old_keys_path': fragment},
        {'path': path, 'state': 'rotated', 'rotate': True, 'old_keys_path': fragment, 'backup': True},
        {'path': path, 'private_key': SECRET, 'version': 'a_New', 'backup': True},
    ]
    outcomes = _run_in_mounts(keys, [
        {'run': ['mount', '-t', 'tmpfs', '-o', tmpfs_options + ',mode=0755', 'tmpfs', str(keys)]},
        {'write': files},
        {'fill': True},
    ], runs)
    for args, outcome in zip(runs, outcomes):
        result = outcome['result']
        assert result.get('failed') is True and result['code'] == 'FILE_NO_SPACE', (args, result)
        assert 'no space' in result['msg']
        assert outcome['after'] == outcome['before'], args
        _assert_secret_absent(outcome['stdout'] + outcome['stderr'])
