# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""catalogue.py: docs/errors.md read as {code: {code, level, cause, fix, section}}."""

import os

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import catalogue
from ansible_collections.matrix.federation.plugins.module_utils._federation.catalogue import (
    load_catalogue, parse_catalogue,
)

SHAPES = """# Codes

Some prose with a CODE_IN_PROSE that is not a table.

## DNS
| code | level | cause | fix |
|---|---|---|---|
| DNS_SERVFAIL | error | a nameserver answered SERVFAIL | fix the zone |
| SRV_TARGET_CNAME | warning (error in `matrix_srv_check`) | SRV target is a CNAME | point SRV at the canonical name |

## Input
| code | cause | fix |
|---|---|---|
| INVALID_CA_PATH | `ca_path` unreadable | point to a PEM bundle |
| CONNECTION_REFUSED / CONNECTION_TIMEOUT | TCP failed | open the port |
| TOO_MANY_CONNECTIONS *(new, warning)* | over 32 | fewer targets |

### Well-known
| code | level | cause |
|---|---|---|
| WELLKNOWN_HTML | warning | the body is HTML. Fix: serve JSON |
| WELLKNOWN_CONTENT_TYPE | warning | not `application/json` \\| text/html |

## Checks
| code | check | cause | fix |
|---|---|---|---|
| CERT_EXPIRED | ValidCertificates | validity window | renew |
| CERT_EXPIRING_SOON | warning | expires soon | renew |
| TIMEOUT | error | the deadline | raise `timeout` |

## Roles
| refusal | cause | fix |
|---|---|---|
| FIREWALL_LIKE_CODE | not read: the first column is no code column | - |

| code / refusal | cause | fix |
|---|---|---|
| role: "does not read `<dir>`" | a refusal quoted by its message | add the directory |
| NFT_FILE_MISSING | the file does not exist | write it |
"""


def test_every_table_shape_gives_level_cause_fix_and_section():
    result = parse_catalogue(SHAPES)
    assert set(result) == {
        'DNS_SERVFAIL', 'SRV_TARGET_CNAME', 'INVALID_CA_PATH', 'CONNECTION_REFUSED', 'CONNECTION_TIMEOUT',
        'TOO_MANY_CONNECTIONS', 'WELLKNOWN_HTML', 'WELLKNOWN_CONTENT_TYPE', 'CERT_EXPIRED',
        'CERT_EXPIRING_SOON', 'TIMEOUT', 'NFT_FILE_MISSING',
    }
    assert result['DNS_SERVFAIL'] == {
        'code': 'DNS_SERVFAIL', 'level': 'error', 'cause': 'a nameserver answered SERVFAIL',
        'fix': 'fix the zone', 'section': 'DNS',
    }
    assert result['SRV_TARGET_CNAME']['level'] == 'warning'
    assert result['INVALID_CA_PATH']['level'] == 'error'
    assert result['INVALID_CA_PATH']['section'] == 'Input'
    assert result['TOO_MANY_CONNECTIONS']['level'] == 'warning'
    assert result['TOO_MANY_CONNECTIONS']['fix'] == 'fewer targets'
    assert result['NFT_FILE_MISSING']['section'] == 'Roles'


def test_a_cell_naming_several_codes_gives_each_the_row():
    result = parse_catalogue(SHAPES)
    assert result['CONNECTION_REFUSED']['cause'] == result['CONNECTION_TIMEOUT']['cause'] == 'TCP failed'
    assert result['CONNECTION_TIMEOUT']['code'] == 'CONNECTION_TIMEOUT'


def test_an_inline_fix_moves_to_fix_and_an_escaped_pipe_stays_in_its_cell():
    result = parse_catalogue(SHAPES)
    assert result['WELLKNOWN_HTML']['cause'] == 'the body is HTML.'
    assert result['WELLKNOWN_HTML']['fix'] == 'serve JSON'
    assert result['WELLKNOWN_HTML']['section'] == 'Well-known'
    assert result['WELLKNOWN_CONTENT_TYPE']['cause'] == 'not `application/json` \\| text/html'
    assert result['WELLKNOWN_CONTENT_TYPE']['fix'] == ''


def test_a_check_column_stands_for_the_level():
    result = parse_catalogue(SHAPES)
    assert result['CERT_EXPIRED']['level'] == 'error'
    assert result['CERT_EXPIRING_SOON']['level'] == 'warning'
    assert result['TIMEOUT']['level'] == 'error'


def test_a_code_listed_twice_is_a_value_error_naming_it():
    text = SHAPES + '\n## Again\n| code | level | cause | fix |\n|---|---|---|---|\n| CERT_EXPIRED | error | again | renew |\n'
    with pytest.raises(ValueError, match='CERT_EXPIRED'):
        parse_catalogue(text)


def test_a_code_twice_in_one_cell_is_a_value_error_too():
    with pytest.raises(ValueError, match='BAD_OPTIONS'):
        parse_catalogue('| code | cause | fix |\n|---|---|---|\n| BAD_OPTIONS / BAD_OPTIONS | x | y |\n')


def test_refusal_levels_and_plain_text_without_tables():
    text = '| code | level | cause | fix |\n|--|--|--|--|\n| FIREWALL_SOURCE_INVALID | refusal | a bad source | fix it |\n'
    assert parse_catalogue(text)['FIREWALL_SOURCE_INVALID']['level'] == 'refusal'
    assert parse_catalogue(text)['FIREWALL_SOURCE_INVALID']['section'] == ''
    assert parse_catalogue('no tables here\n') == {}


def test_load_catalogue_reads_a_given_path_and_is_empty_when_it_is_absent(tmp_path):
    path = tmp_path / 'errors.md'
    path.write_text(SHAPES, encoding='utf-8')
    assert load_catalogue(str(path)) == parse_catalogue(SHAPES)
    assert load_catalogue(str(tmp_path / 'missing.md')) == {}


def test_load_catalogue_defaults_to_the_collection_docs(monkeypatch):
    expected = os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(catalogue.__file__))))),
        'docs', 'errors.md')
    assert catalogue.catalogue_path() == expected
    seen = []
    monkeypatch.setattr(catalogue, 'parse_catalogue', lambda text: seen.append(text) or {'X': {}})
    assert load_catalogue() == {'X': {}}
    with open(expected, encoding='utf-8') as handle:
        assert seen == [handle.read()]
