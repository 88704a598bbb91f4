# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Markdown summary of real lab reports and of hostile ones (pure)."""

import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.render_markdown import (
    md_text,
    render_reports_markdown,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render_html import (
    CATALOGUE,
    HOSTILE,
    hostile_samples,
    samples,
)

# A cell separator: a pipe no backslash escapes.
_SEPARATOR = re.compile(r'(?<!\\)\|')


def _tables(markdown):
    """Each table as its lines (header, delimiter, rows)."""
    tables, current = [], []
    for line in markdown.split('\n'):
        if line.startswith('|'):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def assert_well_formed(markdown):
    """Every table row has the header's number of cells; no raw HTML but ``<br>``; no control character."""
    assert not re.search('[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]', markdown)
    markdown.encode('utf-8')
    tables = _tables(markdown)
    assert tables
    for table in tables:
        width = len(_SEPARATOR.findall(table[0]))
        assert re.match(r'^\|(---\|)+$', table[1]), table[1]
        for row in table[2:]:
            assert row.endswith(' |') and len(_SEPARATOR.findall(row)) == width, row
    assert re.findall(r'<[^>]*>', markdown.replace('<br>', '')) == []
    return tables


def test_summary_of_every_lab_report():
    batch = samples()
    markdown = render_reports_markdown(batch, CATALOGUE, title='Lab', generated_at='2026-12-03 07:30 UTC')
    tables = assert_well_formed(markdown)
    assert markdown.startswith('# Lab\n\n12 server(s): 6 federate, 6 fail · generated at 2026-12-03 07:30 UTC\n'
                               if len(batch['reports']) == 12 else '# Lab\n\n')
    overview = tables[0]
    assert overview[0] == '| server | verdict | errors | warnings | error codes |'
    assert len(overview) == 2 + len(batch['reports'])
    assert '| certsrv.lab.test | **FAILS** | 1 | 0 | CERT\\_NAME\\_MISMATCH |' in overview
    assert '| wksrv.lab.test | federates | 0 | 0 | none |' in overview
    section = markdown[markdown.index('## ❌ certsrv.lab.test: FAILS'):]
    section = section[:section.index('\n## ')]
    assert '- `CERT_NAME_MISMATCH` 127.' in section
    assert '  - cause: certificate does not cover the name the spec checks' in section
    assert '  - fix: issue a certificate with the right SAN' in section
    assert '| address | verdict | MatchingServerName | FutureValidUntilTS | HasEd25519Key | AllEd25519ChecksOK | ' \
           'ValidCertificates | AllChecksOK | media route | TLS |' in section
    assert re.search(r'\| \*\*FAIL\*\* \| ok \| ok \| ok \| ok \| \*\*FAIL\*\* \| \*\*FAIL\*\* \| homeserver', section)
    assert '| \\_matrix-fed.\\_tcp.certsrv.lab.test | 10 5 8454 target-certsrv.lab.test | – |' in section
    assert '#### Certificates (leaf first)' in section and 'CN=target-certsrv.lab.test' in section
    notaries = markdown[markdown.index('## ❌ origin.notary.test:8443'):]
    assert '- `NOTARY_KEY_MISMATCH` n-other-key.notary.test:8443 holds' in notaries
    assert '  - no catalogue entry' in notaries


def test_catalogue_code_spans_stay_code():
    markdown = render_reports_markdown(samples(), CATALOGUE)
    assert '  - fix: homeserver `server_name` must be the user-ID domain' in markdown


def test_cells_escape_pipes_newlines_backticks_and_markup():
    assert md_text('a|b\nc`d`<img src=x>&[l](u)*e*_f_~g~$h$@i#1\r\nj') == (
        'a\\|b<br>c\\`d\\`&lt;img src=x&gt;&amp;\\[l\\](u)\\*e\\*\\_f\\_\\~g\\~\\$h\\$\\@i\\#1<br>j')
    assert md_text('\x00\x1b[31m\ud800') == '\ufffd\ufffd\\[31m\ufffd'


def test_hostile_strings_keep_every_row_one_row():
    markdown = render_reports_markdown(hostile_samples(), CATALOGUE, title='t' + HOSTILE, generated_at=HOSTILE)
    assert_well_formed(markdown)
    assert '<script>' not in markdown and '<img' not in markdown
    assert not re.search(r'(?<!\\)\]\(', markdown) and '\\[l\\](http://192.0.2.1/)' in markdown
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in markdown
    for line in markdown.split('\n'):
        # Backticks of server text are all escaped: the only code spans are plain codes and catalogue text.
        for span in re.findall(r'(?<!\\)`([^`]*)(?<!\\)`', line):
            assert re.match(r'^[A-Za-z0-9_]+$', span), (span, line)


def test_one_report_has_no_overview():
    markdown = render_reports_markdown(samples()['reports']['wksrv.lab.test'])
    assert '| server | verdict |' not in markdown
    assert '## ✅ wksrv.lab.test: federates' in markdown
    assert render_reports_markdown([]) == '# Matrix federation report\n\n0 server(s): 0 federate, 0 fail\n'
