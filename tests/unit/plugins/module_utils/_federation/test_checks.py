# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pure checks of one connection: keys and certificates, without the network."""

import json
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.checks import (
    describe_certificate,
    evaluate_certificates,
    evaluate_media_route,
    evaluate_server_keys,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.hostile_certs import (
    duplicate_extension_certificate,
)
from ansible_collections.matrix.federation.tests.unit.servers.lab import TestCA as LabCA

SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'


def _signed_keys(name='example.org', valid_for=86400000):
    key = signing.signing_key_from_seed(signing.decode_base64(SPEC_SEED))
    body = {'server_name': name, 'valid_until_ts': int(time.time() * 1000) + valid_for,
            'verify_keys': {'ed25519:1': {'key': SPEC_PUBLIC}}, 'old_verify_keys': {}}
    return signing.sign_json(body, name, 'ed25519:1', key)


def test_keys_with_spec_vector_pass_every_check():
    result = evaluate_server_keys(_signed_keys(), 'example.org', int(time.time() * 1000))
    assert result['errors'] == [] and result['warnings'] == []
    assert result['checks']['ed25519_checks'] == {'ed25519:1': {'valid_ed25519': True, 'matching_signature': True}}
    assert all(result['checks'][k] for k in ('matching_server_name', 'future_valid_until_ts', 'has_ed25519_key',
                                             'all_ed25519_checks_ok'))
    assert result['verify_keys'] == {'ed25519:1': SPEC_PUBLIC}


def test_tampered_keys_fail_signature():
    keys = _signed_keys()
    keys['valid_until_ts'] += 1
    result = evaluate_server_keys(keys, 'example.org', int(time.time() * 1000))
    assert [e['code'] for e in result['errors']] == ['KEYS_SIGNATURE_INVALID']
    assert not result['checks']['all_ed25519_checks_ok']


def test_not_an_object():
    result = evaluate_server_keys(['x'], 'example.org', 0)
    assert [e['code'] for e in result['errors']] == ['KEYS_INVALID_JSON']


def test_certificate_mismatch_message_for_srv_target():
    certs = [{'dns_names': ['hs.example.org'], 'ip_addresses': [], 'not_after': '2030-01-01T00:00:00Z',
              'days_until_expiry': 1000}]
    result = evaluate_certificates(certs, "Hostname mismatch, certificate is not valid for 'example.org'.",
                                   'example.org', 'example.org', srv_target='hs.example.org')
    assert not result['valid']
    assert result['errors'][0]['code'] == 'CERT_NAME_MISMATCH'
    assert 'not only the SRV target (hs.example.org)' in result['errors'][0]['message']


def test_certificate_expiring_warning_only_when_valid():
    certs = [{'dns_names': ['a'], 'ip_addresses': [], 'not_after': 'x', 'days_until_expiry': 3.0}]
    assert [w['code'] for w in evaluate_certificates(certs, None, 'a', 'a')['warnings']] == ['CERT_EXPIRING_SOON']
    assert evaluate_certificates(certs, None, 'a', 'a', cert_expiry_warn_days=2)['warnings'] == []


def test_certificate_whose_extensions_cannot_be_parsed_is_described_and_refused(tmp_path):
    leaf, dummy = duplicate_extension_certificate(LabCA(str(tmp_path)), 'dup.example.org')
    described = describe_certificate(leaf)
    assert described['subject'] == 'CN=dup.example.org' and described['dns_names'] == []
    assert len(described['sha256_fingerprint']) == 64 and described['days_until_expiry'] > 29
    assert 'extensions' in described['parse_error'] and 'Duplicate 2.5.29.17' in described['parse_error']
    result = evaluate_certificates([described], None, 'dup.example.org', 'dup.example.org')
    assert not result['valid'] and [e['code'] for e in result['errors']] == ['CERT_UNPARSABLE']
    assert 'reissue' in result['errors'][0]['message']


def test_a_parsable_certificate_has_no_parse_error(tmp_path):
    ca = LabCA(str(tmp_path))
    assert 'parse_error' not in describe_certificate(ca.cert)


def _errcode(status, errcode):
    return status, json.dumps({'errcode': errcode, 'error': 'x'}).encode()


@pytest.mark.parametrize('answer, verdict, warning', [
    (_errcode(401, 'M_UNAUTHORIZED'), 'homeserver', None),
    (_errcode(401, 'M_MISSING_TOKEN'), 'homeserver', None),
    (_errcode(403, 'M_FORBIDDEN'), 'homeserver', None),
    # A homeserver that looks the media up before asking for authorization still answered.
    (_errcode(404, 'M_NOT_FOUND'), 'homeserver', None),
    (_errcode(404, 'M_UNRECOGNIZED'), 'unsupported', 'MEDIA_FEDERATION_UNSUPPORTED'),
    (_errcode(400, 'M_UNRECOGNIZED'), 'unsupported', 'MEDIA_FEDERATION_UNSUPPORTED'),
    ((404, b'<html><body>404 Not Found</body></html>'), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((404, b''), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((502, b''), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((302, b''), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    (_errcode(302, 'M_UNAUTHORIZED'), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((200, b'GIF89a'), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((401, b'{"error": "no errcode"}'), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((401, b'{"errcode": 5}'), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((401, b'\xff\xfe'), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    ((401, b'[' * 5000), 'not_homeserver', 'MEDIA_ROUTE_NOT_HOMESERVER'),
    # Dendrite 0.13.8 (seen in the federation lab): text/plain, its Go struct rather than a Matrix error, but the
    # homeserver asking for the federation signature: a proxy never asks for X-Matrix.
    ((401, b'{"Code":401,"JSON":{"message":"Missing \\"Authorization: X-Matrix ...\\" HTTP header"},"Headers":null}'),
     'homeserver', None),
    ((401, b'X-Matrix authorization required'), 'homeserver', None),
])
def test_media_route_verdicts(answer, verdict, warning):
    status, body = answer
    result, found = evaluate_media_route(status, body)
    assert result['verdict'] == verdict and result['status'] == status
    assert (found['code'] if found else None) == warning
    if warning == 'MEDIA_ROUTE_NOT_HOMESERVER':
        assert 'reverse proxy' in found['message'] and '/_matrix/federation/v1/media/' in found['message']


def test_media_route_without_an_answer():
    result, found = evaluate_media_route(None, b'', FederationError('HTTP_TIMEOUT', 'slow'))
    assert result == {'status': None, 'errcode': None, 'verdict': 'no_answer'} and found is None
    result, found = evaluate_media_route(None, b'', FederationError('RESPONSE_TOO_LARGE', 'big'))
    assert result['verdict'] == 'not_homeserver' and found['code'] == 'MEDIA_ROUTE_NOT_HOMESERVER'
