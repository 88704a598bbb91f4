# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Notary consistency: the pure judging functions, then real loopback notaries (notary_site.Notary)."""

import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import notary, signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsResponse
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_test, run_federation_tests
from ansible_collections.matrix.federation.tests.unit.servers.lab import Reply, SigningIdentity, key_response
from ansible_collections.matrix.federation.tests.unit.servers.notary_site import origin_response

SERVER = 'hs.example:8448'
NOTARY = 'notary.example'
DAY = 86400000
SLACK = 1.5


def _codes(entries):
    return sorted(entry['code'] for entry in entries)


# --------------------------------------------------------------------------- pure

@pytest.fixture(scope='module')
def ids():
    return {'server': SigningIdentity('ed25519:cur'), 'other': SigningIdentity('ed25519:cur'),
            'old': SigningIdentity('ed25519:old'), 'notary': SigningIdentity('ed25519:n'),
            'previous': SigningIdentity('ed25519:prev')}


def _published(ids, old=False):
    return {'verify_keys': {'ed25519:cur': ids['server'].public},
            'old_verify_keys': {'ed25519:old': {'key': ids['old'].public, 'expired_ts': 1000}} if old else {},
            'valid_until_ts': int(time.time() * 1000) + DAY}


def _notarised(ids, identity, valid_for_ms=DAY, old=None):
    body = origin_response(SERVER, identity, valid_for_ms=valid_for_ms, old=old)
    return signing.sign_json(body, NOTARY, 'ed25519:n', ids['notary'].private)


def _response(body, status=200):
    response = HttpsResponse()
    response.status = status
    response.body = body if isinstance(body, bytes) else __import__('json').dumps(body).encode()
    return response


def _judge(ids, cached, queried, old=False):
    now = int(time.time() * 1000)
    return notary.judge_answers(NOTARY, SERVER, _published(ids, old), _response(key_response(NOTARY, ids['notary'])),
                                _response({'server_keys': cached}),
                                queried if isinstance(queried, FederationError) else _response({'server_keys': queried}), now)


def test_healthy_answers_have_no_findings(ids):
    fresh = _notarised(ids, ids['server'])
    entry = _judge(ids, [fresh], [fresh])
    assert entry['errors'] == [] and entry['federation_warnings'] == []
    assert entry['notary_key_verified'] and entry['current_key_present'] and entry['reachable']
    assert entry['queried']['verify_keys'] == ['ed25519:cur'] and entry['queried']['valid_until'].endswith('Z')
    assert entry['notary_keys'] == ['ed25519:n']


def test_empty_cache_is_not_stale(ids):
    entry = _judge(ids, [], [_notarised(ids, ids['server'])])
    assert entry['cached'] is None and entry['federation_warnings'] == []


def test_mismatch_is_an_error_naming_both_keys(ids):
    wrong = _notarised(ids, ids['other'])
    entry = _judge(ids, [wrong], [wrong])
    assert _codes(entry['errors']) == ['NOTARY_KEY_MISMATCH']
    message = entry['errors'][0]['message']
    assert message.startswith(NOTARY) and ids['other'].public in message and ids['server'].public in message
    assert 'ed25519:cur' in message and 'reject' in message and 'Z' in message


def test_missing_when_asked_as_peers_ask(ids):
    entry = _judge(ids, [], [])
    assert _codes(entry['federation_warnings']) == ['NOTARY_KEY_MISSING'] and not entry['current_key_present']
    assert 'fall back' in entry['federation_warnings'][0]['message']
    expired = _notarised(ids, ids['server'], valid_for_ms=-DAY)
    entry = _judge(ids, [expired], [expired])
    assert _codes(entry['federation_warnings']) == ['NOTARY_KEY_MISSING', 'NOTARY_KEY_STALE']


def test_stale_cache_lacking_the_current_key_says_until_when(ids):
    old_answer = _notarised(ids, ids['previous'])
    # Peers ask by key ID: when the notary hands out the current key on request (right after a rotation, as
    # seen in the federation lab), its older cached answer is no fault.
    entry = _judge(ids, [old_answer], [_notarised(ids, ids['server'])])
    assert entry['federation_warnings'] == [] and entry['current_key_present']
    assert entry['cached']['verify_keys'] == ['ed25519:prev']
    entry = _judge(ids, [old_answer], FederationError('HTTP_TIMEOUT', 'POST did not complete in time'))
    assert 'NOTARY_KEY_STALE' in _codes(entry['federation_warnings'])
    message = [w for w in entry['federation_warnings'] if w['code'] == 'NOTARY_KEY_STALE'][0]['message']
    assert 'ed25519:prev' in message and 'ed25519:cur' in message and entry['cached']['valid_until'] in message


