# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.filter.matrix_server_name import (
    FilterModule,
    matrix_cidr_errors,
    matrix_server_name_errors,
)


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {'matrix_server_name_errors', 'matrix_cidr_errors', 'matrix_setting_errors'}


@pytest.mark.parametrize('name', ['example.com', 'example.com:8448', '1.2.3.4', '[2001:db8::1]:443', 'localhost'])
def test_valid_server_names_give_no_message(name):
    assert matrix_server_name_errors(name) == []


@pytest.mark.parametrize('name, fragment', [
    ('spam server.com', 'whitespace'),
    ('example.com:99999', 'invalid port'),
    ('bad_name.example', 'may only contain'),
    ('2001:db8::1', 'brackets'),
    ('', 'non-empty'),
])
def test_invalid_server_names_say_why(name, fragment):
    errors = matrix_server_name_errors([name])
    assert len(errors) == 1 and fragment in errors[0]


def test_port_can_be_refused():
    assert matrix_server_name_errors('example.com:8448', allow_port=False) == [
        "'example.com:8448' has a port; a domain name without a port is expected here"]
    assert matrix_server_name_errors('example.com', allow_port=False) == []


def test_non_strings_are_reported_not_raised():
    assert 'not a string' in matrix_server_name_errors([42])[0]
    assert matrix_server_name_errors(None) == []


def test_wrong_container_type_raises_filter_error():
    with pytest.raises(AnsibleFilterError):
        matrix_server_name_errors({'a': 1})


@pytest.mark.parametrize('cidr', ['10.0.0.0/8', 'fd00::/8', '192.168.1.7', '::1/128'])
def test_valid_cidrs(cidr):
    assert matrix_cidr_errors([cidr]) == []


@pytest.mark.parametrize('cidr, fragment', [
    ('10.0.0.1/8', 'host bits set'),
    ('10.0.0.0/33', 'CIDR'),
    ('example.com', 'CIDR'),
    (8, 'not a string'),
])
def test_invalid_cidrs_say_why(cidr, fragment):
    errors = matrix_cidr_errors([cidr])
    assert len(errors) == 1 and fragment in errors[0]
