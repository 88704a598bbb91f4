# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    CHECK_NAMES,
    GO_CHECKS,
    WELL_KNOWN_MAX_BYTES,
    WELL_KNOWN_SERVER_PATH,
    choose_srv,
    format_host_port,
    is_ip_literal,
    srv_names,
)


def test_format_host_port():
    assert format_host_port('example.com', 443) == 'example.com:443'
    assert format_host_port('::1', 8448) == '[::1]:8448'
    assert format_host_port('[::1]', 8448) == '[::1]:8448'
    assert format_host_port('example.com', None) == 'example.com'


def test_spec_constants():
    assert WELL_KNOWN_SERVER_PATH == '/.well-known/matrix/server'
    assert WELL_KNOWN_MAX_BYTES == 51200
    assert CHECK_NAMES == GO_CHECKS + ('all_checks_ok',)


def test_ip_literal_and_srv_names():
    assert is_ip_literal('192.0.2.1') and is_ip_literal('2001:db8::1')
    assert not is_ip_literal('[2001:db8::1]') and not is_ip_literal('example.com')
    assert srv_names('example.com') == ['_matrix-fed._tcp.example.com', '_matrix._tcp.example.com']


def test_choose_srv():
    none, records, error = {'records': [], 'error': None}, {'records': [1], 'error': None}, {'records': [], 'error': {}}
    error['error'] = {'code': 'DNS_SERVFAIL', 'message': 'x'}
    assert choose_srv(records, records) == 'fed'
    assert choose_srv(error, records) == 'fed'
    assert choose_srv(none, records) == 'legacy'
    assert choose_srv(none, error) == 'legacy'
    assert choose_srv(none, none) is None