def test_expired_cache_refreshed_by_the_query_is_fine(ids):
    entry = _judge(ids, [_notarised(ids, ids['server'], valid_for_ms=-DAY)], [_notarised(ids, ids['server'])])
    assert entry['federation_warnings'] == [] and entry['current_key_present']


def test_old_key_listed_or_unlisted(ids):
    listed = _notarised(ids, ids['server'], old={'ed25519:old': (ids['old'].public, 1000)})
    entry = _judge(ids, [], [listed], old=True)
    assert entry['federation_warnings'] == []
    assert entry['old_keys'] == {'ed25519:old': {'listed': True, 'expired_ts': 1000, 'expired': '1970-01-01T00:00:01Z'}}
    entry = _judge(ids, [], [_notarised(ids, ids['server'])], old=True)
    assert _codes(entry['federation_warnings']) == ['NOTARY_OLD_KEY_UNLISTED']
    assert entry['federation_warnings'][0]['message'].startswith(NOTARY + ': ')
    assert entry['old_keys']['ed25519:old']['listed'] is False


def test_old_key_with_other_bytes_is_a_mismatch(ids):
    wrong_old = _notarised(ids, ids['server'], old={'ed25519:old': (ids['other'].public, 1000)})
    entry = _judge(ids, [], [wrong_old], old=True)
    assert _codes(entry['errors']) == ['NOTARY_KEY_MISMATCH'] and 'ed25519:old' in entry['errors'][0]['message']


def test_signatures_are_required(ids):
    unsigned = origin_response(SERVER, ids['server'])
    entry = _judge(ids, [unsigned], [unsigned])
    assert _codes(entry['federation_warnings']) == ['NOTARY_INVALID_RESPONSE'] * 2 + ['NOTARY_KEY_MISSING']
    assert 'not signed by the notary' in entry['federation_warnings'][0]['message']
    foreign = signing.sign_json(origin_response(SERVER, ids['server']), NOTARY, 'ed25519:x', ids['other'].private)
    entry = _judge(ids, [], [foreign])
    assert 'a key it does not publish' in entry['federation_warnings'][0]['message']
    forged = _notarised(ids, ids['server'])
    forged['valid_until_ts'] += 1
    entry = _judge(ids, [], [forged])
    assert 'NOTARY_INVALID_RESPONSE' in _codes(entry['federation_warnings'])
    tampered = origin_response(SERVER, ids['server'])
    tampered['verify_keys']['ed25519:cur']['key'] = ids['other'].public
    tampered = signing.sign_json(tampered, NOTARY, 'ed25519:n', ids['notary'].private)
    entry = _judge(ids, [], [tampered])
    assert 'is not signed by %s itself' % SERVER in entry['federation_warnings'][0]['message']


@pytest.mark.parametrize('body', [
    b'not json', b'[]', {'server_keys': 'x'}, {'server_keys': [1, 'a', None]},
    {'server_keys': [{'server_name': SERVER, 'signatures': 5, 'verify_keys': []}]},
    {'server_keys': [{'server_name': SERVER, 'valid_until_ts': 1.5, 'signatures': {NOTARY: {'ed25519:n': 7}}}]},
    {'server_keys': [{'server_name': SERVER, 'verify_keys': {'ed25519:cur': {'key': 5}},
                      'signatures': {NOTARY: {'ed25519:n': 'AAAA'}, SERVER: []}}]},
])
def test_garbage_answers_are_invalid_not_tracebacks(ids, body):
    now = int(time.time() * 1000)
    entry = notary.judge_answers(NOTARY, SERVER, _published(ids), _response(key_response(NOTARY, ids['notary'])),
                                 _response(body), _response(body), now)
    assert 'NOTARY_INVALID_RESPONSE' in _codes(entry['federation_warnings']) or entry['cached'] is None
    assert entry['errors'] == []
    for item in entry['federation_warnings']:
        assert item['message'].startswith(NOTARY)


