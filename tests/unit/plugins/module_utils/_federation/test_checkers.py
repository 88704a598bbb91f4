# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Spreading a list of server names over checker hosts, and merging what they report."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.checkers import (
    CHECKER_FAILED,
    CheckerInputError,
    checker_share,
    merge_checker_shares,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.federation_matrix import build_federation_matrix
from ansible_collections.matrix.federation.plugins.module_utils._federation.render import render_reports_text


def _report(name, ok=True):
    errors = [] if ok else [{'code': 'CERT_NAME_MISMATCH', 'message': 'the certificate of %s names another host' % name}]
    return {'server_name': name, 'federation_ok': ok, 'errors': errors, 'federation_warnings': [],
            'resolution': {'server_name': name, 'method': 'default_port', 'targets': []}}


def _part(names, ok=True):
    """One registered loop item of the checker's test: the part's server names and its batch result."""
    return {'item': list(names), 'reports': dict((n, _report(n, ok)) for n in names), 'changed': False}


def _failed_part(names, msg):
    return {'item': list(names), 'failed': True, 'msg': msg}


TARGETS = ['a.test', 'b.test', 'c.test', 'd.test', 'e.test']


def test_shares_are_disjoint_cover_every_server_and_differ_by_at_most_one():
    for count in range(1, 8):
        checkers = ['chk%d' % i for i in range(count)]
        shares = [checker_share(TARGETS, checkers, c) for c in checkers]
        assert sorted(n for s in shares for n in s) == sorted(TARGETS)
        assert max(map(len, shares)) - min(map(len, shares)) <= 1
    # Round robin keeps a mixed list mixed on every checker, and the order of the list within a share.
    assert checker_share(TARGETS, ['x', 'y'], 'x') == ['a.test', 'c.test', 'e.test']
    assert checker_share(TARGETS, ['x', 'y'], 'y') == ['b.test', 'd.test']
    # Duplicates are tested once.
    assert checker_share(['a.test', 'a.test', 'b.test'], ['x', 'y'], 'y') == ['b.test']


def test_a_host_that_is_not_a_checker_gets_nothing_to_test():
    with pytest.raises(CheckerInputError, match="'z' is not one of the checkers"):
        checker_share(TARGETS, ['x', 'y'], 'z')


def test_merged_reports_name_the_checker_that_tested_each_server_in_the_targets_order():
    shares = [{'checker': 'x', 'share': ['a.test', 'c.test', 'e.test'], 'results': [_part(['a.test', 'c.test']), _part(['e.test'])]},
              {'checker': 'y', 'share': ['b.test', 'd.test'], 'results': [_part(['b.test', 'd.test'], ok=False)]}]
    merged = merge_checker_shares(shares, TARGETS)
    assert list(merged['reports']) == TARGETS
    assert [merged['reports'][n]['checked_from'] for n in TARGETS] == ['x', 'y', 'x', 'y', 'x']
    assert [merged['reports'][n]['federation_ok'] for n in TARGETS] == [True, False, True, False, True]
    assert merged['checkers'] == ['x', 'y'] and merged['failed_checkers'] == {}
    # The reports themselves are not changed in place (they are the registered results).
    assert 'checked_from' not in shares[0]['results'][0]['reports']['a.test']


def test_a_checker_that_never_reported_fails_its_share_with_the_reason():
    shares = [{'checker': 'x', 'share': ['a.test', 'c.test', 'e.test'], 'results': [_part(['a.test', 'c.test', 'e.test'])]},
              {'checker': 'y', 'share': ['b.test', 'd.test'], 'results': None}]
    merged = merge_checker_shares(shares, TARGETS)
    for name in ('b.test', 'd.test'):
        report = merged['reports'][name]
        assert report['federation_ok'] is False and report['checked_from'] == 'y'
        assert [e['code'] for e in report['errors']] == [CHECKER_FAILED]
        assert report['errors'][0]['message'] == (
            'checker y did not test %s: it was unreachable or failed before its test ran' % name)
    assert merged['failed_checkers'] == {'y': 'it was unreachable or failed before its test ran'}
    # The made-up report is one every consumer reads: the matrix and the text renderer.
    matrix = build_federation_matrix({'checkers': merged})
    assert [(f['from'], f['to'], f['codes']) for f in matrix['failing']] == [
        ('checkers', 'b.test', [CHECKER_FAILED]), ('checkers', 'd.test', [CHECKER_FAILED])]
    assert 'CHECKER_FAILED' in render_reports_text(list(merged['reports'].values()), {})


