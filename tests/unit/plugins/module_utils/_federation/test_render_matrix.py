# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The federation matrix as text: table, failing directions, one-way failures, conflicts, back-off (pure)."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.federation_matrix import (
    MatrixInputError,
    build_federation_matrix,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.render import render_matrix_text
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_federation_matrix import (
    batch,
    everyone_ok,
    health,
    report,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render import PEER_TEXT


def test_the_table_and_what_follows_it():
    results = everyone_ok()
    results['example.test']['reports']['third.test'] = report('third.test', 'CERT_UNTRUSTED')
    del results['other.test']['reports']['peer.test']
    matrix = build_federation_matrix(results, {
        'example.test': health('12', range(1, 13), [{'destination': 'third.test', 'retry_interval_ms': 3600000}]),
        'third.test': health('11', range(1, 12), None),
        'other.test': {'failed': True, 'msg': 'HTTP 401: token refused'}})
    assert render_matrix_text(matrix) == [
        'federation matrix: 4 vantage point(s), 4 server(s), 1 failing direction(s)',
        'from / to     example.test  other.test  third.test  peer.test',
        'controller    ok            ok          ok          ok',
        'example.test  -             ok          FAIL        ok',
        'other.test    ok            -           ok          -',
        'third.test    ok            ok          -           ok',
        'FAIL example.test -> third.test: CERT_UNTRUSTED: third.test: CERT_UNTRUSTED from here',
        'one-way: third.test is reached from the controller and other.test but not from example.test',
        'asymmetric: third.test reaches example.test, but example.test cannot reach third.test (CERT_UNTRUSTED)',
        'ROOM_VERSION_UNSUPPORTED: rooms created on example.test use version 12 by default; third.test supports 1-11: '
        'create shared rooms with room_version 11 or set default_room_version to 11 on example.test',
        'example.test backs off from third.test (retry interval 60 min)',
        'health check failed on other.test: HTTP 401: token refused',
    ]


def test_all_ok():
    lines = render_matrix_text(build_federation_matrix({'controller': batch(report('a.test'))}))
    assert lines == ['federation matrix: 1 vantage point(s), 1 server(s), every direction ok',
                     'from / to   a.test', 'controller  ok']


def test_every_line_stays_one_line_whatever_the_peer_sent():
    name = 'peer' + PEER_TEXT
    results = {'controller': [report(name, 'KEYS_X')], 'a.test': [report(name)]}
    results['controller'][0]['errors'][0]['message'] = 'bad ' + PEER_TEXT
    lines = render_matrix_text(build_federation_matrix(results))
    assert len(lines) == 6
    for line in lines:
        assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or 0xd800 <= ord(c) <= 0xdfff for c in line)
        line.encode('utf-8')


def test_back_off_intervals():
    matrix = build_federation_matrix({}, {'a.test': health('1', [1], [
        {'destination': 'b.test', 'retry_interval_ms': 30000}, {'destination': 'c.test', 'retry_interval_ms': 600000},
        {'destination': 'd.test', 'retry_interval_ms': 86400000}])})
    assert render_matrix_text(matrix)[-1] == (
        'a.test backs off from b.test (retry interval 30 s), c.test (retry interval 10 min), d.test (retry interval 24.0 h)')


@pytest.mark.parametrize('value', [None, [], {'vantages': []}, {'controller': batch(report('a.test'))}])
def test_anything_but_a_matrix_is_refused(value):
    with pytest.raises(MatrixInputError) as info:
        render_matrix_text(value)
    assert 'expected the output of matrix.federation.federation_matrix' in str(info.value)


def test_signed_requests_are_listed_and_a_rejection_named():
    peers = {'b.test': {'accepted': True, 'errors': []},
             'c.test': {'accepted': False, 'errors': [{'code': 'SIGNED_KEY_NOT_FETCHED', 'message': 'c.test: no key'}]}}
    matrix = build_federation_matrix({'controller': batch(report('a.test'))}, signed={'a.test': {'peers': peers}})
    lines = render_matrix_text(matrix)
    assert lines[-2:] == ['signed requests from a.test: b.test accepted, c.test REJECTED',
                          'SIGNED a.test -> c.test: SIGNED_KEY_NOT_FETCHED: c.test: no key']
