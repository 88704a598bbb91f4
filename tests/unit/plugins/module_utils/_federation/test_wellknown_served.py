# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Judging served well-known documents: where they are fetched, differences, verdicts (pure)."""

import json

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_served import (
    assess_served_document,
    assess_served_documents,
    compare_documents,
    well_known_host,
)


def codes(findings):
    return [f['code'] for f in findings]


def test_compare_equal():
    doc = {'m.homeserver': {'base_url': 'https://a.example'}, 'x.y': [1, {'a': True}]}
    assert compare_documents(doc, json.loads(json.dumps(doc)), 'client') == []


def test_compare_reports_each_difference_with_json_pointer():
    wanted = {'m.homeserver': {'base_url': 'https://a.example'}, 'org.a/b': 1,
              'contacts': [{'role': 'm.role.admin'}, {'role': 'm.role.security'}]}
    served = {'m.homeserver': {'base_url': 'https://b.example'}, 'extra.key': 'x', 'org.a/b': 1.0,
              'contacts': [{'role': 'm.role.admin'}]}
    diffs = compare_documents(wanted, served, 'client')
    by_path = dict((d['path'], d) for d in diffs)
    assert sorted(by_path) == ['/contacts/1', '/extra.key', '/m.homeserver/base_url', '/org.a~1b']
    assert by_path['/contacts/1']['kind'] == 'missing'
    assert by_path['/extra.key']['kind'] == 'unexpected'
    assert by_path['/org.a~1b']['kind'] == 'changed'
    base = by_path['/m.homeserver/base_url']
    assert (base['wanted'], base['served'], base['document']) == ('https://a.example', 'https://b.example', 'client')
    assert base['message'] == ('client document: /m.homeserver/base_url is "https://b.example", '
                               'expected "https://a.example"')


def test_compare_whole_document_type_mismatch():
    diffs = compare_documents({'m.server': 'a.example:443'}, ['m.server'], 'server')
    assert len(diffs) == 1 and diffs[0]['path'] == '/' and diffs[0]['kind'] == 'changed'
    assert compare_documents({'a': True}, {'a': 1})[0]['kind'] == 'changed'


@pytest.mark.parametrize('kwargs, host, warned', [
    ({'url': 'https://example.com'}, 'example.com', False),
    ({'url': 'https://example.com/'}, 'example.com', False),
    ({'url': 'https://127.0.0.1:8443'}, '127.0.0.1:8443', False),
    ({'server_name': 'example.com'}, 'example.com', False),
    ({'server_name': 'Example.com:8448'}, 'example.com', True),
    ({'server_name': '[2001:db8::1]'}, '[2001:db8::1]', True),
])
def test_well_known_host(kwargs, host, warned):
    got, warnings = well_known_host(**kwargs)
    assert got == host
    assert codes(warnings) == (['WELLKNOWN_SERVER_IGNORED'] if warned else [])


@pytest.mark.parametrize('kwargs, fragment', [
    ({'url': 'http://example.com'}, 'uses http'),
    ({'url': 'https://example.com/matrix'}, 'without a path'),
    ({'server_name': 'https://example.com'}, 'use the url option'),
    ({'server_name': 'example.com:0'}, 'invalid port'),
])
def test_well_known_host_bad(kwargs, fragment):
    with pytest.raises(FederationError) as err:
        well_known_host(**kwargs)
    assert fragment in err.value.message


def fetched(json_doc=None, status=200, headers=None, error=None, warnings=None, redirects=None):
    return {'url': 'https://example.com/.well-known/matrix/x', 'status': status,
            'headers': headers if headers is not None else {'Content-Type': 'application/json',
                                                            'Access-Control-Allow-Origin': '*'},
            'content_type': 'application/json', 'body_text': json.dumps(json_doc), 'json': json_doc,
            'redirects': redirects or [], 'error': error, 'warnings': warnings or []}


def test_assess_good_and_different():
    good = assess_served_document('server', fetched({'m.server': 'a.example:443'}), {'m.server': 'a.example:443'})
    assert (good['errors'], good['warnings'], good['differences']) == ([], [], [])
    bad = assess_served_document('server', fetched({'m.server': 'b.example:443'}), {'m.server': 'a.example:443'})
    assert bad['errors'] == [] and [d['path'] for d in bad['differences']] == ['/m.server']


def test_assess_cors_header_case_insensitive():
    doc = {'m.homeserver': {'base_url': 'https://a.example'}}
    ok = assess_served_document('client', fetched(doc, headers={'access-control-allow-origin': '*'}), doc)
    assert ok['errors'] == []
    missing = assess_served_document('client', fetched(doc, headers={}), doc)
    assert codes(missing['errors']) == ['WELLKNOWN_CLIENT_NO_CORS']
    # The server document needs no CORS header.
    assert assess_served_document('server', fetched({'m.server': 'a.example:443'}, headers={}))['errors'] == []


def test_assess_not_served():
    not_found = fetched(None, status=404, error={'code': 'WELLKNOWN_HTTP_STATUS', 'message': 'HTTP 404'},
                        warnings=[{'code': 'WELLKNOWN_HTML', 'message': 'html'}])
    assert codes(assess_served_document('server', not_found, {'m.server': 'a.example'})['errors']) == [
        'WELLKNOWN_NOT_SERVED']
    only_validate = assess_served_document('support', not_found)
    assert only_validate['errors'] == [] and only_validate['warnings'] == []
    assert assess_served_document('server', not_found, expect_absent=True)['errors'] == []


def test_assess_absent_but_broken():
    broken = fetched(None, status=500, error={'code': 'WELLKNOWN_HTTP_STATUS', 'message': 'HTTP 500'})
    report = assess_served_document('client', broken, expect_absent=True)
    assert codes(report['errors']) == ['WELLKNOWN_HTTP_STATUS'] and 'instead of 404' in report['errors'][0]['message']
    unreachable = fetched(None, status=None, error={'code': 'WELLKNOWN_CONNECTION_REFUSED', 'message': 'refused'})
    assert codes(assess_served_document('client', unreachable, expect_absent=True)['errors']) == [
        'WELLKNOWN_CONNECTION_REFUSED']


def test_assess_documents_summary():
    result = assess_served_documents(
        {'server': fetched({'m.server': 'a.example:443'}),
         'client': fetched({'m.homeserver': {'base_url': 'http://a.example'}})},
        {'server': {'m.server': 'a.example:443'}})
    assert result['wellknown_ok'] is False
    assert codes(result['errors']) == ['WELLKNOWN_URL_NOT_HTTPS']
    assert sorted(result['served']) == ['client', 'server']
    assert result['served']['client']['access_control_allow_origin'] == '*'
