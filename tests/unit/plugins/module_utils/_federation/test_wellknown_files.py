# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The mode option of the well-known files (the files themselves are tested through the module)."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_files import parse_mode


@pytest.mark.parametrize('value, expected', [(0o644, 0o644), ('0644', 0o644), ('644', 0o644), ('0640', 0o640)])
def test_parse_mode_accepts_octal(value, expected):
    assert parse_mode(value) == expected


@pytest.mark.parametrize('value', ['rw-r--r--', '0999', True, 0o10000, -1, None])
def test_parse_mode_refuses_the_rest(value):
    with pytest.raises(FederationError) as err:
        parse_mode(value)
    assert err.value.code == 'INVALID_MODE'
