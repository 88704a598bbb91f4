# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rendering reports as JSON, JUnit XML and Prometheus text (pure)."""

import xml.etree.ElementTree as ET

from ansible_collections.matrix.federation.plugins.module_utils._federation.render import render_json, render_junit, render_prometheus
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import build_report
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_report import _conn, _discovery


def test_renderers():
    good = build_report('good.example', _discovery(), [('192.0.2.1:8448', _conn(), None)], 1500)
    bad = build_report('bad"name', _discovery(), [('192.0.2.2:8448', _conn(False), None)], 10)
    assert '"federation_ok": true' in render_json(good)
    root = ET.fromstring(render_junit([good, bad]))
    suites = root.findall('testsuite')
    assert [s.get('failures') for s in suites] == ['0', '6']
    prom = render_prometheus({'a': good, 'b': bad})
    assert 'matrix_federation_ok{server_name="good.example"} 1' in prom
    assert 'matrix_federation_ok{server_name="bad\\"name"} 0' in prom
    assert 'matrix_federation_cert_expiry_days{server_name="good.example",address="192.0.2.1:8448"} 30.5' in prom
    assert 'matrix_federation_duration_seconds{server_name="good.example"} 1.500' in prom
