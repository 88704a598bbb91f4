# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_signed_request as a real subprocess against a loopback peer that verifies the signatures."""

import base64
import json

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.keyformat import SigningKey, serialize_keys
from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module
from ansible_collections.matrix.federation.tests.unit.servers.signed_peer import signed_lab  # noqa: F401 pylint: disable=unused-import

RESULT_KEYS = {'federation_ok', 'origin', 'key_id', 'peers', 'errors', 'federation_warnings', 'duration_ms'}
PEER_KEYS = {'accepted', 'address', 'resolution', 'requests', 'errors', 'federation_warnings', 'duration_ms'}


def _key_file(tmp_path, seed, version='a_lab', key_format='synapse', name='signing.key'):
    path = tmp_path / name
    path.write_text(serialize_keys([SigningKey('ed25519', version, seed)], key_format))
    return str(path)


def _args(lab, key_path, peers, **extra):
    args = {'server_name': lab.good_origin, 'signing_key_path': key_path, 'peers': peers,
            'nameservers': lab.nameservers, 'ca_path': lab.ca_path, 'timeout': 4}
    args.update(extra)
    return args


def _secrets(seed):
    """Every way the seed could leak: unpadded, padded and URL-safe base64, and hex."""
    return {signing.encode_base64(seed), base64.b64encode(seed).decode(), base64.urlsafe_b64encode(seed).decode().rstrip('='),
            seed.hex()}


def _assert_no_secret(result, stderr, seed):
    text = json.dumps(result) + stderr
    for secret in _secrets(seed):
        assert secret not in text


def test_accepted(signed_lab, tmp_path):
    seed = signed_lab.good_identity.seed
    result, rc, stderr = run_module('matrix_signed_request', _args(
        signed_lab, _key_file(tmp_path, seed), [signed_lab.ok_peer, signed_lab.second_peer]), tmp_path)
    assert rc == 0 and result['changed'] is False and not result.get('failed')
    assert RESULT_KEYS <= set(result) and result['federation_ok'] is True
    assert result['key_id'] == 'ed25519:a_lab' and result['origin'] == signed_lab.good_origin
    for name in (signed_lab.ok_peer, signed_lab.second_peer):
        peer = result['peers'][name]
        assert PEER_KEYS <= set(peer) and peer['accepted']
        assert set(peer['requests']) == {'directory', 'media'}
        assert {'status', 'errcode', 'error', 'accepted', 'duration_ms'} <= set(peer['requests']['directory'])
    _assert_no_secret(result, stderr, seed)


def test_check_mode_sends_the_same_requests(signed_lab, tmp_path):
    before = len(signed_lab.outcomes(signed_lab.second_peer))
    args = _args(signed_lab, _key_file(tmp_path, signed_lab.good_identity.seed), [signed_lab.second_peer],
                 requests=['directory'])
    args['_ansible_check_mode'] = True
    result, rc, dummy = run_module('matrix_signed_request', args, tmp_path)
    assert rc == 0 and result['federation_ok'] and result['changed'] is False
    assert set(result['peers'][signed_lab.second_peer]['requests']) == {'directory'}
    assert signed_lab.outcomes(signed_lab.second_peer)[before:] == [(signed_lab.good_origin, 'verified')]


def test_dendrite_key_file(signed_lab, tmp_path):
    path = _key_file(tmp_path, signed_lab.good_identity.seed, key_format='dendrite', name='matrix_key.pem')
    result, rc, dummy = run_module('matrix_signed_request', _args(
        signed_lab, path, [signed_lab.ok_peer], key_format='dendrite', key_id='ed25519:a_lab'), tmp_path)
    assert rc == 0 and result['federation_ok']


def test_wrong_signature_fails_with_the_peer_reason(signed_lab, tmp_path):
    seed = signing.generate_seed()
    result, rc, stderr = run_module('matrix_signed_request', _args(
        signed_lab, _key_file(tmp_path, seed), [signed_lab.ok_peer]), tmp_path)
    assert rc == 1 and result['failed'] and result['federation_ok'] is False
    assert signed_lab.ok_peer in result['msg'] and 'SIGNED_SIGNATURE_INVALID' in result['msg']
    assert 'Invalid signature for server %s' % signed_lab.good_origin in result['msg']
    assert RESULT_KEYS <= set(result)
    _assert_no_secret(result, stderr, seed)


