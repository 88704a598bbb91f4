# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_federation_test as a real subprocess against the loopback lab."""

import pytest

from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module

REPORT_KEYS = {'federation_ok', 'server_name', 'resolution', 'well_known_result', 'dns_result', 'connection_reports',
               'connection_errors', 'version', 'errors', 'federation_warnings', 'duration_ms'}


def _args(lab, name, **extra):
    args = {'server_name': name, 'nameservers': lab.nameservers, 'ca_path': lab.ca_path, 'timeout': 3}
    args.update(extra)
    return args


def test_good_server(federation_lab, tmp_path):
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, 'wksrv.lab.test'), tmp_path)
    assert rc == 0 and result['changed'] is False
    assert REPORT_KEYS <= set(result)
    assert result['federation_ok'] is True
    assert result['resolution']['method'] == 'well_known_srv'
    assert result['resolution']['sni'] == 'hs-wksrv.lab.test'


def test_check_mode_is_the_same(federation_lab, tmp_path):
    args = _args(federation_lab, 'srv.lab.test')
    args['_ansible_check_mode'] = True
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 0 and result['federation_ok'] and result['resolution']['method'] == 'srv'


def test_warnings_are_coded_and_shown(federation_lab, tmp_path):
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, 'srvlegacy.lab.test'), tmp_path)
    assert rc == 0
    assert [w['code'] for w in result['federation_warnings']] == ['SRV_LEGACY_ONLY']
    # ansible-core 2.19 passes warnings from the module as dicts carrying the message.
    texts = [w if isinstance(w, str) else w.get('msg') or w.get('event', {}).get('msg', '') for w in result['warnings']]
    assert any(t.startswith('SRV_LEGACY_ONLY: ') for t in texts), result['warnings']


def test_failure_names_error_and_returns_report(federation_lab, tmp_path):
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, 'certsrv.lab.test'), tmp_path)
    assert rc == 1 and result['failed']
    assert 'CERT_NAME_MISMATCH' in result['msg'] and 'certsrv.lab.test' in result['msg']
    assert REPORT_KEYS <= set(result)
    assert result['federation_ok'] is False


def test_no_fail_on_error(federation_lab, tmp_path):
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, 'wrongname.lab.test:8443',
                                                                   fail_on_error=False), tmp_path)
    assert rc == 0 and not result.get('failed')
    assert [e['code'] for e in result['errors']] == ['KEYS_SERVER_NAME_MISMATCH']


def test_expected_keys_option(federation_lab, tmp_path):
    name = 'explicit.lab.test:8443'
    identity = federation_lab.identities[name]
    ok, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, name, expected_keys={
        identity.key_id: identity.public}), tmp_path)
    assert rc == 0 and ok['federation_ok']
    drift, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, name, expected_keys={
        'ed25519:other': identity.public}), tmp_path)
    assert rc == 1 and 'KEYS_EXPECTED_MISSING' in drift['msg']


@pytest.mark.parametrize('name,code', [
    ('bad name', 'INVALID_SERVER_NAME'),
    ('example.org:0', 'INVALID_SERVER_NAME'),
    ('keysbadjson.lab.test:8443', 'KEYS_INVALID_JSON'),
    ('keyshuge.lab.test:8443', 'KEYS_TOO_LARGE'),
    ('unreachable.lab.test:8443', 'CONNECTION_REFUSED'),
    ('nxdomain.lab.test', 'DNS_NO_ADDRESSES'),
])
def test_bad_input_gives_report_not_traceback(federation_lab, tmp_path, name, code):
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, name), tmp_path)
    assert rc == 1
    assert code in [e['code'] for e in result['errors']]
    assert code in result['msg']


def test_redirect_loop_is_a_warning(federation_lab, tmp_path):
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, 'wkloop.lab.test'), tmp_path)
    assert rc == 0
    assert result['well_known_result']['error']['code'] == 'WELLKNOWN_REDIRECT_LOOP'