def test_a_part_whose_module_run_failed_fails_its_servers_with_the_module_message():
    shares = [{'checker': 'x', 'share': ['a.test', 'b.test', 'c.test'], 'results': [
        _part(['a.test']), _failed_part(['b.test', 'c.test'], 'the Python library cryptography is missing on x')]}]
    merged = merge_checker_shares(shares, ['a.test', 'b.test', 'c.test'])
    assert merged['reports']['a.test']['federation_ok'] is True
    assert merged['reports']['c.test']['errors'][0] == {
        'code': CHECKER_FAILED, 'message': 'matrix_federation_test could not run on checker x for c.test: '
                                           'the Python library cryptography is missing on x'}
    assert merged['failed_checkers'] == {'x': 'the Python library cryptography is missing on x'}


def test_a_server_no_checker_was_given_is_named_with_the_likely_cause():
    # The checkers read another peer list than the play that merges (peers set for homeservers only, say).
    shares = [{'checker': 'x', 'share': ['a.test'], 'results': [_part(['a.test'])]}]
    merged = merge_checker_shares(shares, ['a.test', 'z.test'])
    assert merged['reports']['z.test']['checked_from'] is None
    assert merged['reports']['z.test']['errors'][0]['message'] == (
        'no checker was given z.test: the checkers read another list of servers (set matrix_federation_check_peers where '
        'every checker reads it too, e.g. group_vars/all)')


def test_servers_only_the_checkers_had_are_kept_after_the_targets():
    shares = [{'checker': 'x', 'share': ['a.test', 'extra.test'], 'results': [_part(['a.test', 'extra.test'])]}]
    assert list(merge_checker_shares(shares, ['a.test'])['reports']) == ['a.test', 'extra.test']


@pytest.mark.parametrize('shares, message', [
    ('x', 'shares must be a list'),
    ([None], 'share 0 must be a dict with checker, share and results'),
    ([{'checker': '', 'share': [], 'results': None}], 'share 0: checker must be a non-empty string'),
    ([{'checker': 'x', 'share': 'a.test', 'results': None}], "share of checker 'x' must be a list of server names"),
    ([{'checker': 'x', 'share': [], 'results': {}}], "results of checker 'x' must be a list"),
    ([{'checker': 'x', 'share': ['a.test'], 'results': [7]}], "result 0 of checker 'x' must be a dict"),
    ([{'checker': 'x', 'share': ['a.test'], 'results': [{'item': ['a.test'], 'reports': []}]}],
     "result 0 of checker 'x': reports must be a dict"),
])
def test_input_in_another_shape_says_what_was_expected(shares, message):
    with pytest.raises(CheckerInputError, match=message):
        merge_checker_shares(shares, [])


def test_targets_must_be_server_names():
    with pytest.raises(CheckerInputError, match='targets must be a list of server names'):
        merge_checker_shares([], 'a.test')


def test_the_matrix_names_the_checkers_as_one_vantage_point():
    merged = merge_checker_shares([{'checker': 'x', 'share': ['a.test', 'b.test'], 'results': [_part(['a.test', 'b.test'])]}],
                                  ['a.test', 'b.test'])
    matrix = build_federation_matrix({'checkers': merged, 'a.test': {'reports': {'b.test': _report('b.test', ok=False)}}})
    assert matrix['vantages'] == ['checkers', 'a.test']
    assert [o['message'] for o in matrix['one_way']] == ['b.test is reached from the checkers but not from a.test']
    assert matrix['asymmetric'] == []
