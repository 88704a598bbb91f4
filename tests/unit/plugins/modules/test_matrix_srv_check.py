# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_srv_check as a real subprocess against the loopback DNS server."""

import pytest

from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module


def _run(lab, tmp_path, domain, **extra):
    args = {'domain': domain, 'nameservers': lab.nameservers, 'timeout': 1.5}
    args.update(extra)
    return run_module('matrix_srv_check', args, tmp_path)


def test_good_records_in_rfc_order(federation_lab, tmp_path):
    expected = {'target': 'b-srvtwo.lab.test.', 'port': 8456}
    result, rc, dummy = _run(federation_lab, tmp_path, 'srvtwo.lab.test', expected=expected)
    assert rc == 0, result
    assert result['service'] == '_matrix-fed._tcp.srvtwo.lab.test'
    assert [r['target'] for r in result['effective']] == ['a-srvtwo.lab.test', 'b-srvtwo.lab.test']
    assert all(r['addresses'] for r in result['effective'])
    assert result['records']['_matrix._tcp.srvtwo.lab.test'] == []


def test_legacy_only_warns(federation_lab, tmp_path):
    result, rc, dummy = _run(federation_lab, tmp_path, 'srvlegacy.lab.test')
    assert rc == 0 and result['service'] == '_matrix._tcp.srvlegacy.lab.test'
    assert [w['code'] for w in result['federation_warnings']] == ['SRV_LEGACY_ONLY']


def test_no_records_is_fine_without_expected(federation_lab, tmp_path):
    result, rc, dummy = _run(federation_lab, tmp_path, 'default.lab.test')
    assert rc == 0 and result['service'] is None


@pytest.mark.parametrize('domain,extra,code', [
    ('srvcname.lab.test', {}, 'SRV_TARGET_CNAME'),
    ('srvdot.lab.test', {}, 'SRV_SERVICE_UNAVAILABLE'),
    ('servfail.lab.test', {}, 'DNS_SERVFAIL'),
    ('srv.lab.test', {'expected': {'target': 'elsewhere.lab.test', 'port': 8448}}, 'SRV_EXPECTED_MISMATCH'),
    ('srv.lab.test', {'expected': {'target': 'target-srv.lab.test', 'port': 1}}, 'SRV_EXPECTED_MISMATCH'),
    ('default.lab.test', {'expected': {'target': 'default.lab.test'}}, 'SRV_EXPECTED_MISMATCH'),
])
def test_failures(federation_lab, tmp_path, domain, extra, code):
    result, rc, dummy = _run(federation_lab, tmp_path, domain, **extra)
    assert rc == 1 and code in [e['code'] for e in result['errors']] and code in result['msg']


def test_timeout(tmp_path):
    result, rc, dummy = run_module('matrix_srv_check', {'domain': 'example.org', 'nameservers': ['127.0.0.1:9'],
                                                        'timeout': 0.5}, tmp_path)
    assert rc == 1 and result['errors'][0]['code'] in ('DNS_TIMEOUT', 'DNS_ERROR')


@pytest.mark.parametrize('args', [{'domain': 'example.org:8448'}, {'domain': 'ex ample.org'}, {'domain': 'x', 'expected': {'port': 1}}])
def test_bad_options(tmp_path, args):
    result, rc, dummy = run_module('matrix_srv_check', args, tmp_path)
    assert rc == 1 and result['failed'] and result['msg']