@pytest.mark.parametrize('args,words', [
    ({'server_name': 'example.org', 'nameservers': ['not-an-ip']}, 'not-an-ip'),
    ({'server_name': 'example.org', 'ca_path': '/nonexistent/ca.pem', 'nameservers': ['127.0.0.1:9']}, 'CA bundle'),
    ({'server_name': 'example.org', 'timeout': 0}, 'timeout'),
    ({'server_name': 'example.org', 'timeout': 'soon'}, 'timeout'),
    ({}, 'server_name, server_names'),
    ({'server_name': 'example.org', 'bogus': 1}, 'bogus'),
])
def test_bad_options_fail_cleanly(tmp_path, args, words):
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 1 and result['failed'] and words in result['msg']


def _batch_args(lab, names, **extra):
    args = {'server_names': names, 'nameservers': lab.nameservers, 'ca_path': lab.ca_path, 'timeout': 3}
    args.update(extra)
    return args


def test_server_names_batch(federation_lab, tmp_path):
    names = ['wksrv.lab.test', 'srvlegacy.lab.test', 'srv.lab.test']
    result, rc, dummy = run_module('matrix_federation_test', _batch_args(federation_lab, names, concurrency=2), tmp_path)
    assert rc == 0 and result['changed'] is False and result['federation_ok'] is True
    assert list(result['reports']) == names
    for name in names:
        assert REPORT_KEYS <= set(result['reports'][name]) and result['reports'][name]['server_name'] == name
    assert result['reports']['srv.lab.test']['resolution']['method'] == 'srv'
    assert result['summary']['by_result'] == {'ok': 3, 'failed': 0}
    assert result['summary']['by_method'] == {'well_known_srv': 1, 'srv_legacy': 1, 'srv': 1}
    assert result['summary']['by_warning_code'] == {'SRV_LEGACY_ONLY': 1}
    assert result['federation_warnings'] == [{'code': 'SRV_LEGACY_ONLY', 'message': 'srvlegacy.lab.test: ' + result[
        'reports']['srvlegacy.lab.test']['federation_warnings'][0]['message']}]
    assert 'resolution' not in result and 'server_name' not in result


def test_server_names_fail_on_error(federation_lab, tmp_path):
    names = ['srv.lab.test', 'certsrv.lab.test', 'bad name']
    result, rc, dummy = run_module('matrix_federation_test', _batch_args(federation_lab, names), tmp_path)
    assert rc == 1 and result['failed'] and result['federation_ok'] is False
    assert 'broken for 2 of 3 servers' in result['msg']
    assert 'certsrv.lab.test (CERT_NAME_MISMATCH)' in result['msg'] and 'bad name (INVALID_SERVER_NAME)' in result['msg']
    assert result['reports']['srv.lab.test']['federation_ok'] is True
    assert result['summary']['by_error_code'] == {'CERT_NAME_MISMATCH': 1, 'INVALID_SERVER_NAME': 1}
    result, rc, dummy = run_module('matrix_federation_test', _batch_args(federation_lab, names, fail_on_error=False),
                                   tmp_path)
    assert rc == 0 and not result.get('failed') and result['federation_ok'] is False


@pytest.mark.parametrize('args,words', [
    ({'server_name': 'a.example', 'server_names': ['b.example']}, 'mutually exclusive'),
    ({'server_names': []}, 'at least one'),
    ({'server_names': ['a.example'], 'concurrency': 0}, 'concurrency'),
    ({'server_names': ['a.example'], 'nameservers': ['not-an-ip']}, 'not-an-ip'),
    ({'server_names': 'a.example', 'nameservers': ['127.0.0.1:9'], 'timeout': 0}, 'timeout'),
])
def test_bad_batch_options_fail_cleanly(tmp_path, args, words):
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 1 and result['failed'] and words in result['msg']


def test_user_agent_reaches_every_request_and_a_broken_one_is_refused(federation_lab, tmp_path):
    site = federation_lab.sites_by_name['srv.lab.test'][0]
    seen = len(site.requests)
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, 'srv.lab.test',
                                                                   user_agent='Synapse/1.120.0'), tmp_path)
    assert rc == 0 and result['federation_ok']
    agents = set(r['user_agent'] for r in site.requests[seen:])
    assert agents == {'Synapse/1.120.0'}
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, 'srv.lab.test',
                                                                   user_agent='a\nb: c'), tmp_path)
    assert rc == 1 and result['code'] == 'INVALID_USER_AGENT' and 'Traceback' not in str(result)


