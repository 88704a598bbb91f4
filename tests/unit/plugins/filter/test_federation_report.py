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
    federation_junit,
    federation_matrix,
    federation_matrix_text,
    federation_prometheus,
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
                                        'federation_matrix_text': federation_matrix_text}


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