@pytest.mark.parametrize('key_answer,words', [
    (_response(b'<html>', 404), 'HTTP 404'),
    (_response(b'{'), 'not valid JSON'),
    (FederationError('TLS_CERT_INVALID', 'self-signed certificate'), 'verified TLS'),
    (FederationError('CONNECTION_REFUSED', 'refused'), 'CONNECTION_REFUSED'),
    (FederationError('RESPONSE_TOO_LARGE', 'too big'), 'RESPONSE_TOO_LARGE'),
])
def test_notary_key_failures(ids, key_answer, words):
    entry = notary.judge_answers(NOTARY, SERVER, _published(ids), key_answer, None, None, 0)
    assert not entry['notary_key_verified'] and len(entry['federation_warnings']) == 1
    warning = entry['federation_warnings'][0]
    assert words in warning['message'] and warning['message'].startswith(NOTARY)
    code = 'NOTARY_UNREACHABLE' if words == 'CONNECTION_REFUSED' else 'NOTARY_INVALID_RESPONSE'
    assert warning['code'] == code


def test_notary_key_must_be_its_own_and_valid(ids):
    now = int(time.time() * 1000)
    for body in (key_response('someone.else', ids['notary']), key_response(NOTARY, ids['notary'], valid_for_ms=-1),
                 key_response(NOTARY, ids['notary'], signer=ids['other'])):
        with pytest.raises(FederationError) as info:
            notary.verify_notary_keys(body, NOTARY, now)
        assert info.value.code == 'NOTARY_INVALID_RESPONSE'


def test_utc_and_query_body():
    assert notary.utc(0) == '1970-01-01T00:00:00Z' and notary.utc('x') == '?' and notary.utc(10 ** 30) == '?'
    assert notary.query_body('a:1', ['ed25519:b'], 5) == b'{"server_keys": {"a:1": {"ed25519:b": {"minimum_valid_until_ts": 5}}}}'


def test_merge_counts_in_the_report():
    report = {'federation_ok': True, 'errors': [], 'federation_warnings': []}
    entry = notary.new_notary_entry()
    entry['errors'] = [{'code': 'NOTARY_KEY_MISMATCH', 'message': 'n: x'}]
    notary.merge_notary_findings(report, {'n': entry})
    assert report['federation_ok'] is False and report['errors'][0]['code'] == 'NOTARY_KEY_MISMATCH'


# --------------------------------------------------------------------------- loopback

def _run(lab, server, notaries, timeout=4.0):
    return run_federation_test(server, nameservers=lab.nameservers, ca_path=lab.ca_path, timeout=timeout,
                               notaries=[n.name if hasattr(n, 'name') else n for n in notaries])


def test_healthy_notary_fetches_as_synapse_does(notary_lab):
    good = notary_lab.notary('healthy')
    report = _run(notary_lab, notary_lab.origin, [good])
    entry = report['notaries'][good.name]
    assert report['federation_ok'] is True, report['errors'] + report['federation_warnings']
    assert entry['reachable'] and entry['notary_key_verified'] and entry['current_key_present']
    assert entry['cached'] is None and entry['queried']['verify_keys'] == ['ed25519:cur']
    assert entry['errors'] == [] and entry['federation_warnings'] == [] and good.fetches == 1
    # Asked again: served from its cache, no new fetch.
    report = _run(notary_lab, notary_lab.origin, [good])
    assert report['notaries'][good.name]['cached']['verify_keys'] == ['ed25519:cur'] and good.fetches == 1
    site_requests = [s for s in notary_lab.sites if s.requests and s.requests[0]['host'] == good.name][0].requests
    posts = [r for r in site_requests if r['method'] == 'POST']
    assert posts and b'minimum_valid_until_ts' in posts[0]['body'] and b'ed25519:cur' in posts[0]['body']


def test_mismatched_notary_breaks_federation(notary_lab):
    bad = notary_lab.notary('mismatch')
    impostor = SigningIdentity('ed25519:cur')
    bad.seed(notary_lab.origin, origin_response(notary_lab.origin, impostor))
    report = _run(notary_lab, notary_lab.origin, [bad])
    assert report['federation_ok'] is False and _codes(report['errors']) == ['NOTARY_KEY_MISMATCH']
    assert report['errors'][0]['message'].startswith(bad.name) and impostor.public in report['errors'][0]['message']
    assert bad.fetches == 0


def test_notary_that_cannot_reach_us(notary_lab):
    blind = notary_lab.notary('blind')
    blind.can_fetch = False
    report = _run(notary_lab, notary_lab.origin, [blind])
    assert report['federation_ok'] is True and _codes(report['federation_warnings']) == ['NOTARY_KEY_MISSING']
    assert report['notaries'][blind.name]['current_key_present'] is False


