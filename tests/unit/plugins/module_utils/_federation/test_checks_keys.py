# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The key-response checks on ``old_verify_keys``: pure, then through real loopback servers."""

import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.checks import evaluate_server_keys
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_test
from ansible_collections.matrix.federation.tests.unit.servers.keys_lab import signed_key_response
from ansible_collections.matrix.federation.tests.unit.servers.lab import SigningIdentity

NAME = 'example.org'
IDENTITY = SigningIdentity()
OLD_PUBLIC = SigningIdentity().public
MAX_TS = 2 ** 53 - 1


def _evaluate(old_verify_keys):
    body = signed_key_response(NAME, IDENTITY, old_verify_keys)
    return evaluate_server_keys(body, NAME, int(time.time() * 1000))


def _codes(entries):
    return [entry['code'] for entry in entries]


@pytest.mark.parametrize('old', [
    {},
    {'ed25519:a_old': {'key': OLD_PUBLIC, 'expired_ts': 1532645052628}},
    {'ed25519:0ldK3y': {'key': OLD_PUBLIC + '=', 'expired_ts': 0}, 'ed25519:b_2': {'key': OLD_PUBLIC, 'expired_ts': MAX_TS}},
    {'curve25519:x': {'key': 'c29tZXRoaW5n', 'expired_ts': 5}},
])
def test_well_formed_old_verify_keys_pass(old):
    result = _evaluate(old)
    assert result['errors'] == [] and result['warnings'] == []
    assert result['checks']['all_ed25519_checks_ok']


@pytest.mark.parametrize('old, fragment', [
    ([], 'is a list, not an object'),
    ('ed25519:a', 'is a string, not an object'),
    (None, 'is null, not an object'),
    ({'ed25519:old': 'AAAA'}, 'ed25519:old is a string, not an object'),
    ({'ed25519:old': {'expired_ts': 5}}, 'ed25519:old has no "key"'),
    ({'ed25519:old': {'key': 7, 'expired_ts': 5}}, 'ed25519:old: "key" is a number, not a string'),
    ({'ed25519:old': {'key': 'AAAA', 'expired_ts': 5}}, 'ed25519:old: "key" is not unpadded base64 of a 32-byte'),
    ({'ed25519:old': {'key': 'not base64!', 'expired_ts': 5}}, 'ed25519:old: "key" is not unpadded base64 of a 32-byte'),
    ({'ed25519:old': {'key': OLD_PUBLIC}}, 'ed25519:old has no "expired_ts"'),
    ({'ed25519:old': {'key': OLD_PUBLIC, 'expired_ts': '1532645052628'}}, '"expired_ts" is a string'),
    ({'ed25519:old': {'key': OLD_PUBLIC, 'expired_ts': True}}, '"expired_ts" is a boolean'),
    ({'ed25519:old': {'key': OLD_PUBLIC, 'expired_ts': -1}}, '"expired_ts" -1 is not'),
    ({'ed25519:old': {'key': OLD_PUBLIC, 'expired_ts': None}}, '"expired_ts" is null, not an integer'),
])
def test_malformed_old_verify_keys_are_errors(old, fragment):
    result = _evaluate(old)
    assert _codes(result['errors']) == ['KEYS_OLD_VERIFY_KEYS_MALFORMED'], result['errors']
    assert fragment in result['errors'][0]['message']
    assert 'old_signing_keys' in result['errors'][0]['message']
    # The response is signed: the only fault is the one under test.
    assert result['checks']['all_ed25519_checks_ok'] and result['warnings'] == []


def test_every_malformed_entry_is_reported():
    result = _evaluate({'ed25519:a': 'x', 'ed25519:b': {'key': OLD_PUBLIC}, 'ed25519:c': {'key': OLD_PUBLIC, 'expired_ts': 1}})
    assert _codes(result['errors']) == ['KEYS_OLD_VERIFY_KEYS_MALFORMED'] * 2
    assert ['ed25519:a' in result['errors'][0]['message'], 'ed25519:b' in result['errors'][1]['message']] == [True, True]


@pytest.mark.parametrize('key_id', ['ed25519', 'ed25519:', 'ed25519:a b', ':abc', 'ed25519:ä'])
def test_a_bad_key_id_is_a_warning(key_id):
    result = _evaluate({key_id: {'key': OLD_PUBLIC, 'expired_ts': 1}})
    assert result['errors'] == []
    assert _codes(result['warnings']) == ['KEYS_OLD_VERIFY_KEY_ID_INVALID']
    assert repr(key_id) in result['warnings'][0]['message']


def test_missing_old_verify_keys_is_a_warning():
    body = signing.sign_json({'server_name': NAME, 'valid_until_ts': int(time.time() * 1000) + 86400000,
                              'verify_keys': {IDENTITY.key_id: {'key': IDENTITY.public}}},
                             NAME, IDENTITY.key_id, IDENTITY.private)
    result = evaluate_server_keys(body, NAME, int(time.time() * 1000))
    assert result['errors'] == [] and _codes(result['warnings']) == ['KEYS_OLD_VERIFY_KEYS_MISSING']


def _test(lab, name):
    return run_federation_test(name, nameservers=lab.nameservers, ca_path=lab.ca_path, timeout=3)


def test_served_malformed_old_verify_keys_fail_the_test(keys_lab):
    report = _test(keys_lab, keys_lab.oldbad)
    assert _codes(report['errors']) == ['KEYS_OLD_VERIFY_KEYS_MALFORMED'], report['errors']
    assert ':%d: old_verify_keys entry ed25519:old' % keys_lab.port in report['errors'][0]['message']
    assert report['federation_ok'] is False


def test_served_response_without_old_verify_keys_warns(keys_lab):
    report = _test(keys_lab, keys_lab.oldmissing)
    assert report['errors'] == [] and report['federation_ok'] is True
    assert _codes(report['federation_warnings']) == ['KEYS_OLD_VERIFY_KEYS_MISSING']


def test_served_well_formed_keys_pass(keys_lab):
    report = _test(keys_lab, keys_lab.good)
    assert report['errors'] == [] and report['federation_warnings'] == [] and report['federation_ok'] is True
