# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""signed_request: the pure parts (key loading, the X-Matrix header, judging answers), then the network against
a verifying loopback peer."""

import inspect
import json
import os
import re

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signed_request, signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.catalogue import load_catalogue
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.keyformat import SigningKey, serialize_keys
from ansible_collections.matrix.federation.plugins.module_utils._federation.signed_request import (
    DIRECTORY_PATH, MEDIA_PATH, build_authorization, failure_message, judge_answer, load_signing_key, peer_reason,
    probe_uri, send_signed_requests, signing_json,
)
from ansible_collections.matrix.federation.tests.unit.servers.signed_peer import parse_x_matrix
from ansible_collections.matrix.federation.tests.unit.servers.signed_peer import signed_lab  # noqa: F401 pylint: disable=unused-import

SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_PUBLIC = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI'


def _spec_key(version='1'):
    return SigningKey('ed25519', version, signing.decode_base64(SPEC_SEED))


# -- the Authorization header ---------------------------------------------------------------------

def test_authorization_header_verifies_against_the_signed_json():
    private = signing.signing_key_from_seed(signing.decode_base64(SPEC_SEED))
    uri = '/_matrix/federation/v1/query/directory?room_alias=%23a%3Ab.org'
    header = build_authorization('GET', uri, 'origin.org', 'b.org', 'ed25519:1', private)
    assert header.startswith('X-Matrix origin="origin.org",destination="b.org",key="ed25519:1",sig="')
    fields = parse_x_matrix(header)
    assert '=' not in fields['sig']  # unpadded base64
    signed = dict(signing_json('GET', uri, 'origin.org', 'b.org'), signatures={'origin.org': {'ed25519:1': fields['sig']}})
    signing.verify_signature(signed, 'origin.org', 'ed25519:1', SPEC_PUBLIC)
    # The uri is part of what is signed: another query does not verify.
    signed['uri'] = uri + 'x'
    with pytest.raises(FederationError):
        signing.verify_signature(signed, 'origin.org', 'ed25519:1', SPEC_PUBLIC)


def test_signing_json_has_content_only_with_a_body():
    assert 'content' not in signing_json('GET', '/x', 'a', 'b')
    assert signing_json('PUT', '/x', 'a', 'b', {'k': 1})['content'] == {'k': 1}


def test_header_refuses_values_that_would_break_the_quoting():
    private = signing.signing_key_from_seed(signing.decode_base64(SPEC_SEED))
    with pytest.raises(FederationError) as err:
        build_authorization('GET', '/x', 'a"b', 'b.org', 'ed25519:1', private)
    assert err.value.code == 'INVALID_SERVER_NAME'


def test_probe_uris():
    uri = probe_uri('directory', 'peer.org:8448', token='abc')
    assert uri == DIRECTORY_PATH + '?room_alias=%23matrix-federation-check-abc%3Apeer.org%3A8448'
    assert probe_uri('media', 'peer.org', token='abc') == MEDIA_PATH + 'matrix-federation-check-abc'
    assert probe_uri('media', 'p') != probe_uri('media', 'p')  # random ids


# -- judging answers ------------------------------------------------------------------------------

def _body(errcode=None, error=None, **extra):
    value = dict(extra)
    if errcode:
        value['errcode'] = errcode
    if error:
        value['error'] = error
    return json.dumps(value).encode()


@pytest.mark.parametrize('kind,status,body,accepted,code', [
    ('directory', 200, _body(room_id='!r:x', servers=['x']), True, None),
    ('directory', 404, _body('M_NOT_FOUND', 'Room alias not found'), True, None),
    ('media', 404, _body('M_NOT_FOUND', 'Not found'), True, None),
    ('media', 404, _body('M_UNRECOGNIZED', 'Unrecognized request'), False, 'MEDIA_FEDERATION_UNSUPPORTED'),
    ('media', 400, _body('M_UNRECOGNIZED', 'Unrecognized request'), False, 'MEDIA_FEDERATION_UNSUPPORTED'),
    ('media', 404, b'<html>Not Found</html>', False, 'MEDIA_FEDERATION_UNSUPPORTED'),
    ('directory', 404, _body('M_UNRECOGNIZED', 'Unrecognized request'), False, 'SIGNED_UNEXPECTED_ANSWER'),
    ('directory', 404, b'<html>Not Found</html>', False, 'SIGNED_UNEXPECTED_ANSWER'),
    ('directory', 401, _body('M_UNAUTHORIZED', "Failed to find any key to satisfy: _FetchKeyRequest(server_name='o', "
                                               "minimum_valid_until_ts=1, key_ids=['ed25519:a'])"),
     False, 'SIGNED_KEY_NOT_FETCHED'),
    ('directory', 401, _body('M_UNAUTHORIZED', 'Invalid signature for server o with key ed25519:a: Unable to verify'),
     False, 'SIGNED_SIGNATURE_INVALID'),
    ('directory', 401, _body('M_UNAUTHORIZED', 'Missing Authorization headers'), False, 'SIGNED_REQUEST_REJECTED'),
    # Dendrite (gomatrixserverlib): {"message": ...}, no errcode, one wording for every verification failure.
    ('directory', 401, json.dumps({'message': 'Invalid request signature'}).encode(), False, 'SIGNED_REQUEST_REJECTED'),
    ('directory', 400, _body('M_UNAUTHORIZED', 'Malformed Authorization header'), False, 'SIGNED_REQUEST_REJECTED'),
    ('media', 403, _body('M_FORBIDDEN', 'Federation denied with o.'), False, 'SIGNED_REQUEST_FORBIDDEN'),
    ('directory', 403, b'<html>blocked by WAF</html>', False, 'SIGNED_REQUEST_FORBIDDEN'),
    ('directory', 502, b'Bad gateway', False, 'SIGNED_UNEXPECTED_ANSWER'),
    ('directory', 429, _body('M_LIMIT_EXCEEDED', 'Too many requests'), False, 'SIGNED_UNEXPECTED_ANSWER'),
])
def test_judge_answer(kind, status, body, accepted, code):
    judged = judge_answer(kind, status, body)
    assert judged['accepted'] is accepted
    assert (judged['finding'] or {}).get('code') == code
    if code == 'MEDIA_FEDERATION_UNSUPPORTED':
        assert judged['finding']['level'] == 'warning' and judged['supported'] is False
    elif code:
        assert judged['finding']['level'] == 'error'


def test_judge_quotes_the_peer_reason_cut_and_clean():
    judged = judge_answer('directory', 401, _body('M_UNAUTHORIZED', 'bad\r\nthing ' + 'x' * 1000))
    assert judged['error'].startswith('bad thing x') and len(judged['error']) <= 303
    assert '\n' not in judged['finding']['message'] and 'bad thing' in judged['finding']['message']


def test_peer_reason_of_odd_bodies():
    assert peer_reason(b'') == (None, None)
    assert peer_reason(b'[1, 2]') == (None, None)
    assert peer_reason(b'\xff\xfe') == (None, None)
    assert peer_reason(_body(errcode='M_X', error=5)) == ('M_X', None)


# -- the key file ---------------------------------------------------------------------------------

def test_load_first_key_and_by_id(tmp_path):
    path = tmp_path / 'hs.signing.key'
    second = SigningKey('ed25519', 'b', signing.generate_seed())
    path.write_text(serialize_keys([_spec_key('a'), second]))
    assert load_signing_key(str(path)).key_id == 'ed25519:a'
    assert load_signing_key(str(path), key_id='ed25519:b') == second
    assert load_signing_key(str(path), key_id='b') == second


def test_load_dendrite_key_through_a_link(tmp_path):
    path = tmp_path / 'matrix_key.pem'
    path.write_text(serialize_keys([_spec_key('auto')], 'dendrite'))
    link = tmp_path / 'link.pem'
    os.symlink(str(path), str(link))
    assert load_signing_key(str(link), 'dendrite').public_key == SPEC_PUBLIC


@pytest.mark.parametrize('content,key_id,words', [
    (None, None, 'no such file'),
    ('', None, 'holds no key'),
    ('ed25519 a ' + SPEC_SEED[:20] + '\n', None, 'KEYFILE_SEED_LENGTH'),
    ('ed25519 a ' + SPEC_SEED + ' extra\n', None, 'KEYFILE_MALFORMED_LINE'),
    ('ed25519 a ' + SPEC_SEED + '\n', 'ed25519:zz', 'key_id ed25519:zz is not in the file, which holds ed25519:a'),
    ('ed25519 a ' + SPEC_SEED + '\n', None, None),
])
def test_unusable_key_files_never_show_the_seed(tmp_path, content, key_id, words):
    path = tmp_path / 'key'
    if content is not None:
        path.write_text(content)
    if words is None:
        assert load_signing_key(str(path), key_id=key_id).public_key == SPEC_PUBLIC
        return
    with pytest.raises(FederationError) as err:
        load_signing_key(str(path), key_id=key_id)
    assert err.value.code == 'SIGNING_KEY_UNUSABLE' and words in err.value.message
    assert SPEC_SEED[:20] not in err.value.message and str(path) in err.value.message


def test_directory_and_wrong_format_are_unusable(tmp_path):
    with pytest.raises(FederationError) as err:
        load_signing_key(str(tmp_path))
    assert err.value.code == 'SIGNING_KEY_UNUSABLE' and 'FILE_IS_DIRECTORY' in err.value.message
    path = tmp_path / 'key'
    path.write_text('ed25519 a ' + SPEC_SEED + '\n')
    with pytest.raises(FederationError) as err:
        load_signing_key(str(path), 'dendrite')
    assert 'KEYFILE_WRONG_FORMAT' in err.value.message and SPEC_SEED not in err.value.message


# -- against the verifying loopback peer ----------------------------------------------------------

def _send(lab, peers, key=None, origin=None, **kwargs):
    identity = lab.good_identity
    key = key or SigningKey('ed25519', identity.key_id.split(':')[1], identity.seed)
    return send_signed_requests(origin or lab.good_origin, key, peers, nameservers=lab.nameservers,
                                ca_path=lab.ca_path, timeout=kwargs.pop('timeout', 4), **kwargs)


def test_accepted_by_a_verifying_peer(signed_lab):
    result = _send(signed_lab, [signed_lab.ok_peer, signed_lab.second_peer])
    assert result['federation_ok'] is True and result['errors'] == [] and result['federation_warnings'] == []
    assert result['key_id'] == 'ed25519:a_lab' and result['origin'] == signed_lab.good_origin
    peer = result['peers'][signed_lab.ok_peer]
    assert peer['accepted'] and peer['address'].endswith(':8448')
    assert peer['resolution'] == {'method': 'default', 'host_header': signed_lab.ok_peer, 'sni': signed_lab.ok_peer}
    assert peer['requests']['directory'] == dict(peer['requests']['directory'], status=404, errcode='M_NOT_FOUND',
                                                 accepted=True)
    assert peer['requests']['media']['accepted'] and peer['requests']['media']['supported'] is True
    assert (signed_lab.good_origin, 'verified') in signed_lab.outcomes(signed_lab.ok_peer)
    sent = [r for r in signed_lab.requests_to(signed_lab.ok_peer) if r['path'].startswith(DIRECTORY_PATH)][-1]
    assert sent['host'] == signed_lab.ok_peer and sent['headers']['Authorization'].startswith('X-Matrix ')


def test_wrong_key_is_an_invalid_signature(signed_lab):
    # Same key id as the one the origin publishes, another seed: the peer's verification fails.
    result = _send(signed_lab, [signed_lab.ok_peer], key=SigningKey('ed25519', 'a_lab', signing.generate_seed()))
    peer = result['peers'][signed_lab.ok_peer]
    assert not result['federation_ok'] and not peer['accepted']
    assert [e['code'] for e in peer['errors']] == ['SIGNED_SIGNATURE_INVALID'] * 2
    assert peer['requests']['directory']['status'] == 401
    assert peer['requests']['directory']['error'].startswith('Invalid signature for server')


def test_unknown_key_id_is_key_not_fetched(signed_lab):
    result = _send(signed_lab, [signed_lab.ok_peer], key=SigningKey('ed25519', 'other', signing.generate_seed()),
                   kinds=['directory'])
    assert [e['code'] for e in result['errors']] == ['SIGNED_KEY_NOT_FETCHED']
    assert result['errors'][0]['message'].startswith(signed_lab.ok_peer + ': directory request: ')
    assert 'Failed to find any key to satisfy' in result['errors'][0]['message']


def test_origin_whose_key_cannot_be_fetched(signed_lab):
    result = _send(signed_lab, [signed_lab.ok_peer], origin=signed_lab.ghost_origin, kinds=['directory'])
    assert [e['code'] for e in result['errors']] == ['SIGNED_KEY_NOT_FETCHED']
    assert (signed_lab.ghost_origin, 'no_key') in signed_lab.outcomes(signed_lab.ok_peer)


def test_forbidden(signed_lab):
    result = _send(signed_lab, [signed_lab.deny_peer])
    peer = result['peers'][signed_lab.deny_peer]
    assert {e['code'] for e in peer['errors']} == {'SIGNED_REQUEST_FORBIDDEN'}
    assert 'Federation denied with %s.' % signed_lab.good_origin in peer['errors'][0]['message']


def test_media_unsupported_is_a_warning(signed_lab):
    result = _send(signed_lab, [signed_lab.nomedia_peer, signed_lab.htmlmedia_peer])
    assert result['federation_ok'] is True and result['errors'] == []
    assert [w['code'] for w in result['federation_warnings']] == ['MEDIA_FEDERATION_UNSUPPORTED'] * 2
    assert result['federation_warnings'][0]['message'].startswith(signed_lab.nomedia_peer + ': media request: ')
    assert result['peers'][signed_lab.nomedia_peer]['requests']['media']['supported'] is False


def test_media_only_unsupported_proves_nothing(signed_lab):
    result = _send(signed_lab, [signed_lab.nomedia_peer], kinds=['media'])
    assert result['federation_ok'] is False and result['errors'] == []
    assert 'MEDIA_FEDERATION_UNSUPPORTED' in failure_message(result)


def test_closed_port_is_unreachable(signed_lab):
    result = _send(signed_lab, [signed_lab.closed_peer], timeout=2)
    peer = result['peers'][signed_lab.closed_peer]
    assert [e['code'] for e in peer['errors']] == ['SIGNED_PEER_UNREACHABLE']
    assert 'CONNECTION_REFUSED' in peer['errors'][0]['message'] and peer['address'] is None
    assert peer['requests']['directory']['status'] is None


def test_untrusted_certificate_is_never_sent_the_request(signed_lab):
    before = len(signed_lab.requests_to(signed_lab.rogue_peer))
    result = _send(signed_lab, [signed_lab.rogue_peer])
    peer = result['peers'][signed_lab.rogue_peer]
    assert [e['code'] for e in peer['errors']] == ['SIGNED_PEER_UNREACHABLE']
    assert 'TLS_CERT_INVALID' in peer['errors'][0]['message']
    assert len(signed_lab.requests_to(signed_lab.rogue_peer)) == before
    assert not any('Authorization' in r['headers'] for r in signed_lab.requests_to(signed_lab.rogue_peer))


def test_unresolvable_peer(signed_lab):
    result = _send(signed_lab, ['nowhere.signed.test'], timeout=2)
    assert [e['code'] for e in result['errors']] == ['SIGNED_PEER_UNREACHABLE']
    assert 'DNS_NO_ADDRESSES' in result['errors'][0]['message']


def test_failure_message_names_each_failing_peer(signed_lab):
    result = _send(signed_lab, [signed_lab.ok_peer, signed_lab.deny_peer, signed_lab.closed_peer], timeout=2)
    msg = failure_message(result)
    assert 'not accepted by 2 of 3 peers' in msg
    assert signed_lab.deny_peer + ' (SIGNED_REQUEST_FORBIDDEN' in msg and 'Federation denied with' in msg
    assert signed_lab.closed_peer + ' (SIGNED_PEER_UNREACHABLE' in msg
    assert signed_lab.ok_peer + ' (' not in msg


def test_no_request_kind_is_refused(signed_lab):
    with pytest.raises(FederationError) as err:
        _send(signed_lab, [signed_lab.ok_peer], kinds=[])
    assert err.value.code == 'BAD_OPTIONS'


def test_origin_must_be_a_server_name(signed_lab):
    with pytest.raises(FederationError) as err:
        _send(signed_lab, [signed_lab.ok_peer], origin='bad"name')
    assert err.value.code == 'INVALID_SERVER_NAME' and err.value.message.startswith('server_name: ')


def test_every_code_is_in_the_error_catalogue():
    catalogue = load_catalogue()
    codes = set(re.findall(r"'((?:SIGNED|SIGNING)_[A-Z_]+)'", inspect.getsource(signed_request)))
    assert len(codes) >= 7
    for code in codes | {'INTERNAL_ERROR', 'BAD_OPTIONS', 'INVALID_SERVER_NAME'}:
        assert code in catalogue, code
    section = [code for code, entry in catalogue.items() if entry['section'].startswith('Signed requests')]
    assert codes <= set(section)


def test_first_closed_address_fails_over_to_the_next(signed_lab):
    result = _send(signed_lab, [signed_lab.failover_peer])
    peer = result['peers'][signed_lab.failover_peer]
    assert result['federation_ok'] and peer['accepted']
    assert not peer['address'].startswith(signed_lab.failover_closed_ip + ':')


def test_a_stalled_peer_holds_up_no_other(signed_lab):
    result = _send(signed_lab, [signed_lab.slow_peer, signed_lab.ok_peer], timeout=1.5, kinds=['directory'])
    assert result['peers'][signed_lab.ok_peer]['accepted'] is True
    slow = result['peers'][signed_lab.slow_peer]
    assert [e['code'] for e in slow['errors']] == ['SIGNED_PEER_UNREACHABLE'] and 'TIMEOUT' in slow['errors'][0]['message']
    assert slow['address'] is not None and slow['requests']['directory']['status'] is None
    assert result['duration_ms'] < 3000