def test_stale_notary(notary_lab):
    stale = notary_lab.notary('stale')
    stale.seed(notary_lab.origin, origin_response(notary_lab.origin, SigningIdentity('ed25519:gone')))
    report = _run(notary_lab, notary_lab.origin, [stale])
    # Asked as peers ask, it refetched and handed out the current key: the older cached answer is no fault.
    assert report['federation_warnings'] == [] and stale.fetches == 1
    entry = report['notaries'][stale.name]
    assert entry['cached']['verify_keys'] == ['ed25519:gone'] and entry['current_key_present']
    cut_off = notary_lab.notary('cut-off')
    cut_off.can_fetch = False
    cut_off.seed(notary_lab.origin, origin_response(notary_lab.origin, SigningIdentity('ed25519:gone')))
    report = _run(notary_lab, notary_lab.origin, [cut_off])
    assert _codes(report['federation_warnings']) == ['NOTARY_KEY_MISSING', 'NOTARY_KEY_STALE']
    expired = notary_lab.notary('expired')
    expired.can_fetch = False
    expired.seed(notary_lab.origin, origin_response(notary_lab.origin, notary_lab.identities[notary_lab.origin],
                                                    valid_for_ms=-DAY))
    report = _run(notary_lab, notary_lab.origin, [expired])
    assert _codes(report['federation_warnings']) == ['NOTARY_KEY_MISSING', 'NOTARY_KEY_STALE']


def test_rotation_old_key_listed_and_unlisted(notary_lab):
    good = notary_lab.notary('rotation-good')
    report = _run(notary_lab, notary_lab.rotated, [good])
    assert report['federation_ok'] and report['federation_warnings'] == []
    assert report['notaries'][good.name]['old_keys'] == {'ed25519:old': {
        'listed': True, 'expired_ts': notary_lab.old_expired_ts, 'expired': notary.utc(notary_lab.old_expired_ts)}}
    lagging = notary_lab.notary('rotation-lagging')
    lagging.seed(notary_lab.rotated, origin_response(notary_lab.rotated, notary_lab.identities[notary_lab.rotated]))
    report = _run(notary_lab, notary_lab.rotated, [lagging])
    assert _codes(report['federation_warnings']) == ['NOTARY_OLD_KEY_UNLISTED']
    assert report['notaries'][lagging.name]['old_keys']['ed25519:old']['listed'] is False


@pytest.mark.parametrize('knob,value', [('sign', False), ('strip_old', True)])
def test_unsigned_or_altered_answers_are_refused(notary_lab, knob, value):
    broken = notary_lab.notary('knob-%s' % knob.replace('_', '-'))
    setattr(broken, knob, value)
    report = _run(notary_lab, notary_lab.rotated, [broken])
    assert 'NOTARY_INVALID_RESPONSE' in _codes(report['federation_warnings'])
    assert report['errors'] == [] and report['federation_ok']


def test_notary_with_untrusted_certificate_is_refused(notary_lab):
    rogue = notary_lab.notary('rogue', ca=notary_lab.rogue_ca)
    report = _run(notary_lab, notary_lab.origin, [rogue])
    entry = report['notaries'][rogue.name]
    assert entry['notary_key_verified'] is False and _codes(entry['federation_warnings']) == ['NOTARY_INVALID_RESPONSE']
    assert 'verified TLS' in entry['federation_warnings'][0]['message']
    assert rogue.fetches == 0


@pytest.mark.parametrize('label,reply', [
    ('html', {'status': 200, 'body': b'<html>hello</html>', 'content_type': 'text/html'}),
    ('huge', {'status': 200, 'body': b'{"server_keys": ["' + b'x' * (600 * 1024) + b'"]}'}),
    ('types', {'status': 200, 'body': {'server_keys': {'a': 1}, 'verify_keys': 5}}),
    ('deep', {'status': 200, 'body': b'[' * 200 + b']' * 200}),
    ('404', {'status': 404, 'body': {'errcode': 'M_UNRECOGNIZED'}}),
])
def test_garbage_notaries_give_warnings(notary_lab, label, reply):
    garbage = notary_lab.notary('garbage-' + label, **reply)
    report = _run(notary_lab, notary_lab.origin, [garbage])
    assert _codes(report['federation_warnings']) == ['NOTARY_INVALID_RESPONSE'] and report['federation_ok']


def test_garbage_query_answers_after_a_good_key(notary_lab):
    odd = notary_lab.notary('garbage-query')
    odd.raw = Reply(200, {'server_keys': [None, 3, {'server_name': notary_lab.origin, 'signatures': 'x'}]})
    report = _run(notary_lab, notary_lab.origin, [odd])
    entry = report['notaries'][odd.name]
    assert entry['notary_key_verified'] and 'NOTARY_INVALID_RESPONSE' in _codes(entry['federation_warnings'])


