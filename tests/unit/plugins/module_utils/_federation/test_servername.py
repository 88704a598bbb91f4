# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import dns_name_problem, parse_server_name

# The longest name DNS can carry: 253 octets in labels of at most 63.
LONGEST = '.'.join(['a' * 63, 'b' * 63, 'c' * 63, 'd' * 61])


@pytest.mark.parametrize('raw, host, port, ip', [
    ('example.com', 'example.com', None, False),
    ('Example.COM', 'example.com', None, False),
    ('matrix.example.com:8448', 'matrix.example.com', 8448, False),
    ('1.2.3.4', '1.2.3.4', None, True),
    ('1.2.3.4:1234', '1.2.3.4', 1234, True),
    ('[1234:5678::abcd]', '1234:5678::abcd', None, True),
    ('[1234:5678::abcd]:5678', '1234:5678::abcd', 5678, True),
    ('localhost', 'localhost', None, False),
    ('a-b.c', 'a-b.c', None, False),
    (LONGEST + ':8448', LONGEST, 8448, False),
])
def test_valid_server_names(raw, host, port, ip):
    parsed = parse_server_name(raw)
    assert (parsed.host, parsed.port, parsed.is_ip_literal, parsed.raw) == (host, port, ip, raw)


@pytest.mark.parametrize('raw', [
    '', ' example.com', 'exa mple.com', 'example.com:', 'example.com:0', 'example.com:65536',
    'example.com:80a', '1234:5678::abcd', '[1234:5678::abcd', '[not-ip]', '[::1]x', 'ex_ample.com',
    'example..com', '.example.com', 'a' * 64 + '.com', 'https://example.com', '999.1.1.1',
    LONGEST + 'd', LONGEST + 'dd:8448', 'x' * 255,
])
def test_invalid_server_names(raw):
    with pytest.raises(FederationError) as err:
        parse_server_name(raw)
    assert err.value.code == 'INVALID_SERVER_NAME'


def test_names_over_the_dns_limit_say_how_long_they_are():
    with pytest.raises(FederationError) as err:
        parse_server_name(LONGEST + 'dd')
    assert '255 octets' in err.value.message and 'at most 253' in err.value.message


@pytest.mark.parametrize('name, problem', [
    (LONGEST, None),
    (LONGEST + '.', None),
    ('_matrix-fed._tcp.' + LONGEST, 'is 270 octets long: DNS names have at most 253'),
    ('_matrix-fed._tcp.' + 'a' * 64 + '.org', 'has a label of 64 octets: DNS labels have at most 63'),
    ('a..b', 'has an empty label'),
    ('', 'is empty'),
])
def test_dns_name_problem(name, problem):
    found = dns_name_problem(name)
    assert found == problem if problem is None else problem in found
