# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The federation_matrix and federation_matrix_text filters: thin over module_utils, errors as AnsibleFilterError."""

import json
import os
import subprocess
import sys

import pytest

import ansible_collections
from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.filter.federation_report import federation_matrix, federation_matrix_text
from ansible_collections.matrix.federation.plugins.module_utils._federation.federation_matrix import build_federation_matrix
from ansible_collections.matrix.federation.plugins.module_utils._federation.render import render_matrix_text
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_federation_matrix import (
    everyone_ok,
    health,
    report,
)


def test_the_filters_are_the_library_functions():
    results = everyone_ok()
    results['other.test']['reports']['example.test'] = report('example.test', 'DNS_SERVFAIL')
    health_results = {'example.test': health('12', range(1, 13)), 'other.test': health('10', range(1, 12), None)}
    matrix = federation_matrix(results, health_results)
    assert matrix == build_federation_matrix(results, health_results)
    assert matrix['one_way'][0]['message'] == (
        'example.test is reached from the controller and third.test but not from other.test')
    assert [c['code'] for c in matrix['room_version_conflicts']] == ['ROOM_VERSION_UNSUPPORTED']
    assert federation_matrix_text(matrix) == render_matrix_text(matrix)
    assert federation_matrix(results) == build_federation_matrix(results)


@pytest.mark.parametrize('results, health_results, message', [
    ('controller', None, 'federation_matrix: expected a dict {vantage: matrix_federation_test result}, got str'),
    ({'controller': 42}, None, "federation_matrix: vantage 'controller': expected a matrix_federation_test result"),
    ({'controller': []}, {'a.test': {'room_versions': None}}, "federation_matrix: health of 'a.test': room_versions must be"),
])
def test_malformed_input_is_a_filter_error(results, health_results, message):
    with pytest.raises(AnsibleFilterError) as info:
        federation_matrix(results, health_results)
    assert message in str(info.value)


@pytest.mark.parametrize('value', [None, 'matrix', {'controller': []}])
def test_the_text_filter_wants_the_matrix(value):
    with pytest.raises(AnsibleFilterError) as info:
        federation_matrix_text(value)
    assert 'federation_matrix_text: expected the output of matrix.federation.federation_matrix' in str(info.value)


def _debug(expression):
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_NOCOLOR'] = '1'
    adhoc = os.path.join(os.path.dirname(sys.executable), 'ansible')
    return subprocess.run([adhoc, 'localhost', '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable,
                           '-e', json.dumps({'results': everyone_ok()}), '-m', 'ansible.builtin.debug', '-a',
                           'msg={{ %s }}' % expression], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_in_a_playbook_expression():
    proc = _debug("results | matrix.federation.federation_matrix | matrix.federation.federation_matrix_text")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"federation matrix: 4 vantage point(s), 4 server(s), every direction ok"' in proc.stdout
    proc = _debug("{'controller': 'everything'} | matrix.federation.federation_matrix")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and 'Traceback' not in output
    assert "federation_matrix: vantage 'controller': expected a matrix_federation_test result" in output
