# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""https URLs and redirect targets: parts, and INVALID_URL for whatever a remote side sends."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsurl import parse_https_url, redirect_target


def test_url_parts():
    assert parse_https_url('https://[2001:db8::1]:8443/x?y=1') == ('2001:db8::1', 8443, '/x?y=1', '[2001:db8::1]:8443')
    assert parse_https_url('https://user@Host.Example.') == ('host.example.', 443, '/', 'Host.Example.')


def test_redirect_targets_relative_and_absolute():
    assert redirect_target('https://a.example/x/y', '/z') == 'https://a.example/z'
    assert redirect_target('https://a.example/x/y', 'z') == 'https://a.example/x/z'
    assert redirect_target('https://a.example/x', 'https://b.example:8443/w') == 'https://b.example:8443/w'


@pytest.mark.parametrize('location', ['https://[zz]/', 'https://[::1/x', 'https:///x', 'http://b.example/',
                                      'https://b.example:70000/', 'https://b .example/'])
def test_redirect_targets_that_do_not_parse_are_invalid_url(location):
    with pytest.raises(FederationError) as exc:
        redirect_target('https://a.example/x', location)
    assert exc.value.code == 'INVALID_URL'
    assert 'https://a.example/x' in exc.value.message
