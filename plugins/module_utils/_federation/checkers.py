# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A long list of server names spread over checker hosts, and their reports merged into one batch.

``playbooks/check.yml`` gives each host of its ``checkers`` group a share of
the servers (:func:`checker_share`); each tests its share from its own
network with ``matrix_federation_test`` and the controller merges what they
registered (:func:`merge_checker_shares`). A server that no checker tested
(a checker unreachable, its test failing, or a list that differs) gets a
report that fails with ``CHECKER_FAILED`` and says why, so every consumer
(matrix, text, HTML, JUnit, Prometheus) shows it instead of leaving it out.
"""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import untested_report

CHECKER_FAILED = 'CHECKER_FAILED'
_NEVER_RAN = 'it was unreachable or failed before its test ran'


class CheckerInputError(ValueError):
    """The input is not in a shape the shares are built from; the message says what was expected."""


def _names(value, what):
    if not isinstance(value, list) or not all(isinstance(n, str) and n for n in value):
        raise CheckerInputError('%s must be a list of server names' % what)
    return value


def checker_share(targets, checkers, checker):
    """The server names ``checker`` tests: every len(checkers)-th of ``targets`` (round robin, order kept).

    Round robin keeps a mixed list mixed on every checker (the slow, broken
    servers of one provider are not all on one host); shares are disjoint,
    cover every server once and differ in size by at most one.
    """
    targets = list(dict.fromkeys(_names(targets, 'targets')))
    checkers = _names(checkers, 'checkers')
    if checker not in checkers:
        raise CheckerInputError('%r is not one of the checkers (%s)' % (checker, ', '.join(checkers)))
    return targets[checkers.index(checker)::len(checkers)]


def _failed(name, checker, message):
    report = untested_report(name, finding(CHECKER_FAILED, message), 'not tested: ' + message)
    report['checked_from'] = checker
    return report


def _share_of(index, share):
    if not isinstance(share, dict) or not all(k in share for k in ('checker', 'share', 'results')):
        raise CheckerInputError('share %d must be a dict with checker, share and results' % index)
    checker = share['checker']
    if not isinstance(checker, str) or not checker:
        raise CheckerInputError('share %d: checker must be a non-empty string' % index)
    _names(share['share'], 'share of checker %r' % checker)
    if share['results'] is not None and not isinstance(share['results'], list):
        raise CheckerInputError('results of checker %r must be a list (the registered loop of its test) or null' % checker)
    return checker, share['share'], share['results']


def _part_reports(checker, index, part):
    """``(reports, failure)`` of one registered loop item of a checker's test."""
    if not isinstance(part, dict):
        raise CheckerInputError('result %d of checker %r must be a dict (a registered matrix_federation_test result)'
                                % (index, checker))
    if 'reports' in part:
        if not isinstance(part['reports'], dict) or not all(isinstance(r, dict) for r in part['reports'].values()):
            raise CheckerInputError('result %d of checker %r: reports must be a dict {server_name: report}' % (index, checker))
        return part['reports'], None
    return {}, str(part.get('msg') or 'the test returned no reports')


def merge_checker_shares(shares, targets):
    """One batch result from the checkers' registered tests.

    ``shares``: one ``{checker, share, results}`` per checker: its host name,
    the server names it was given and its registered loop results (null when
    it never ran). ``targets``: the server names the merging play expects.
    Returns ``{reports, checkers, failed_checkers}``: every report (targets'
    order first, then what only the checkers had) with ``checked_from``, the
    checker names, and ``{checker: why}`` for those whose test failed.
    """
    if not isinstance(shares, list):
        raise CheckerInputError('shares must be a list of {checker, share, results}, got %s' % type(shares).__name__)
    targets = _names(targets, 'targets')
    reports, failed, checkers = {}, {}, []
    for index, share in enumerate(shares):
        checker, names, results = _share_of(index, share)
        checkers.append(checker)
        if results is None:
            failed[checker] = _NEVER_RAN
            for name in names:
                reports.setdefault(name, _failed(name, checker, 'checker %s did not test %s: %s' % (checker, name, _NEVER_RAN)))
            continue
        for part_index, part in enumerate(results):
            found, failure = _part_reports(checker, part_index, part)
            for name, report in found.items():
                reports[name] = dict(report, checked_from=checker)
            if failure is not None:
                failed.setdefault(checker, failure)
                part_names = part.get('item') if isinstance(part.get('item'), list) else names
                for name in part_names:
                    if isinstance(name, str) and name not in reports:
                        reports[name] = _failed(name, checker, 'matrix_federation_test could not run on checker %s for %s: %s'
                                                % (checker, name, failure))
        for name in names:
            reports.setdefault(name, _failed(name, checker, 'checker %s returned no report of %s' % (checker, name)))
    for name in targets:
        reports.setdefault(name, _failed(
            name, None, 'no checker was given %s: the checkers read another list of servers (set '
                        'matrix_federation_check_peers where every checker reads it too, e.g. group_vars/all)' % name))
    ordered = list(dict.fromkeys(list(targets) + list(reports)))
    return {'reports': dict((name, reports[name]) for name in ordered), 'checkers': checkers, 'failed_checkers': failed}
