# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTML report in a real headless Chromium, offline (``make browser``): clean, and the check catches faults."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
from check_report import check_page, main, render_samples  # noqa: E402

from ansible_collections.matrix.federation.plugins.module_utils._federation.render_html import (  # noqa: E402
    render_reports_html,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render_html import (  # noqa: E402
    CATALOGUE,
    hostile_samples,
)


@pytest.fixture(scope='module')
def sample_page(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('browser') / 'report.html')
    render_samples(path)
    return path


def test_the_lab_report_is_clean_and_looks_like_a_page(sample_page, tmp_path):
    shot = tmp_path / 'report.png'
    problems, data, (width, height), page_height = check_page(sample_page, str(shot))
    assert problems == []
    assert width == 1280 and height == page_height and page_height > 3000
    assert len(data) > 100000 and shot.read_bytes() == data


def test_the_command_line_takes_any_file(sample_page, capsys):
    assert main([sample_page, '--height', '800']) == 0
    out = capsys.readouterr().out
    assert out.startswith(sample_page + ': clean, screenshot 1280x800')


def test_hostile_reports_run_nothing_and_load_nothing(tmp_path):
    path = tmp_path / 'hostile.html'
    path.write_text(render_reports_html(hostile_samples(), CATALOGUE, title='<script>alert(1)</script>'),
                    encoding='utf-8')
    problems, dummy, dummy2, dummy3 = check_page(str(path), height=900)
    assert problems == []


@pytest.mark.parametrize('change,expected', [
    (('<footer>', '<img src="http://192.0.2.1/pixel.png" alt=""><footer>'),
     ["Loading the image 'http://192.0.2.1/pixel.png' violates the following Content Security Policy",
      'the page requested http://192.0.2.1/pixel.png']),
    (('<footer>', '<script>throw new Error("boom")</script><footer>'),
     ['Executing inline script violates the following Content Security Policy directive']),
    (('</style>', '@font-face { font-family: x; src: url(https://fonts.example/x.woff2); } body { font-family: x; }'
                  '</style>'),
     ["Loading the font 'https://fonts.example/x.woff2' violates"]),
], ids=['external-image', 'inline-script', 'web-font'])
def test_the_check_fails_on_an_injected_load_or_script(sample_page, tmp_path, change, expected):
    with open(sample_page, encoding='utf-8') as handle:
        page = handle.read()
    path = tmp_path / 'broken.html'
    path.write_text(page.replace(*change), encoding='utf-8')
    problems, dummy, dummy2, dummy3 = check_page(str(path), height=600)
    for text in expected:
        assert any(text in problem for problem in problems), problems
    assert main([str(path), '--height', '600']) == 1


def test_a_script_error_fails_the_check_even_without_the_policy(sample_page, tmp_path):
    with open(sample_page, encoding='utf-8') as handle:
        page = handle.read()
    page = page.replace('<meta http-equiv="Content-Security-Policy"', '<meta name="no-policy"')
    path = tmp_path / 'script.html'
    path.write_text(page.replace('<footer>', '<script>undefinedFunction()</script><footer>'), encoding='utf-8')
    problems, dummy, dummy2, dummy3 = check_page(str(path), height=600)
    assert any('uncaught exception: ReferenceError: undefinedFunction is not defined' in p for p in problems), problems
    path.write_text(page.replace('<footer>', '<img src="http://192.0.2.1/p.png" alt=""><footer>'), encoding='utf-8')
    problems, dummy, dummy2, dummy3 = check_page(str(path), height=600)
    # No policy, no network either: the request is seen and fails at the dead proxy.
    assert 'the page requested http://192.0.2.1/p.png' in problems
