# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Building the report from connection results (pure)."""

from ansible_collections.matrix.federation.plugins.module_utils._federation.report import build_report


def _conn(ok=True):
    checks = dict((k, ok) for k in ('matching_server_name', 'future_valid_until_ts', 'has_ed25519_key',
                                    'all_ed25519_checks_ok', 'valid_certificates', 'all_checks_ok'))
    return {'checks': checks, 'errors': [] if ok else [{'code': 'KEYS_X', 'message': 'bad'}], 'warnings': [],
            'version': {'name': 'S', 'version': '1'}, 'certificates': [{'days_until_expiry': 30.5}]}


def _discovery():
    return {'resolution': {'method': 'default', 'server_name': 'example.org', 'targets': [
        {'host': 'example.org', 'port': 8448, 'addresses': ['192.0.2.1', '2001:db8::1']}]},
        'well_known_result': None, 'dns_result': {}, 'errors': [], 'warnings': []}


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