def test_unreachable_and_unresolvable_notaries(notary_lab):
    silent = notary_lab.name('n-silent') + ':8443'
    notary_lab.dns.add(notary_lab.name('n-silent'), 'A', notary_lab.ip())
    report = _run(notary_lab, notary_lab.origin, [silent, 'nowhere.notary.test:8443'])
    for name in (silent, 'nowhere.notary.test:8443'):
        entry = report['notaries'][name]
        assert entry['reachable'] is False and _codes(entry['federation_warnings']) == ['NOTARY_UNREACHABLE']
    assert 'CONNECTION_REFUSED' in report['notaries'][silent]['federation_warnings'][0]['message']
    assert 'DNS_NO_ADDRESSES' in report['notaries']['nowhere.notary.test:8443']['federation_warnings'][0]['message']
    assert report['federation_ok']


def test_stalled_notary_does_not_stretch_the_run(notary_lab):
    stalled = notary_lab.notary('stalled', status=200, body={}, delay=30)
    good = notary_lab.notary('beside-stalled')
    started = time.monotonic()
    report = _run(notary_lab, notary_lab.origin, [stalled, good], timeout=2.0)
    assert time.monotonic() - started < 2.0 + SLACK
    assert _codes(report['notaries'][stalled.name]['federation_warnings']) == ['NOTARY_UNREACHABLE']
    assert report['notaries'][good.name]['current_key_present'] is True


def test_notary_stuck_in_the_query_does_not_stretch_the_run(notary_lab):
    stuck = notary_lab.notary('stuck-query')
    stuck.post_delay = 30
    started = time.monotonic()
    report = _run(notary_lab, notary_lab.origin, [stuck], timeout=2.0)
    assert time.monotonic() - started < 2.0 + SLACK
    entry = report['notaries'][stuck.name]
    assert entry['notary_key_verified'] and entry['queried'] is None
    assert _codes(entry['federation_warnings']) == ['NOTARY_UNREACHABLE']
    assert 'POST /_matrix/key/v2/query' in entry['federation_warnings'][0]['message']


def test_comparison_skipped_when_our_keys_are_not_trusted(notary_lab):
    good = notary_lab.notary('skipped')
    report = _run(notary_lab, notary_lab.broken, [good])
    entry = report['notaries'][good.name]
    assert entry['reachable'] is None and 'KEYS_TLS_UNVERIFIED' in entry['skipped']
    assert not any(e['code'].startswith('NOTARY_') for e in report['errors'] + report['federation_warnings'])
    assert good.fetches == 0


def test_batch_mode_counts_notary_findings(notary_lab):
    good = notary_lab.notary('batch-good')
    lagging = notary_lab.notary('batch-lagging')
    lagging.seed(notary_lab.rotated, origin_response(notary_lab.rotated, notary_lab.identities[notary_lab.rotated]))
    result = run_federation_tests([notary_lab.origin, notary_lab.rotated], nameservers=notary_lab.nameservers,
                                  ca_path=notary_lab.ca_path, timeout=4.0, notaries=[good.name, lagging.name])
    assert result['federation_ok'] is True
    assert set(result['reports'][notary_lab.origin]['notaries']) == {good.name, lagging.name}
    assert result['summary']['by_warning_code'] == {'NOTARY_OLD_KEY_UNLISTED': 1}


def test_no_notaries_no_field(notary_lab):
    report = _run(notary_lab, notary_lab.origin, [])
    assert 'notaries' not in report and report['federation_ok']


def test_every_code_is_documented():
    import os
    import re
    root = os.path.join(os.path.dirname(notary.__file__), '..', '..', '..')
    with open(os.path.join(root, 'docs', 'errors.md')) as handle:
        section = handle.read().split('## Notaries', 1)[1].split('\n## ', 1)[0]
    with open(notary.__file__) as handle:
        codes = set(re.findall(r"'(NOTARY_[A-Z_]+)'", handle.read()))
    assert codes == {'NOTARY_KEY_MISMATCH', 'NOTARY_KEY_MISSING', 'NOTARY_KEY_STALE', 'NOTARY_OLD_KEY_UNLISTED',
                     'NOTARY_UNREACHABLE', 'NOTARY_INVALID_RESPONSE'}
    for code in codes:
        assert '| %s | %s |' % (code, 'error' if code == 'NOTARY_KEY_MISMATCH' else 'warning') in section
    assert '%d at a\ntime' % notary.NOTARY_FANOUT in section
