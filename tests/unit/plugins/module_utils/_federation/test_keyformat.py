# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""keyformat.py: the Synapse key file format, SigningKey, key generation and seeds."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import keyformat, keyplan, signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# Server-Server API appendix test vector.
SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'
SPEC_SIG_EMPTY = 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ'
SPEC_LINE = 'ed25519 1 %s\n' % SPEC_SEED
# The canonical re-encoding of the spec seed (its trailing bits are dropped).
SPEC_SEED_CANONICAL = signing.encode_base64(signing.decode_base64(SPEC_SEED))


def test_spec_vector_through_key_file():
    keys = keyformat.parse_key_file(SPEC_LINE.encode('ascii'))
    assert len(keys) == 1
    assert keys[0].key_id == 'ed25519:1'
    assert keys[0].public_key == SPEC_PUBLIC
    signed = signing.sign_json({}, 'domain', keys[0].key_id, signing.signing_key_from_seed(keys[0].seed))
    assert signed['signatures']['domain']['ed25519:1'] == SPEC_SIG_EMPTY
    export = keyplan.server_keys_export(keys, server_name='domain')
    assert export == {'server_name': 'domain', 'verify_keys': {'ed25519:1': {'key': SPEC_PUBLIC}}, 'old_verify_keys': {}}
    assert SPEC_SEED not in repr(keys[0])


def test_serialize_round_trip_is_synapse_format():
    keys = keyformat.parse_key_file(SPEC_LINE + 'ed25519 a_AbCd %s' % SPEC_SEED_CANONICAL.replace('Y', 'Z', 1))
    text = keyformat.serialize_keys(keys)
    assert text.splitlines()[0] == 'ed25519 1 %s' % SPEC_SEED_CANONICAL
    assert text.endswith('\n') and text.count('\n') == 2
    assert keyformat.parse_key_file(text) == keys


@pytest.mark.parametrize('data', [b'', b'\n', b'  \n\t\n', None])
def test_empty_file_means_no_key(data):
    assert keyformat.parse_key_file(data) == []


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
        keyformat.parse_key_file(text.encode('ascii') if isinstance(text, str) else text, source='k')
    assert err.value.code == code
    assert SPEC_SEED[:20] not in err.value.message
    assert 'k line' in err.value.message or code == 'KEYFILE_NOT_TEXT'


def test_lenient_about_padding_and_final_newline():
    keys = keyformat.parse_key_file('ed25519 1 %s=' % SPEC_SEED)
    assert keys[0].public_key == SPEC_PUBLIC
    assert keyformat.parse_key_file('ed25519 1 %s\r\n' % SPEC_SEED)[0].public_key == SPEC_PUBLIC


def test_generate_version_and_key():
    for dummy in range(50):
        version = keyformat.generate_version()
        assert len(version) == 6 and version.startswith('a_') and version[2:].isalpha()
    key = keyformat.generate_key()
    assert len(key.seed) == 32 and key.key_id.startswith('ed25519:a_')
    assert keyformat.generate_key('v2').key_id == 'ed25519:v2'
    with pytest.raises(FederationError) as err:
        keyformat.generate_key('bad version')
    assert err.value.code == 'KEY_BAD_VERSION'


def test_key_from_seed():
    key = keyformat.key_from_seed(' %s\n' % SPEC_SEED, 'a_AbCd')
    assert key.public_key == SPEC_PUBLIC and key.key_id == 'ed25519:a_AbCd'
    with pytest.raises(FederationError) as err:
        keyformat.key_from_seed(SPEC_SEED[:40], 'a_AbCd')
    assert err.value.code == 'KEYFILE_SEED_LENGTH'
    assert SPEC_SEED[:40] not in err.value.message
