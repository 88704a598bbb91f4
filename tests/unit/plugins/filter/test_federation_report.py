# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report filters (federation_junit, federation_prometheus) on one report, a list, and a registered loop."""

import xml.etree.ElementTree as ET

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.filter.federation_report import (
    FilterModule,
    federation_checker_merge,
    federation_checker_share,
    federation_junit,
    federation_matrix,
    federation_matrix_text,
    federation_prometheus,
    federation_report_html,
    federation_report_markdown,
    federation_report_text,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.render import render_junit, render_prometheus
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import build_report
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render import (
    _PROM_LINE,
    PEER_TEXT,
    _peer_report,
    _xml_clean,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_report import _conn, _discovery


def _reports():
    good = build_report('good.example', _discovery(), [('192.0.2.1:8448', _conn(), None)], 1500)
    bad = build_report('bad.example', _discovery(), [('192.0.2.2:8448', _conn(False), None)], 10)
    return good, bad


def test_filters_are_registered():
    assert FilterModule().filters() == {'federation_junit': federation_junit,
                                        'federation_prometheus': federation_prometheus,
                                        'federation_matrix': federation_matrix,
                                        'federation_matrix_text': federation_matrix_text,
                                        'federation_report_text': federation_report_text,
                                        'federation_report_html': federation_report_html,
                                        'federation_report_markdown': federation_report_markdown,
                                        'federation_checker_share': federation_checker_share,
                                        'federation_checker_merge': federation_checker_merge}


def test_the_checker_filters_are_the_library_functions_and_fail_as_filters():
    assert federation_checker_share(['a.test', 'b.test', 'c.test'], ['x', 'y'], 'x') == ['a.test', 'c.test']
    merged = federation_checker_merge([{'checker': 'x', 'share': ['a.test'], 'results': None}], ['a.test'])
    assert merged['reports']['a.test']['errors'][0]['code'] == 'CHECKER_FAILED'
    with pytest.raises(AnsibleFilterError, match="federation_checker_share: 'z' is not one of the checkers"):
        federation_checker_share(['a.test'], ['x'], 'z')
    with pytest.raises(AnsibleFilterError, match='federation_checker_merge: shares must be a list'):
        federation_checker_merge('x', [])


def test_a_registered_loop_renders_like_the_list_of_its_results():
    good, bad = _reports()
    registered = {'changed': False, 'msg': 'All items completed', 'results': [good, bad]}
    assert federation_junit(registered) == federation_junit([good, bad]) == render_junit([good, bad])
    assert federation_prometheus(registered) == federation_prometheus([good, bad]) == render_prometheus([good, bad])
    suites = ET.fromstring(federation_junit(registered)).findall('testsuite')
    assert [s.get('failures') for s in suites] == ['0', '6']


def test_one_report_renders_alone():
    good, dummy = _reports()
    prom = federation_prometheus(good)
    assert 'matrix_federation_ok{server_name="good.example"} 1' in prom and 'bad.example' not in prom
    assert len(ET.fromstring(federation_junit(good)).findall('testsuite')) == 1


@pytest.mark.parametrize('value', ['good.example', 42, None])
@pytest.mark.parametrize('render', [federation_junit, federation_prometheus])
def test_anything_else_is_a_filter_error(render, value):
    with pytest.raises(AnsibleFilterError) as info:
        render(value)
    assert 'expected a matrix_federation_test report or a list of them, got %s' % type(value).__name__ in str(info.value)


def test_peer_text_leaves_both_outputs_valid():
    report = _peer_report('peer' + PEER_TEXT)
    suite = ET.fromstring(federation_junit({'results': [report]}).encode('utf-8')).find('testsuite')
    assert suite.get('name') == _xml_clean('peer' + PEER_TEXT)
    lines = federation_prometheus([report]).encode('utf-8').decode('utf-8').splitlines()
    assert lines and all(_PROM_LINE.match(line) for line in lines)


def test_a_certificate_expiry_that_is_not_a_number_is_nan():
    good, dummy = _reports()
    good['connection_reports']['192.0.2.1:8448']['certificates'][0]['days_until_expiry'] = 'soon\n'
    prom = federation_prometheus(good)
    assert 'matrix_federation_cert_expiry_days{server_name="good.example",address="192.0.2.1:8448"} NaN' in prom


def _catalogue(monkeypatch, catalogue=None, error=None):
    """Make the filters' load_catalogue() return ``catalogue`` or raise ``error``; returns the calls."""
    calls = []

    def load(path=None):
        calls.append(path)
        if error:
            raise error
        return catalogue

    monkeypatch.setattr('ansible_collections.matrix.federation.plugins.filter.federation_report.load_catalogue', load)
    return calls


@pytest.mark.parametrize('render', [federation_report_text, federation_report_html, federation_report_markdown])
def test_report_filters_read_the_catalogue_once_and_take_every_shape(monkeypatch, render):
    calls = _catalogue(monkeypatch, {'KEYS_X': {'code': 'KEYS_X', 'level': 'error', 'cause': 'the cause of X',
                                                'fix': 'the fix of X', 'section': 'Checks'}})
    good, bad = _reports()
    registered = {'changed': False, 'msg': 'All items completed', 'results': [good, bad]}
    batch = {'federation_ok': False, 'reports': {'good.example': good, 'bad.example': bad}, 'summary': {}}
    out = render(registered)
    assert calls == [None]
    assert out == render([good, bad]) == render(batch) == render({'good.example': good, 'bad.example': bad})
    assert 'the cause of X' in out and 'the fix of X' in out
    assert 'good.example' in out and 'bad.example' in out
    assert 'bad.example' not in render(good)


@pytest.mark.parametrize('render', [federation_report_text, federation_report_html, federation_report_markdown])
def test_an_unreadable_catalogue_is_a_warning_not_a_failure(monkeypatch, render):
    _catalogue(monkeypatch, error=ValueError('code X is listed twice'))
    warnings = []
    monkeypatch.setattr('ansible.utils.display.Display.warning', lambda self, msg, *a, **k: warnings.append(msg))
    dummy, bad = _reports()
    out = render(bad)
    assert 'KEYS_X' in out and 'no catalogue entry' in out
    assert len(warnings) == 1 and 'code X is listed twice' in warnings[0]


def test_html_and_markdown_take_a_title_and_a_timestamp(monkeypatch):
    _catalogue(monkeypatch, {})
    good, dummy = _reports()
    page = federation_report_html(good, title='Our <peers>', generated_at='2026-12-03T08:00:00Z')
    assert '<title>Our &lt;peers&gt;</title>' in page and 'generated at 2026-12-03T08:00:00Z' in page
    markdown = federation_report_markdown(good, title='Our peers', generated_at='2026-12-03T08:00:00Z')
    assert markdown.startswith('# Our peers\n\n1 server(s): 1 federate, 0 fail · generated at 2026-12-03T08:00:00Z')
    with pytest.raises(AnsibleFilterError) as info:
        federation_report_html(good, title=['a'])
    assert 'title must be a string, got list' in str(info.value)


@pytest.mark.parametrize('value', ['good.example', 42, None])
@pytest.mark.parametrize('render', [federation_report_text, federation_report_html, federation_report_markdown])
def test_report_filters_refuse_anything_else(render, value):
    with pytest.raises(AnsibleFilterError) as info:
        render(value)
    assert 'expected a matrix_federation_test report or a list of them' in str(info.value)


def test_junit_and_prometheus_render_each_report_of_a_batch_result():
    good, bad = _reports()
    batch = {'federation_ok': False, 'reports': {'good.example': good, 'bad.example': bad}, 'summary': {},
             'federation_warnings': [], 'duration_ms': 5}
    assert federation_junit(batch) == federation_junit([good, bad])
    assert federation_prometheus(batch) == federation_prometheus([good, bad])
