# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# Server-Server API appendix, "Signing JSON" test vectors.
SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'
SPEC_SIG_EMPTY = 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ'


def test_spec_vector_public_key():
    assert signing.public_key_from_seed(signing.decode_base64(SPEC_SEED)) == SPEC_PUBLIC


def test_spec_vector_signature_of_empty_object():
    key = signing.signing_key_from_seed(signing.decode_base64(SPEC_SEED))
    signed = signing.sign_json({}, 'domain', 'ed25519:1', key)
    assert signed == {'signatures': {'domain': {'ed25519:1': SPEC_SIG_EMPTY}}}
    signing.verify_signature(signed, 'domain', 'ed25519:1', SPEC_PUBLIC)


def test_spec_vector_signature_of_object_with_unsigned():
    key = signing.signing_key_from_seed(signing.decode_base64(SPEC_SEED))
    signed = signing.sign_json({'one': 1, 'two': 'Two', 'unsigned': {'x': 1}}, 'domain', 'ed25519:1', key)
    assert signed['signatures']['domain']['ed25519:1'] == (
        'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw')
    assert 'unsigned' not in signed


def test_tampered_object_fails_verification():
    key = signing.signing_key_from_seed(signing.decode_base64(SPEC_SEED))
    signed = signing.sign_json({'a': 1}, 'domain', 'ed25519:1', key)
    signed['a'] = 2
    with pytest.raises(FederationError) as err:
        signing.verify_signature(signed, 'domain', 'ed25519:1', SPEC_PUBLIC)
    assert err.value.code == 'SIGNATURE_INVALID'


def test_missing_signature_and_short_key():
    with pytest.raises(FederationError) as err:
        signing.verify_signature({}, 'domain', 'ed25519:1', SPEC_PUBLIC)
    assert err.value.code == 'SIGNATURE_MISSING'
    with pytest.raises(FederationError) as err:
        signing.verify_signature({'signatures': {'domain': {'ed25519:1': 'AAAA'}}}, 'domain', 'ed25519:1', 'AAAA')
    assert err.value.code == 'KEY_WRONG_LENGTH'


@pytest.mark.parametrize('value, expected', [
    ({}, b'{}'),
    ({'one': 1, 'two': 'Two'}, b'{"one":1,"two":"Two"}'),
    ({'b': '2', 'a': '1'}, b'{"a":"1","b":"2"}'),
    ({'a': '\u65e5\u672c\u8a9e'}, '{"a":"\u65e5\u672c\u8a9e"}'.encode('utf-8')),
    ({'a': None, 'b': [True, False]}, b'{"a":null,"b":[true,false]}'),
])
def test_canonical_json(value, expected):
    assert signing.encode_canonical_json(value) == expected


@pytest.mark.parametrize('value', [{'a': 1.5}, {'a': 2 ** 53}, {1: 'x'}])
def test_canonical_json_refuses_non_canonical_values(value):
    with pytest.raises(FederationError) as err:
        signing.encode_canonical_json(value)
    assert err.value.code == 'NON_CANONICAL_JSON'


def test_base64_round_trip_and_leniency():
    assert signing.encode_base64(b'\x00\x01') == 'AAE'
    assert signing.decode_base64('AAE') == b'\x00\x01'
    assert signing.decode_base64('AAE=') == b'\x00\x01'
    assert signing.decode_base64('-_8') == signing.decode_base64('+/8')
    with pytest.raises(FederationError):
        signing.decode_base64('A')
    with pytest.raises(FederationError):
        signing.decode_base64('!!!!')
