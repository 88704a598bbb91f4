# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown import (
    build_client_document,
    build_documents,
    build_server_document,
    build_support_document,
    check_https_url,
    render_document,
    validate_client_document,
    validate_server_document,
    validate_support_document,
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


# --------------------------------------------------------------------------- compare


# --------------------------------------------------------------------------- served documents
