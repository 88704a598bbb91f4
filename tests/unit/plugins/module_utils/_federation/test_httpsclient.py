# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTPS client's own settings and limits (its traffic is tested through the loopback lab)."""

import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient
from ansible_collections.matrix.federation.tests.unit.servers.federation_lab import free_port
from ansible_collections.matrix.federation.tests.unit.servers.lab import DnsServer, lab_prefix


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


def test_timeout_is_the_whole_limit_and_a_step_a_third_of_it():
    # The deadline starts when the client is made: bounded by the clock read around it, not by a slack that a
    # loaded machine exceeds.
    before = time.monotonic()
    client = HttpsClient(timeout=3)
    remaining = client.deadline.remaining()
    elapsed = time.monotonic() - before
    assert client.timeout == 3 and client.step == 1
    assert 3 - elapsed <= remaining <= 3


def test_get_url_tries_at_most_max_addresses_and_says_how_many_it_left():
    # 20 loopback addresses where nothing listens: each refuses at once. The client stops after 8 and says so.
    dns = DnsServer()
    try:
        prefix = lab_prefix(20, 250)
        dns.add('many.lab.test', 'A', *[prefix + str(i) for i in range(10, 30)])
        client = HttpsClient(dns=DnsClient(nameservers=[dns.address], timeout=5), timeout=5)
        with pytest.raises(FederationError) as err:
            client.get_url('https://many.lab.test:%d/x' % free_port('127.0.0.1'), max_bytes=1024, max_addresses=8)
        assert err.value.code == 'CONNECTION_REFUSED', err.value.message
        assert '12 more addresses of many.lab.test not tried (at most 8 per host)' in err.value.message
    finally:
        dns.close()


def _one_site(tmp_path):
    from ansible_collections.matrix.federation.tests.unit.servers.lab import HttpsSite, Reply, TestCA
    ca = TestCA(str(tmp_path))
    cert, key = ca.issue(['ua.lab.test'])
    return ca, HttpsSite('127.0.0.1', 0, cert, key, {'/x': Reply(200, {'ok': True})})


def test_every_request_carries_the_user_agent_and_extra_headers(tmp_path):
    ca, site = _one_site(tmp_path)
    try:
        client = HttpsClient(ca_path=ca.path, timeout=5, user_agent='Synapse/1.120.0')
        assert client.for_run(None, client.deadline).user_agent == 'Synapse/1.120.0'
        client.request('127.0.0.1', site.port, '/x', 'ua.lab.test', tls_name='ua.lab.test', max_bytes=1024,
                       headers={'Authorization': 'X-Matrix origin="a.test"'})
        default = HttpsClient(ca_path=ca.path, timeout=5)
        default.request('127.0.0.1', site.port, '/x', 'ua.lab.test', tls_name='ua.lab.test', max_bytes=1024)
    finally:
        site.close()
    signed, plain = site.requests
    assert signed['user_agent'] == 'Synapse/1.120.0'
    assert signed['headers']['Authorization'] == 'X-Matrix origin="a.test"'
    assert plain['user_agent'].startswith('ansible-matrix.federation/') and 'Authorization' not in plain['headers']


@pytest.mark.parametrize('agent', ['', '  ', 'evil\r\nX-Injected: 1', 'tab\there'])
def test_a_user_agent_that_would_break_the_request_is_refused(agent):
    from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import make_https_client
    with pytest.raises(FederationError) as err:
        make_https_client(timeout=1, user_agent=agent)
    assert err.value.code == 'INVALID_USER_AGENT'


def test_a_post_sends_its_json_body(tmp_path):
    ca, site = _one_site(tmp_path)
    try:
        client = HttpsClient(ca_path=ca.path, timeout=5)
        answer = client.request('127.0.0.1', site.port, '/x', 'ua.lab.test', tls_name='ua.lab.test', max_bytes=1024,
                                method='POST', body=b'{"server_keys": {}}')
    finally:
        site.close()
    assert answer.status == 200 and answer.json() == {'ok': True}
    assert site.requests[0]['method'] == 'POST' and site.requests[0]['body'] == b'{"server_keys": {}}'
    assert site.requests[0]['headers']['Content-Type'] == 'application/json'
