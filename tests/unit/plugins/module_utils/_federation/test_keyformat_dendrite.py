# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""keyformat.py: Dendrite's PEM signing key format.

fixtures/dendrite_generate_keys.pem was written by Dendrite v0.13.8's own
``generate-keys --private-key`` (test-only key). Its public key below was
computed with OpenSSL, not with this collection: the seed wrapped in a PKCS#8
DER prefix (302e020100300506032b657004220420) and ``openssl pkey -pubout``.
The Molecule scenario homeserver_dendrite proves the other direction: the
real ``dendrite`` loads and serves a key this module wrote.
"""


import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import keyformat
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.dendrite_key import (
    FIXTURE,
    FIXTURE_KEY_ID,
    FIXTURE_PUBLIC,
    SPEC_PUBLIC,
    SPEC_SEED,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.dendrite_key import fixture_bytes as _fixture_bytes


def _pem(key_id='ed25519:a_AbCd', body=None, headers=None):
    if body is None:
        body = 'xonUvdhPZysEcZ6/Ubf6MihmJxQeYz6kmy+ZDfgmShs='
    head = headers if headers is not None else 'Key-ID: %s\n' % key_id
    return '-----BEGIN MATRIX PRIVATE KEY-----\n%s\n%s\n-----END MATRIX PRIVATE KEY-----\n' % (head, body)


def test_key_from_generate_keys_is_parsed():
    keys = keyformat.parse_key_file(_fixture_bytes(), source=FIXTURE, key_format='dendrite')
    assert len(keys) == 1
    assert keys[0].key_id == FIXTURE_KEY_ID
    assert keys[0].public_key == FIXTURE_PUBLIC


def test_serialization_is_byte_identical_to_generate_keys():
    keys = keyformat.parse_key_file(_fixture_bytes(), key_format='dendrite')
    assert keyformat.serialize_keys(keys, 'dendrite').encode('ascii') == _fixture_bytes()


def test_spec_vector_round_trip():
    key = keyformat.key_from_seed(SPEC_SEED, 'a_Spec')
    text = keyformat.serialize_keys([key], 'dendrite')
    assert text.startswith('-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:a_Spec\n\n')
    parsed = keyformat.parse_key_file(text, key_format='dendrite')
    assert parsed == [key]
    assert parsed[0].public_key == SPEC_PUBLIC


@pytest.mark.parametrize('data', [None, b'', b'\n\n', '  \t\n'])
def test_empty_file_means_no_key(data):
    assert keyformat.parse_key_file(data, key_format='dendrite') == []


def test_surrounding_blank_lines_and_crlf_accepted():
    text = '\n' + _pem().replace('\n', '\r\n') + '\n'
    assert keyformat.parse_key_file(text, key_format='dendrite')[0].key_id == 'ed25519:a_AbCd'


@pytest.mark.parametrize('text, code', [
    (_pem().replace('-----END MATRIX PRIVATE KEY-----\n', ''), 'KEYFILE_PEM_MALFORMED'),
    (_pem()[:70], 'KEYFILE_PEM_MALFORMED'),
    (_pem(body='xonUvdhPZysEcZ6/Ubf6MihmJxQeYz6kmy+ZDf'), 'KEYFILE_PEM_MALFORMED'),
    (_pem(body='xonUvdhPZysEcZ6/Ubf6MihmJxQeYz6k'), 'KEYFILE_SEED_LENGTH'),
    (_pem(body=''), 'KEYFILE_SEED_LENGTH'),
    (_pem(body='A' * 64), 'KEYFILE_SEED_LENGTH'),
    (_pem(body='xonUvdhPZysEcZ6/Ubf6Mihm!xQeYz6kmy+ZDfgmShs='), 'KEYFILE_PEM_MALFORMED'),
    (_pem(headers=''), 'KEYFILE_PEM_HEADERS'),
    (_pem(headers='Key-ID: ed25519:a_A\nProc-Type: 4,ENCRYPTED\n'), 'KEYFILE_PEM_HEADERS'),
    (_pem(headers='Key-ID: ed25519:a_A\nKey-ID: ed25519:a_B\n'), 'KEYFILE_PEM_HEADERS'),
    (_pem(key_id='rsa:a_AbCd'), 'KEYFILE_UNSUPPORTED_ALGORITHM'),
    (_pem(key_id='ed25519:a-bad'), 'KEYFILE_BAD_VERSION'),
    (_pem(key_id='ed25519:'), 'KEYFILE_BAD_VERSION'),
    (_pem() + _pem(key_id='ed25519:a_Two'), 'KEYFILE_PEM_MALFORMED'),
    ('garbage\n' + _pem(), 'KEYFILE_PEM_MALFORMED'),
    (_pem() + 'trailing text\n', 'KEYFILE_PEM_MALFORMED'),
    (_pem().replace('MATRIX PRIVATE KEY', 'PRIVATE KEY'), 'KEYFILE_PEM_MALFORMED'),
    ('ed25519 a_AbCd %s\n' % SPEC_SEED, 'KEYFILE_WRONG_FORMAT'),
    (b'\xff\xfe-----BEGIN', 'KEYFILE_NOT_TEXT'),
])
def test_malformed_dendrite_files_refused(text, code):
    with pytest.raises(FederationError) as info:
        keyformat.parse_key_file(text, source='matrix_key.pem', key_format='dendrite')
    assert info.value.code == code
    assert 'xonUvdhPZysEcZ6' not in info.value.message
    assert SPEC_SEED[:20] not in info.value.message


def test_line_numbers_count_blank_lines_before_the_block():
    # Blank lines around the block are allowed, and errors still name the line as an editor shows it.
    with pytest.raises(FederationError) as info:
        keyformat.parse_key_file('\n\n' + _pem(key_id='ed25519:a-bad'), source='k.pem', key_format='dendrite')
    assert info.value.code == 'KEYFILE_BAD_VERSION' and 'k.pem line 4:' in info.value.message
    with pytest.raises(FederationError) as info:
        keyformat.parse_key_file('\r\n' + _pem(body='A' * 64), source='k.pem', key_format='dendrite')
    assert info.value.code == 'KEYFILE_SEED_LENGTH' and 'k.pem line 5:' in info.value.message


def test_other_pem_types_are_named_only_from_a_fixed_list():
    with pytest.raises(FederationError) as info:
        keyformat.parse_key_file(_pem().replace('MATRIX PRIVATE KEY', 'OPENSSH PRIVATE KEY'), key_format='dendrite')
    assert '"OPENSSH PRIVATE KEY" block' in info.value.message
    with pytest.raises(FederationError) as info:
        keyformat.parse_key_file(_pem().replace('MATRIX PRIVATE KEY', 'SOMETHING ELSE'), key_format='dendrite')
    assert 'SOMETHING' not in info.value.message and 'another kind of PEM block' in info.value.message


def test_pem_given_to_synapse_format_names_the_right_format():
    with pytest.raises(FederationError) as info:
        keyformat.parse_key_file(_fixture_bytes(), source='x', key_format='synapse')
    assert info.value.code == 'KEYFILE_WRONG_FORMAT'
    assert 'format=dendrite' in info.value.message


def test_unknown_format_refused():
    with pytest.raises(FederationError) as info:
        keyformat.parse_key_file('', key_format='conduit')
    assert info.value.code == 'BAD_KEY_FORMAT'


def test_more_than_one_key_cannot_be_a_dendrite_file():
    keys = [keyformat.generate_key('a_One'), keyformat.generate_key('a_Two')]
    with pytest.raises(FederationError) as info:
        keyformat.serialize_keys(keys, 'dendrite')
    assert info.value.code == 'KEYFILE_DENDRITE_ONE_KEY'
