# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""errors.py: FederationError carries a code and a message; findings are the {code, message} dicts reports list."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding


def test_error_keeps_code_and_message_and_str_is_the_message():
    exc = FederationError('DNS_TIMEOUT', 'no answer from 192.0.2.53 within 2 s')
    assert exc.code == 'DNS_TIMEOUT'
    assert exc.message == 'no answer from 192.0.2.53 within 2 s'
    assert str(exc) == 'no answer from 192.0.2.53 within 2 s'
    assert exc.args == ('no answer from 192.0.2.53 within 2 s',)


def test_error_is_an_exception_callers_can_catch():
    with pytest.raises(Exception) as info:
        raise FederationError('KEYS_NOT_FOUND', 'no keys')
    assert isinstance(info.value, FederationError) and info.value.code == 'KEYS_NOT_FOUND'


def test_as_dict_is_exactly_code_and_message():
    exc = FederationError('CERT_UNTRUSTED', 'certificate not trusted')
    assert exc.as_dict() == {'code': 'CERT_UNTRUSTED', 'message': 'certificate not trusted'}
    # A new dict each time: a report that edits its copy does not change the error.
    first = exc.as_dict()
    first['message'] = 'edited'
    assert exc.as_dict()['message'] == 'certificate not trusted'


def test_finding_is_the_same_shape_as_an_error():
    assert finding('SRV_LEGACY_ONLY', 'add _matrix-fed') == {'code': 'SRV_LEGACY_ONLY', 'message': 'add _matrix-fed'}
    assert finding('X', 'y') == FederationError('X', 'y').as_dict()
    assert finding('X', 'y') is not finding('X', 'y')
