# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters rendering matrix_federation_test reports for people, CI and monitoring, and the N x N federation matrix."""

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.matrix.federation.plugins.module_utils._federation.catalogue import load_catalogue

from ansible_collections.matrix.federation.plugins.module_utils._federation.checkers import (
    CheckerInputError,
    checker_share,
    merge_checker_shares,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.federation_matrix import (
    MatrixInputError,
    build_federation_matrix,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.render import (
    render_junit,
    render_matrix_text,
    render_prometheus,
    render_reports_text,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.render_html import render_reports_html
from ansible_collections.matrix.federation.plugins.module_utils._federation.render_markdown import render_reports_markdown


def _reports(value):
    if isinstance(value, dict) and 'results' in value:  # a registered loop
        value = value['results']
    if not isinstance(value, (list, dict)):
        raise AnsibleFilterError('expected a matrix_federation_test report or a list of them, got %s' % type(value).__name__)
    return value


def federation_junit(value):
    """Render report(s) as JUnit XML."""
    return render_junit(_reports(value))


def federation_prometheus(value):
    """Render report(s) in the Prometheus textfile-collector format."""
    return render_prometheus(_reports(value))


def _catalogue():
    """The error catalogue; a catalogue that cannot be read is a warning and no causes or fixes, never a failure."""
    try:
        return load_catalogue()
    except (OSError, UnicodeError, ValueError) as exc:
        Display().warning('matrix.federation report filters: the error catalogue docs/errors.md cannot be read (%s): '
                          'the report shows codes and messages without cause and fix' % exc)
        return {}


def _optional_text(name, value):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise AnsibleFilterError('%s must be a string, got %s' % (name, type(value).__name__))
    return str(value)


def federation_report_text(value):
    """Report(s) as text: for several, one line per server first; per server its resolution, addresses, causes, fixes."""
    return render_reports_text(_reports(value), _catalogue())


def federation_report_html(value, title=None, generated_at=None):
    """Report(s) as one self-contained HTML page (no script, nothing loaded, every value escaped)."""
    return render_reports_html(_reports(value), _catalogue(), title=_optional_text('title', title),
                               generated_at=_optional_text('generated_at', generated_at))


def federation_report_markdown(value, title=None, generated_at=None):
    """Report(s) as Markdown for CI job summaries (GitHub, GitLab), server text made inert."""
    return render_reports_markdown(_reports(value), _catalogue(), title=_optional_text('title', title),
                                   generated_at=_optional_text('generated_at', generated_at))


def federation_matrix(results, health=None, signed=None):
    """Who reaches whom: ``{vantage: matrix_federation_test result}`` (health and signed-request results too) as data."""
    try:
        return build_federation_matrix(results, health, signed)
    except MatrixInputError as exc:
        raise AnsibleFilterError('federation_matrix: %s' % exc) from exc


def federation_matrix_text(matrix):
    """The matrix data as lines of text: a table, then each failing direction, conflict and back-off."""
    try:
        return render_matrix_text(matrix)
    except MatrixInputError as exc:
        raise AnsibleFilterError('federation_matrix_text: %s' % exc) from exc


def federation_checker_share(targets, checkers, checker):
    """The server names one host of the checkers group tests: every len(checkers)-th, round robin."""
    try:
        return checker_share(targets, checkers, checker)
    except CheckerInputError as exc:
        raise AnsibleFilterError('federation_checker_share: %s' % exc) from exc


def federation_checker_merge(shares, targets):
    """The checkers' registered tests as one batch result; a server no checker tested fails with CHECKER_FAILED."""
    try:
        return merge_checker_shares(shares, targets)
    except CheckerInputError as exc:
        raise AnsibleFilterError('federation_checker_merge: %s' % exc) from exc


class FilterModule:

    def filters(self):
        return {'federation_junit': federation_junit, 'federation_prometheus': federation_prometheus,
                'federation_matrix': federation_matrix, 'federation_matrix_text': federation_matrix_text,
                'federation_report_text': federation_report_text, 'federation_report_html': federation_report_html,
                'federation_report_markdown': federation_report_markdown,
                'federation_checker_share': federation_checker_share, 'federation_checker_merge': federation_checker_merge}
