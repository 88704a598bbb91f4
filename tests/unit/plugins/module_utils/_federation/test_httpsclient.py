# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTPS client's own settings and limits (its traffic is tested through the loopback lab)."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient, _parse_https_url


def test_invalid_ca_bundle_is_a_coded_error(tmp_path):
    with pytest.raises(FederationError) as exc:
        HttpsClient(ca_path=str(tmp_path / 'missing.pem'), timeout=1)
    assert exc.value.code == 'INVALID_CA_PATH'


def test_only_https_urls_are_fetched():
    client = HttpsClient(timeout=1)
    with pytest.raises(FederationError) as exc:
        client.get_url('http://example.org/', max_bytes=10)
    assert exc.value.code == 'INVALID_URL'


@pytest.mark.parametrize('url', ['https://[zz]/', 'https://h.example:99999/', 'https://h.example:0/', 'https://h.example:x/',
                                 'ftp://h.example/', 'https:///nohost', 'https://exa mple.org/', 'https://h.example/a\tb',
                                 'https://bad_host!.example/'])
def test_urls_that_do_not_parse_are_invalid_url(url):
    # Checked before any DNS or connection: a coded error, never a ValueError from urllib or ipaddress.
    client = HttpsClient(timeout=1)
    with pytest.raises(FederationError) as exc:
        client.get_url(url, max_bytes=10)
    assert exc.value.code == 'INVALID_URL'
    assert url in exc.value.message


def test_url_parts():
    assert _parse_https_url('https://[2001:db8::1]:8443/x?y=1') == ('2001:db8::1', 8443, '/x?y=1', '[2001:db8::1]:8443')
    assert _parse_https_url('https://user@Host.Example.') == ('host.example.', 443, '/', 'Host.Example.')


def test_timeout_is_the_whole_limit_and_a_step_a_third_of_it():
    client = HttpsClient(timeout=3)
    assert client.timeout == 3 and client.step == 1
    assert 2.9 < client.deadline.remaining() <= 3