def test_notaries_option(notary_lab, tmp_path):
    good = notary_lab.notary('module-good')
    blind = notary_lab.notary('module-blind')
    blind.can_fetch = False
    args = {'server_name': notary_lab.origin, 'nameservers': notary_lab.nameservers, 'ca_path': notary_lab.ca_path,
            'timeout': 4, 'notaries': [good.name, blind.name]}
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 0 and result['federation_ok'] is True
    assert list(result['notaries']) == [good.name, blind.name]
    assert result['notaries'][good.name]['current_key_present'] is True
    assert result['notaries'][good.name]['queried']['verify_keys'] == ['ed25519:cur']
    assert [w['code'] for w in result['federation_warnings']] == ['NOTARY_KEY_MISSING']
    assert result['federation_warnings'][0]['message'].startswith(blind.name)


def test_notaries_option_mismatch_fails_and_batch_counts(notary_lab, tmp_path):
    from ansible_collections.matrix.federation.tests.unit.servers.lab import SigningIdentity
    from ansible_collections.matrix.federation.tests.unit.servers.notary_site import origin_response
    bad = notary_lab.notary('module-mismatch')
    bad.seed(notary_lab.origin, origin_response(notary_lab.origin, SigningIdentity('ed25519:cur')))
    args = {'server_name': notary_lab.origin, 'nameservers': notary_lab.nameservers, 'ca_path': notary_lab.ca_path,
            'timeout': 4, 'notaries': [bad.name]}
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 1 and 'NOTARY_KEY_MISMATCH' in result['msg'] and result['federation_ok'] is False
    args = {'server_names': [notary_lab.origin, notary_lab.rotated], 'nameservers': notary_lab.nameservers,
            'ca_path': notary_lab.ca_path, 'timeout': 4, 'notaries': [bad.name], 'fail_on_error': False}
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 0 and result['federation_ok'] is False
    assert result['summary']['by_error_code'] == {'NOTARY_KEY_MISMATCH': 1}
    assert result['reports'][notary_lab.rotated]['notaries'][bad.name]['current_key_present'] is True


def test_garbage_notary_no_traceback(notary_lab, tmp_path):
    garbage = notary_lab.notary('module-garbage', status=200, body=b'\xff\xfe not json')
    huge = notary_lab.notary('module-huge', status=200, body=b'{"server_keys": ["' + b'x' * (600 * 1024) + b'"]}')
    wrong_types = {'server_keys': [1, [], {'server_name': 5}], 'verify_keys': 'x', 'valid_until_ts': 'soon'}
    types = notary_lab.notary('module-types', status=200, body=wrong_types)
    args = {'server_name': notary_lab.origin, 'nameservers': notary_lab.nameservers, 'ca_path': notary_lab.ca_path,
            'timeout': 4, 'notaries': [garbage.name, huge.name, types.name, 'nowhere.notary.test:8443']}
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 0 and sorted(w['code'] for w in result['federation_warnings']) == [
        'NOTARY_INVALID_RESPONSE'] * 3 + ['NOTARY_UNREACHABLE']
    args['notaries'] = ['bad name!']
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 1 and result['code'] == 'INVALID_SERVER_NAME' and 'bad name!' in result['msg']


def test_notaries_skipped_when_our_keys_are_not_trusted(notary_lab, tmp_path):
    good = notary_lab.notary('module-skipped')
    args = {'server_name': notary_lab.broken, 'nameservers': notary_lab.nameservers, 'ca_path': notary_lab.ca_path,
            'timeout': 4, 'notaries': [good.name], 'fail_on_error': False}
    result, rc, dummy = run_module('matrix_federation_test', args, tmp_path)
    assert rc == 0 and 'KEYS_TLS_UNVERIFIED' in result['notaries'][good.name]['skipped']
    texts = [w if isinstance(w, str) else w.get('msg') or w.get('event', {}).get('msg', '') for w in result['warnings']]
    assert any('comparison skipped' in t for t in texts), result['warnings']
    assert good.fetches == 0
