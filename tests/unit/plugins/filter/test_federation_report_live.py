# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report filters on what matrix_federation_test returns now, run against the loopback lab."""

from ansible_collections.matrix.federation.plugins.filter.federation_report import FilterModule
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render_html import (
    CATALOGUE,
    assert_inert,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render_markdown import (
    assert_well_formed,
)
from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module


def test_pages_of_a_live_batch_with_a_passing_and_a_failing_server(federation_lab, tmp_path, monkeypatch):
    monkeypatch.setattr('ansible_collections.matrix.federation.plugins.filter.federation_report.load_catalogue',
                        lambda path=None: CATALOGUE)
    names = ['wksrv.lab.test', 'certsrv.lab.test']
    result, rc, dummy = run_module('matrix_federation_test', {
        'server_names': names, 'nameservers': federation_lab.nameservers, 'ca_path': federation_lab.ca_path,
        'timeout': 3, 'fail_on_error': False}, tmp_path)
    assert rc == 0 and result['federation_ok'] is False
    filters = FilterModule().filters()
    page = filters['federation_report_html'](result, title='live', generated_at='now')
    text = ' '.join(assert_inert(page).text)
    for name in names:
        assert name in text
    assert 'certificate does not cover the name the spec checks' in text
    assert '2 server(s): 1 federate, 1 fail' in text
    markdown = filters['federation_report_markdown'](result)
    assert_well_formed(markdown)
    assert '| certsrv.lab.test | **FAILS** | 1 | 0 | CERT\\_NAME\\_MISMATCH |' in markdown
    lines = filters['federation_report_text'](result).split('\n')
    assert lines[:3] == ['2 servers: 1 federate, 1 fail',
                         '  wksrv.lab.test    federates 0 error(s), 0 warning(s)',
                         '  certsrv.lab.test  FAILS     1 error(s), 0 warning(s): CERT_NAME_MISMATCH']
    assert '    fix: issue a certificate with the right SAN' in lines