def test_key_not_fetchable(signed_lab, tmp_path):
    result, rc, dummy = run_module('matrix_signed_request', _args(
        signed_lab, _key_file(tmp_path, signing.generate_seed()), [signed_lab.ok_peer],
        server_name=signed_lab.ghost_origin, requests=['directory']), tmp_path)
    assert rc == 1 and 'SIGNED_KEY_NOT_FETCHED' in result['msg'] and 'Failed to find any key to satisfy' in result['msg']
    assert [e['code'] for e in result['errors']] == ['SIGNED_KEY_NOT_FETCHED']


def test_forbidden_and_unreachable_without_failing(signed_lab, tmp_path):
    result, rc, dummy = run_module('matrix_signed_request', _args(
        signed_lab, _key_file(tmp_path, signed_lab.good_identity.seed),
        [signed_lab.deny_peer, signed_lab.closed_peer, signed_lab.ok_peer], fail_on_error=False, timeout=2), tmp_path)
    assert rc == 0 and not result.get('failed') and result['federation_ok'] is False
    assert {e['code'] for e in result['peers'][signed_lab.deny_peer]['errors']} == {'SIGNED_REQUEST_FORBIDDEN'}
    assert [e['code'] for e in result['peers'][signed_lab.closed_peer]['errors']] == ['SIGNED_PEER_UNREACHABLE']
    assert result['peers'][signed_lab.ok_peer]['accepted'] is True


def test_untrusted_certificate_gets_nothing(signed_lab, tmp_path):
    result, rc, dummy = run_module('matrix_signed_request', _args(
        signed_lab, _key_file(tmp_path, signed_lab.good_identity.seed), [signed_lab.rogue_peer]), tmp_path)
    assert rc == 1 and 'SIGNED_PEER_UNREACHABLE' in result['msg'] and 'TLS_CERT_INVALID' in result['msg']
    assert not any('Authorization' in r['headers'] for r in signed_lab.requests_to(signed_lab.rogue_peer))


def test_media_unsupported_is_a_warning(signed_lab, tmp_path):
    result, rc, dummy = run_module('matrix_signed_request', _args(
        signed_lab, _key_file(tmp_path, signed_lab.good_identity.seed), [signed_lab.nomedia_peer]), tmp_path)
    assert rc == 0 and result['federation_ok'] is True
    assert [w['code'] for w in result['federation_warnings']] == ['MEDIA_FEDERATION_UNSUPPORTED']
    texts = [w if isinstance(w, str) else w.get('msg') or w.get('event', {}).get('msg', '') for w in result['warnings']]
    assert any(t.startswith('MEDIA_FEDERATION_UNSUPPORTED: %s: ' % signed_lab.nomedia_peer) for t in texts), result['warnings']


@pytest.mark.parametrize('content,extra,words', [
    (None, {}, 'no such file'),
    ('garbage that is not a key\n', {}, 'KEYFILE_MALFORMED_LINE'),
    ('ed25519 a_lab\n', {}, 'KEYFILE_TRUNCATED_LINE'),
    ('ed25519 a_lab SEED\n', {'key_id': 'ed25519:absent'}, 'key_id ed25519:absent is not in the file'),
    ('ed25519 a_lab SEED\n', {'key_format': 'dendrite'}, 'KEYFILE_WRONG_FORMAT'),
    ('ed25519 a_lab SEEDSEED\n', {}, 'KEYFILE_SEED_LENGTH'),
])
def test_unusable_key_file_fails_without_key_material(signed_lab, tmp_path, content, extra, words):
    seed = signing.generate_seed()
    path = tmp_path / 'signing.key'
    if content is not None:
        path.write_text(content.replace('SEED', signing.encode_base64(seed)))
    result, rc, stderr = run_module('matrix_signed_request', _args(signed_lab, str(path), [signed_lab.ok_peer], **extra),
                                    tmp_path)
    assert rc == 1 and result['failed'] and result['code'] == 'SIGNING_KEY_UNUSABLE'
    assert words in result['msg'] and str(path) in result['msg']
    _assert_no_secret(result, stderr, seed)


@pytest.mark.parametrize('extra,words', [
    ({'peers': []}, 'peers'),
    ({'requests': ['profile']}, 'requests'),
    ({'timeout': 0}, 'timeout'),
    ({'nameservers': ['not-an-ip']}, 'not-an-ip'),
])
def test_bad_options_fail_cleanly(signed_lab, tmp_path, extra, words):
    args = _args(signed_lab, _key_file(tmp_path, signed_lab.good_identity.seed), [signed_lab.ok_peer])
    args.update(extra)
    result, rc, dummy = run_module('matrix_signed_request', args, tmp_path)
    assert rc == 1 and result['failed'] and words in result['msg']
