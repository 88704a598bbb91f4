# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

import os
import re

from ansible_collections.matrix.federation.plugins.module_utils._federation import dnsclient, spec
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
from ansible_collections.matrix.federation.plugins.modules import matrix_federation_test


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


def test_the_documented_limits_are_the_ones_in_force():
    """docs/errors.md "Limits" and the module notes give the numbers spec.py (and the clients) enforce."""
    root = os.path.join(os.path.dirname(spec.__file__), '..', '..', '..')
    with open(os.path.join(root, 'docs', 'errors.md')) as handle:
        limits = handle.read().split('## Limits', 1)[1].split('\n## ', 1)[0]
    rows = dict((cells[1].strip(), cells[2].strip()) for cells in (line.split('|') for line in limits.splitlines())
                if len(cells) > 3 and cells[1].strip() not in ('bound', '---'))
    assert rows['SRV records per name'].startswith('the first %d ' % spec.SRV_MAX_RECORDS)
    assert rows['addresses per host (A + AAAA)'].startswith('%d,' % spec.HOST_MAX_ADDRESSES)
    assert rows['`ip:port` connections per test'] == str(spec.MAX_CONNECTIONS)
    assert rows['CNAME chain'] == '%d names' % dnsclient.CNAME_MAX_CHAIN
    assert rows['DNS names'] == '%d octets, labels of %d' % (spec.DNS_NAME_MAX_OCTETS, spec.DNS_LABEL_MAX_OCTETS)
    assert rows['well-known body'] == '%d KiB' % (spec.WELL_KNOWN_MAX_BYTES // 1024)
    assert rows['key response body'] == '%d KiB' % (spec.KEYS_MAX_BYTES // 1024)
    assert rows['version response body'] == '%d KiB' % (spec.VERSION_MAX_BYTES // 1024)
    assert rows['JSON nesting (well-known, keys, version)'] == '%d levels' % spec.JSON_MAX_DEPTH
    notes = re.sub(r'\s+', ' ', matrix_federation_test.DOCUMENTATION)
    for phrase in ('At most %d SRV records' % spec.SRV_MAX_RECORDS, '%d addresses per host' % spec.HOST_MAX_ADDRESSES,
                   '%d C(ip:port) connections' % spec.MAX_CONNECTIONS, 'at most %d levels' % spec.JSON_MAX_DEPTH):
        assert phrase in notes
