# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
import json

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown import (
    assess_served_document,
    assess_served_documents,
    build_client_document,
    build_documents,
    build_server_document,
    build_support_document,
    check_https_url,
    compare_documents,
    parse_document,
    render_document,
    validate_client_document,
    validate_server_document,
    validate_support_document,
    well_known_host,
)


def codes(findings):
    return [f['code'] for f in findings]


# --------------------------------------------------------------------------- server


@pytest.mark.parametrize('value', [
    'matrix.example.com:443', 'matrix.example.com', 'example.com:8448', '1.2.3.4', '1.2.3.4:8448',
    '[2001:db8::1]', '[2001:db8::1]:443', 'localhost:8448',
])
def test_good_server_names(value):
    assert build_server_document(value) == {'m.server': value}


@pytest.mark.parametrize('value, fragment', [
    ('https://matrix.example.com', 'not a URL'),
    ('matrix.example.com/', 'not a URL'),
    ('matrix.example.com:0', 'invalid port'),
    ('matrix.example.com:99999', 'invalid port'),
    ('matrix example.com', 'whitespace'),
    ('2001:db8::1', 'brackets'),
    ('ex_ample.com', 'may only contain'),
    ('', 'non-empty'),
])
def test_bad_server_names(value, fragment):
    with pytest.raises(FederationError) as err:
        build_server_document(value)
    assert err.value.code == 'WELLKNOWN_SERVER_INVALID'
    assert fragment in err.value.message


def test_server_without_port_warns_about_8448():
    errors, warnings = validate_server_document({'m.server': 'matrix.example.com'})
    assert errors == []
    assert codes(warnings) == ['WELLKNOWN_SERVER_NO_PORT']
    assert '8448' in warnings[0]['message'] and 'matrix.example.com:443' in warnings[0]['message']
    assert validate_server_document({'m.server': 'matrix.example.com:443'}) == ([], [])
    assert validate_server_document({'m.server': '10.0.0.1'}) == ([], [])


def test_served_server_document_problems():
    assert codes(validate_server_document([])[0]) == ['WELLKNOWN_NOT_OBJECT']
    assert codes(validate_server_document({})[0]) == ['WELLKNOWN_SERVER_MISSING']
    assert codes(validate_server_document({'m.server': 42})[0]) == ['WELLKNOWN_SERVER_INVALID']
    errors, warnings = validate_server_document({'m.server': 'a.example:443', 'extra': 1})
    assert errors == [] and codes(warnings) == ['WELLKNOWN_SERVER_EXTRA_KEYS']


# --------------------------------------------------------------------------- URLs and client


@pytest.mark.parametrize('url', [
    'https://matrix.example.com', 'https://matrix.example.com/', 'https://matrix.example.com:8443',
    'https://matrix.example.com/prefix', 'https://[2001:db8::1]:8443', 'https://10.0.0.1',
])
def test_good_https_urls(url):
    assert check_https_url(url, 'base_url') == []


@pytest.mark.parametrize('url, code, fragment', [
    ('http://matrix.example.com', 'WELLKNOWN_URL_NOT_HTTPS', 'write "https://matrix.example.com"'),
    ('matrix.example.com', 'WELLKNOWN_URL_INVALID', 'must start with "https://"'),
    ('ftp://matrix.example.com', 'WELLKNOWN_URL_INVALID', 'must start with "https://"'),
    ('https://', 'WELLKNOWN_URL_INVALID', 'no host'),
    ('https://user:pw@matrix.example.com', 'WELLKNOWN_URL_INVALID', 'credentials'),
    ('https://matrix.example.com/?a=b', 'WELLKNOWN_URL_INVALID', 'query'),
    ('https://matrix.example.com:99999', 'WELLKNOWN_URL_INVALID', 'not a valid URL'),
    ('https://bad_host.example.com', 'WELLKNOWN_URL_INVALID', 'invalid host'),
    (' https://matrix.example.com', 'WELLKNOWN_URL_INVALID', 'whitespace'),
    (None, 'WELLKNOWN_URL_INVALID', 'non-empty'),
])
def test_bad_https_urls(url, code, fragment):
    findings = check_https_url(url, 'base_url')
    assert codes(findings) == [code]
    assert fragment in findings[0]['message']


