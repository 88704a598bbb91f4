# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property-based fuzzing of the parsers that read what remote servers send: a coded result, never an exception.

Well-known documents, key responses, SRV answers and server names come
from servers nobody vouches for. Hypothesis feeds the pure functions random
and mutated input; each must return its defined result or raise
``FederationError`` with a code. Derandomized and without an example
database, so every run (and CI) tries the same inputs; the file runs in
well under 30 s. The file is named after discovery, the step that takes in
all of these answers (tests/unit mirrors plugins/, see test_layout.py).
"""

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.checks import (
    build_connection_report,
    evaluate_server_keys,
    parse_version,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import (
    bounded_addresses,
    well_known_delegation,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import order_srv_records, parse_nameservers
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsResponse
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import (
    ServerName,
    dns_name_problem,
    parse_server_name,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    GO_CHECKS,
    HOST_MAX_ADDRESSES,
    JSON_MAX_DEPTH,
    srv_names,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown import validate_server_document

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SERVER = 'example.org'
NOW_MS = 1767225600000  # 2026-01-01
SEED = signing.decode_base64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1')
KEY = signing.signing_key_from_seed(SEED)
PUBLIC = signing.public_key_from_seed(SEED)


def _assert_findings(entries):
    for entry in entries:
        assert set(entry) == {'code', 'message'}
        assert isinstance(entry['code'], str) and entry['code'].isupper() and entry['message']


# --------------------------------------------------------------------------- strategies

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)
hostish = st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789-._:[]%@/ \t\n\u00e9', max_size=40)


def _signed_keys(now_ms=NOW_MS):
    body = {'server_name': SERVER, 'valid_until_ts': now_ms + 86400000,
            'verify_keys': {'ed25519:a': {'key': PUBLIC}}, 'old_verify_keys': {}}
    return signing.sign_json(body, SERVER, 'ed25519:a', KEY)


@st.composite
def mutated_keys(draw):
    """A valid signed key response with random parts replaced, dropped or retyped."""
    keys = _signed_keys()
    for dummy in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from([
            ('server_name',), ('valid_until_ts',), ('verify_keys',), ('verify_keys', 'ed25519:a'),
            ('verify_keys', 'ed25519:a', 'key'), ('signatures',), ('signatures', SERVER),
            ('signatures', SERVER, 'ed25519:a'), ('old_verify_keys',), ('extra',)]))
        parent = keys
        for step in path[:-1]:
            parent = parent.get(step) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            if draw(st.booleans()):
                parent[path[-1]] = draw(json_values)
            else:
                parent.pop(path[-1], None)
    return keys


@st.composite
def mutated_bytes(draw, seed):
    """``seed`` with a few bytes flipped, dropped or inserted."""
    data = bytearray(seed)
    for dummy in range(draw(st.integers(min_value=1, max_value=6))):
        if not data:
            break
        where = draw(st.integers(min_value=0, max_value=len(data) - 1))
        action = draw(st.sampled_from(['flip', 'drop', 'insert']))
        if action == 'flip':
            data[where] = draw(st.integers(min_value=0, max_value=255))
        elif action == 'drop':
            del data[where]
        else:
            data.insert(where, draw(st.integers(min_value=0, max_value=255)))
    return bytes(data)


def _nested(depth, inner=b'1'):
    return b'[' * depth + inner + b']' * depth


bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode('utf-8')),
    mutated_keys().map(lambda v: json.dumps(v).encode('utf-8')),
    st.integers(min_value=1, max_value=3000).map(_nested),
    st.integers(min_value=1, max_value=3000).map(lambda d: b'{"a":' * d + b'{}' + b'}' * d),
    mutated_bytes(json.dumps(_signed_keys()).encode('utf-8')),
)


def _response(body, status=200):
    response = HttpsResponse()
    response.ip, response.port, response.status, response.body = '192.0.2.1', 8448, status, body
    response.headers = {'content-type': 'application/json'}
    response.tls_version, response.cipher = 'TLSv1.3', 'TLS_AES_128_GCM_SHA256'
    return response


def _depth(value):
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


# --------------------------------------------------------------------------- JSON bodies

@FUZZ
@given(bodies)
def test_response_json_is_a_value_or_invalid_json(body):
    try:
        value = _response(body).json()
    except FederationError as exc:
        assert exc.code == 'INVALID_JSON' and exc.message.startswith('body is not valid JSON')
    else:
        assert _depth(value) <= JSON_MAX_DEPTH


# --------------------------------------------------------------------------- well-known documents

@FUZZ
@given(st.one_of(json_values, st.dictionaries(st.just('m.server'), st.one_of(hostish, json_values), min_size=1)))
def test_well_known_server_document_validation_gives_findings(doc):
    errors, warnings = validate_server_document(doc)
    _assert_findings(errors + warnings)


@FUZZ
@given(bodies, st.one_of(st.none(), st.just({'code': 'WELLKNOWN_HTTP_STATUS', 'message': 'HTTP 500'})),
       st.lists(st.sampled_from(['WELLKNOWN_HTML', 'WELLKNOWN_CONTENT_TYPE']), max_size=2))
def test_well_known_delegation_is_a_server_name_or_none(body, error, warning_codes):
    try:
        parsed = _response(body).json()
    except FederationError:
        parsed = None
    well_known = {'url': 'https://example.org/.well-known/matrix/server', 'json': parsed, 'error': error,
                  'warnings': [{'code': code, 'message': code.lower()} for code in warning_codes]}
    warnings = []
    delegated = well_known_delegation(well_known, warnings)
    _assert_findings(warnings)
    assert delegated is None or isinstance(delegated, ServerName)
    if delegated is not None:
        assert delegated.raw == parsed['m.server']


# --------------------------------------------------------------------------- key and version responses

@FUZZ
@given(st.one_of(mutated_keys(), json_values),
       st.one_of(st.none(), st.dictionaries(st.text(max_size=12), st.text(max_size=50), max_size=3)))
def test_key_checks_give_findings(keys, expected):
    result = evaluate_server_keys(keys, SERVER, NOW_MS, expected)
    _assert_findings(result['errors'] + result['warnings'])
    assert set(result['checks']) >= {'matching_server_name', 'future_valid_until_ts', 'has_ed25519_key',
                                     'all_ed25519_checks_ok', 'ed25519_checks'}
    if result['checks']['all_ed25519_checks_ok'] and result['checks']['matching_server_name']:
        assert result['checks']['has_ed25519_key']


def test_the_unmutated_key_response_passes():
    assert evaluate_server_keys(_signed_keys(), SERVER, NOW_MS)['errors'] == []


@FUZZ
@given(bodies, bodies, st.sampled_from([200, 200, 404, 500, 302]), st.sampled_from([200, 404]))
def test_connection_report_of_any_key_and_version_answer(keys_body, version_body, key_status, version_status):
    probe = {'key_response': _response(keys_body, key_status), 'key_error': None,
             'version_response': _response(version_body, version_status), 'version_error': None}
    resolution = {'sni': SERVER, 'host_header': SERVER}
    target = {'host': SERVER, 'port': 8448, 'addresses': ['192.0.2.1']}
    report, error = build_connection_report(SERVER, resolution, target, '192.0.2.1', probe, NOW_MS / 1000.0)
    assert error is None
    _assert_findings(report['errors'] + report['warnings'])
    assert set(report['checks']) >= set(GO_CHECKS)
    assert report['checks']['all_checks_ok'] is all(report['checks'][name] for name in GO_CHECKS)
    assert isinstance(report['version'], dict)


@FUZZ
@given(st.integers(min_value=100, max_value=599), json_values)
def test_version_parse_gives_a_name_or_an_error(status, body):
    parsed = parse_version(status, body)
    assert set(parsed) in ({'error'}, {'name', 'version'})


# --------------------------------------------------------------------------- SRV answers

srv_records = st.lists(st.fixed_dictionaries({
    'priority': st.integers(min_value=0, max_value=65535), 'weight': st.integers(min_value=0, max_value=65535),
    'port': st.integers(min_value=0, max_value=65535),
    'target': st.sampled_from(['.', 'a.example.org', 'b.example.org', 'c.example.net'])}), max_size=40)


@FUZZ
@given(srv_records, st.integers(min_value=0, max_value=2 ** 32))
def test_srv_order_is_a_priority_ordered_permutation(records, seed):
    ordered = order_srv_records([dict(r) for r in records], random.Random(seed))
    assert sorted(map(repr, ordered)) == sorted(map(repr, records))
    assert [r['priority'] for r in ordered] == sorted(r['priority'] for r in records)


@FUZZ
@given(st.lists(st.ip_addresses(v=4).map(str), max_size=30, unique=True),
       st.lists(st.ip_addresses(v=6).map(str), max_size=30, unique=True))
def test_bounded_addresses(ipv4, ipv6):
    kept, warning = bounded_addresses({'host': 'h.example.org', 'addresses': ipv4 + ipv6, 'ipv4': ipv4, 'ipv6': ipv6})
    assert len(kept) == min(HOST_MAX_ADDRESSES, len(ipv4) + len(ipv6))
    assert set(kept) <= set(ipv4 + ipv6) and (warning is None) is (len(kept) == len(ipv4) + len(ipv6))
    if ipv4 and ipv6:
        assert set(kept) & set(ipv4) and set(kept) & set(ipv6)


@FUZZ
@given(st.lists(hostish, max_size=4))
def test_nameserver_options_parse_or_give_a_code(entries):
    try:
        parsed = parse_nameservers(entries)
    except FederationError as exc:
        assert exc.code == 'INVALID_NAMESERVER'
    else:
        assert all(0 < port <= 65535 for dummy, port in parsed)


# --------------------------------------------------------------------------- server names

labels = st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789-', min_size=1, max_size=70)
grammar_names = st.builds(lambda parts, port: '.'.join(parts) + port, st.lists(labels, min_size=1, max_size=6),
                          st.sampled_from(['', ':8448', ':0', ':65536', ':', ':x']))


@FUZZ
@given(st.one_of(hostish, grammar_names, st.text(max_size=300),
                 st.ip_addresses().map(lambda ip: '[%s]' % ip if ip.version == 6 else str(ip))))
def test_server_names_parse_or_give_a_code(raw):
    try:
        parsed = parse_server_name(raw)
    except FederationError as exc:
        assert exc.code == 'INVALID_SERVER_NAME' and exc.message
        return
    assert parsed.raw == raw
    assert parsed.port is None or 0 < parsed.port <= 65535
    if not parsed.is_ip_literal:
        assert dns_name_problem(parsed.host) is None
        for name in srv_names(parsed.host):
            problem = dns_name_problem(name)
            assert problem is None or 'octets' in problem
