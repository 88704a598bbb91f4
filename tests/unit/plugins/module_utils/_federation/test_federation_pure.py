# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure report-building functions, without the network."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time
import xml.etree.ElementTree as ET

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.checks import (
    build_report, evaluate_certificates, evaluate_server_keys,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import order_srv_records
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import (
    render_json, render_junit, render_prometheus,
)

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


def test_srv_order_priority_then_weight():
    records = [{'priority': 20, 'weight': 0, 'port': 1, 'target': 'c'},
               {'priority': 10, 'weight': 0, 'port': 1, 'target': 'zero'},
               {'priority': 10, 'weight': 100, 'port': 1, 'target': 'heavy'}]
    firsts = {}
    rng = random.Random(1)
    for dummy in range(400):
        ordered = order_srv_records(records, rng)
        assert ordered[-1]['target'] == 'c'
        firsts[ordered[0]['target']] = firsts.get(ordered[0]['target'], 0) + 1
    # Weight 100 against weight 0: the heavy record comes first almost always, but not always.
    assert firsts['heavy'] > 380


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


def _conn(ok=True):
    checks = dict((k, ok) for k in ('matching_server_name', 'future_valid_until_ts', 'has_ed25519_key',
                                    'all_ed25519_checks_ok', 'valid_certificates', 'all_checks_ok'))
    return {'checks': checks, 'errors': [] if ok else [{'code': 'KEYS_X', 'message': 'bad'}], 'warnings': [],
            'version': {'name': 'S', 'version': '1'}, 'certificates': [{'days_until_expiry': 30.5}]}


def _discovery():
    return {'resolution': {'method': 'default'}, 'well_known_result': None, 'dns_result': {}, 'errors': [],
            'warnings': []}


def test_report_partial_family_is_a_warning():
    refused = {'code': 'CONNECTION_REFUSED', 'message': 'refused'}
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', _conn(), None),
                                                        ('[2001:db8::1]:8448', None, refused)], 5)
    assert report['federation_ok'] is True
    assert [w['code'] for w in report['federation_warnings']] == ['CONNECTION_REFUSED', 'IP_FAMILY_PARTIAL']


def test_report_all_unreachable_is_an_error():
    refused = {'code': 'CONNECTION_REFUSED', 'message': 'refused'}
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', None, refused)], 5)
    assert report['federation_ok'] is False and [e['code'] for e in report['errors']] == ['CONNECTION_REFUSED']


def test_renderers():
    good = build_report('good.example', _discovery(), [('192.0.2.1:8448', _conn(), None)], 1500)
    bad = build_report('bad"name', _discovery(), [('192.0.2.2:8448', _conn(False), None)], 10)
    assert '"federation_ok": true' in render_json(good)
    root = ET.fromstring(render_junit([good, bad]))
    suites = root.findall('testsuite')
    assert [s.get('failures') for s in suites] == ['0', '6']
    prom = render_prometheus({'a': good, 'b': bad})
    assert 'matrix_federation_ok{server_name="good.example"} 1' in prom
    assert 'matrix_federation_ok{server_name="bad\\"name"} 0' in prom
    assert 'matrix_federation_cert_expiry_days{server_name="good.example",address="192.0.2.1:8448"} 30.5' in prom
    assert 'matrix_federation_duration_seconds{server_name="good.example"} 1.500' in prom