def test_client_document_full():
    doc = build_client_document('https://matrix.example.com', 'https://id.example.com',
                                {'org.matrix.msc3575.proxy': {'url': 'https://sync.example.com'}})
    assert doc == {
        'm.homeserver': {'base_url': 'https://matrix.example.com'},
        'm.identity_server': {'base_url': 'https://id.example.com'},
        'org.matrix.msc3575.proxy': {'url': 'https://sync.example.com'},
    }
    assert build_client_document('https://matrix.example.com') == {
        'm.homeserver': {'base_url': 'https://matrix.example.com'}}


def test_client_http_base_url_is_refused_with_fix():
    with pytest.raises(FederationError) as err:
        build_client_document('http://matrix.example.com')
    assert err.value.code == 'WELLKNOWN_URL_NOT_HTTPS'
    assert 'm.homeserver.base_url' in err.value.message


def test_client_identity_server_http_refused():
    with pytest.raises(FederationError) as err:
        build_client_document('https://matrix.example.com', 'http://id.example.com')
    assert 'm.identity_server.base_url' in err.value.message


@pytest.mark.parametrize('extra, fragment', [
    ({'m.homeserver': {'base_url': 'https://x.example'}}, 'must not set m.homeserver'),
    ({'m.identity_server': {}}, 'must not set m.identity_server'),
    ({'proxy': 1}, 'namespaced identifier'),
    ({'org.example.x': float('nan')}, 'cannot be written as JSON'),
    ({'org.example.x': object()}, 'cannot be written as JSON'),
    (['org.example.x'], 'must be a dict'),
])
def test_client_bad_extra(extra, fragment):
    with pytest.raises(FederationError) as err:
        build_client_document('https://matrix.example.com', extra=extra)
    assert err.value.code == 'WELLKNOWN_CLIENT_EXTRA_INVALID'
    assert fragment in err.value.message


def test_served_client_document_problems():
    assert codes(validate_client_document({})[0]) == ['WELLKNOWN_CLIENT_MISSING_HOMESERVER']
    assert codes(validate_client_document({'m.homeserver': 'https://x.example'})[0]) == ['WELLKNOWN_URL_INVALID']
    errors, warnings = validate_client_document({'m.homeserver': {'base_url': 'https://x.example'}, 'foo': 1})
    assert errors == [] and codes(warnings) == ['WELLKNOWN_CLIENT_KEY_NOT_NAMESPACED']


# --------------------------------------------------------------------------- support


def test_support_document_good():
    doc = build_support_document(
        [{'matrix_id': '@admin:example.com', 'email_address': None, 'role': 'm.role.admin'},
         {'email_address': 'security@example.com', 'role': 'm.role.security'},
         {'matrix_id': '@abuse:example.com', 'role': 'org.example.role.abuse'}],
        'https://example.com/support')
    assert doc['contacts'][0] == {'matrix_id': '@admin:example.com', 'role': 'm.role.admin'}
    assert doc['support_page'] == 'https://example.com/support'
    assert build_support_document(support_page='https://example.com/help') == {
        'support_page': 'https://example.com/help'}


