# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The YAML filters (matrix_yaml_set, matrix_yaml_unknown_keys): in-place edits and unknown keys, errors as filter errors."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.filter.matrix_yaml import (
    FilterModule,
    matrix_yaml_set,
    matrix_yaml_unknown_keys,
)

TEXT = ('# Admin notes: keep.\n'
        'global:\n'
        '  server_name: localhost   # our name\n'
        '  presence: {enable_inbound: false}\n'
        'other: 1\n')


class Tagged(str):
    """Stands for the str subclasses Ansible passes to filters."""


def test_filters_are_registered():
    assert FilterModule().filters() == {'matrix_yaml_set': matrix_yaml_set,
                                        'matrix_yaml_unknown_keys': matrix_yaml_unknown_keys}


def test_set_changes_only_the_named_values_and_keeps_comments():
    result = matrix_yaml_set(TEXT, {'global': {'server_name': 'hs.example.test', 'presence': {'enable_inbound': True}}})
    assert result == TEXT.replace('localhost', 'hs.example.test').replace('inbound: false', 'inbound: true')


def test_set_takes_ansibles_string_and_container_types():
    result = matrix_yaml_set(Tagged(TEXT), {Tagged('global'): {Tagged('server_name'): Tagged('hs.test')}}, Tagged('x'))
    assert not isinstance(result, Tagged) and '  server_name: hs.test   # our name\n' in result


@pytest.mark.parametrize('text, settings, words', [
    (None, {}, 'matrix_yaml_set expects the YAML text as input, got NoneType'),
    (TEXT, ['global'], 'matrix_yaml_set expects a dict of settings, got list'),
    ('global: [\n', {'global': {'a': 1}}, 'conf.yaml is not valid YAML'),
])
def test_set_errors_are_filter_errors(text, settings, words):
    with pytest.raises(AnsibleFilterError) as info:
        matrix_yaml_set(text, settings, 'conf.yaml')
    assert words in str(info.value)


def test_unknown_keys_names_the_paths_the_reference_lacks():
    settings = {'global': {'server_name': 'x', 'no_such_option': 1}, 'missing': {'a': 1}, 'other': 2}
    assert matrix_yaml_unknown_keys(settings, TEXT) == ['global.no_such_option', 'missing.a']
    assert matrix_yaml_unknown_keys({'global': {'presence': {'enable_inbound': True}}}, TEXT) == []


@pytest.mark.parametrize('settings, reference, words', [
    ({'a': 1}, 42, 'matrix_yaml_unknown_keys expects the YAML text as input, got int'),
    ('a', TEXT, 'matrix_yaml_unknown_keys expects a dict of settings, got str'),
    ({'a': 1}, 'a: [\n', 'matrix_yaml_unknown_keys: cannot read the reference'),
])
def test_unknown_keys_errors_are_filter_errors(settings, reference, words):
    with pytest.raises(AnsibleFilterError) as info:
        matrix_yaml_unknown_keys(settings, reference)
    assert words in str(info.value)