@pytest.mark.parametrize('contacts, support_page, fragment', [
    (None, None, 'needs "contacts" or "support_page"'),
    ([], None, 'needs "contacts" or "support_page"'),
    ([{'matrix_id': '@a:example.com'}], None, 'has no "role"'),
    ([{'matrix_id': '@a:example.com', 'role': 'admin'}], None, 'use m.role.admin, m.role.security'),
    ([{'matrix_id': '@a:example.com', 'role': 'm.role.owner'}], None, 'use m.role.admin, m.role.security'),
    ([{'role': 'm.role.admin'}], None, 'needs a "matrix_id" or an "email_address"'),
    ([{'matrix_id': 'admin@example.com', 'role': 'm.role.admin'}], None, 'Matrix user ID like'),
    ([{'matrix_id': '@:example.com', 'role': 'm.role.admin'}], None, 'empty localpart'),
    ([{'matrix_id': '@a:exa mple.com', 'role': 'm.role.admin'}], None, 'whitespace'),
    ([{'matrix_id': '@a b:example.com', 'role': 'm.role.admin'}], None, 'printable ASCII'),
    ([{'email_address': 'not-an-email', 'role': 'm.role.admin'}], None, 'not an email address'),
    ([{'email': 'a@example.com', 'role': 'm.role.admin'}], None, 'unknown keys email'),
    (['@a:example.com'], None, 'must be an object'),
    (None, 'http://example.com/help', 'uses http'),
    ([{'matrix_id': '@a:example.com', 'role': 'm.role.admin'}], 'example.com/help', 'must start with'),
])
def test_support_document_bad(contacts, support_page, fragment):
    with pytest.raises(FederationError) as err:
        build_support_document(contacts, support_page)
    assert fragment in err.value.message


def test_support_errors_are_all_reported():
    errors, dummy = validate_support_document({'contacts': [{'role': 'x'}, {'email_address': 'b', 'role': 'm.role.admin'}]})
    assert len(errors) == 3
    assert 'contacts[0]' in errors[0]['message'] and 'contacts[1]' in errors[2]['message']


def test_support_historical_user_id_warns():
    errors, warnings = validate_support_document(
        {'contacts': [{'matrix_id': '@Admin:example.com', 'role': 'm.role.admin'}]})
    assert errors == [] and codes(warnings) == ['WELLKNOWN_SUPPORT_HISTORICAL_USER_ID']


def test_served_support_not_a_list():
    errors, dummy = validate_support_document({'contacts': {'role': 'm.role.admin'}})
    assert 'must be a list' in errors[0]['message']


# --------------------------------------------------------------------------- build_documents, render, parse


def test_build_documents_collects_warnings():
    documents, warnings = build_documents(
        server='matrix.example.com',
        client={'base_url': 'https://matrix.example.com', 'identity_server': None, 'extra': {}},
        support=None)
    assert sorted(documents) == ['client', 'server']
    assert codes(warnings) == ['WELLKNOWN_SERVER_NO_PORT']
    assert build_documents() == ({}, [])


def test_build_documents_client_without_base_url():
    with pytest.raises(FederationError) as err:
        build_documents(client={'base_url': None})
    assert 'm.homeserver.base_url' in err.value.message


def test_render_is_deterministic_and_sorted():
    one = render_document({'b': 1, 'a': {'z': 'é', 'y': [1, 2]}})
    two = render_document(dict([('a', {'y': [1, 2], 'z': 'é'}), ('b', 1)]))
    assert one == two
    assert one == b'{\n  "a": {\n    "y": [\n      1,\n      2\n    ],\n    "z": "\\u00e9"\n  },\n  "b": 1\n}\n'
    assert json.loads(one.decode('ascii')) == {'b': 1, 'a': {'z': u'é', 'y': [1, 2]}}


def test_render_refuses_non_json():
    with pytest.raises(FederationError) as err:
        render_document({'a': float('inf')})
    assert err.value.code == 'WELLKNOWN_NOT_JSON'


@pytest.mark.parametrize('data, fragment', [
    (b'<!DOCTYPE html><html></html>', 'HTML'),
    ('  <html>', 'HTML'),
    (b'{"m.server": ', 'not valid JSON'),
    (b'\xff\xfe', 'not UTF-8'),
])
def test_parse_document_errors(data, fragment):
    with pytest.raises(FederationError) as err:
        parse_document(data)
    assert err.value.code == 'WELLKNOWN_NOT_JSON'
    assert fragment in err.value.message


def test_parse_document_good():
    assert parse_document(b'{"m.server": "a.example:443"}') == {'m.server': 'a.example:443'}


# --------------------------------------------------------------------------- compare


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


# --------------------------------------------------------------------------- served documents


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
