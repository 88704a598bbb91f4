# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_fetch import (
    fetch_well_known,
    fetch_well_known_documents,
    needs_dns,
)
from ansible_collections.matrix.federation.tests.unit.servers.lab import HttpsSite, Reply


def _codes(entries):
    return set(entry['code'] for entry in entries)


def test_fetch_well_known_result_shape(federation_lab):
    dns = DnsClient(federation_lab.nameservers, 5)
    client = HttpsClient(dns, federation_lab.ca_path, 5)
    good = fetch_well_known('wkredirect.lab.test', client)
    assert set(good) == {'url', 'status', 'headers', 'content_type', 'body_text', 'json', 'redirects', 'error', 'warnings'}
    assert good['status'] == 200 and good['error'] is None
    assert good['redirects'] == ['https://wkredirect.lab.test/moved']
    assert good['json'] == {'m.server': 'hs-wkredirect.lab.test:8443'}
    assert good['content_type'] == 'application/json'
    plain = fetch_well_known('wksrv.lab.test', client)
    assert _codes(plain['warnings']) == {'WELLKNOWN_CONTENT_TYPE'} and plain['json']
    other_path = fetch_well_known('wkredirect.lab.test', client, path='/moved')
    assert other_path['redirects'] == [] and other_path['json']
    loop = fetch_well_known('wkloop.lab.test', client)
    assert loop['error']['code'] == 'WELLKNOWN_REDIRECT_LOOP' and loop['json'] is None
    chain = fetch_well_known('wkchain.lab.test', client)
    assert chain['error']['code'] == 'WELLKNOWN_TOO_MANY_REDIRECTS'
    huge = fetch_well_known('wkhuge.lab.test', client)
    assert huge['error']['code'] == 'WELLKNOWN_TOO_LARGE'
    small = fetch_well_known('wkport.lab.test', client, max_bytes=10)
    assert small['error']['code'] == 'WELLKNOWN_TOO_LARGE'
    html = fetch_well_known('wkhtml.lab.test', client)
    assert html['error']['code'] == 'WELLKNOWN_INVALID_JSON' and _codes(html['warnings']) == {'WELLKNOWN_HTML'}
    assert html['body_text'].startswith('<!DOCTYPE html>')
    missing = fetch_well_known('default.lab.test', client)
    assert missing['status'] == 404 and missing['error']['code'] == 'WELLKNOWN_HTTP_STATUS'
    refused = fetch_well_known('srv.lab.test', client)
    assert refused['error']['code'] == 'WELLKNOWN_CONNECTION_REFUSED'
    badcert = fetch_well_known('wkbadcert.lab.test', client)
    assert badcert['error']['code'] == 'WELLKNOWN_TLS_CERT_INVALID'


def test_fetch_well_known_documents_one_result_per_name(federation_lab):
    client = HttpsClient(DnsClient(federation_lab.nameservers, 5), federation_lab.ca_path, 5)
    fetched = fetch_well_known_documents('wkredirect.lab.test', client, ['server', 'client'])
    assert sorted(fetched) == ['client', 'server']
    assert fetched['server']['url'] == 'https://wkredirect.lab.test/.well-known/matrix/server'
    assert fetched['client']['url'] == 'https://wkredirect.lab.test/.well-known/matrix/client'


def test_needs_dns_only_for_names():
    assert needs_dns('example.org') and needs_dns('example.org:8443')
    assert not needs_dns('192.0.2.1') and not needs_dns('192.0.2.1:443')
    assert not needs_dns('[2001:db8::1]') and not needs_dns('[2001:db8::1]:8448')


def test_the_well_known_phase_gets_a_third_of_the_timeout_and_the_module_all_of_it(federation_lab):
    # A well-known answered after 0.7 s, with timeout 1.5: too slow for the federation test's
    # well-known phase (0.5 s, redirects included), in time for matrix_wellknown (the whole 1.5 s).
    cert, key = federation_lab.ca.issue(['127.0.0.1'])
    site = HttpsSite('127.0.0.1', 0, cert, key, {'/.well-known/matrix/server': Reply(body={'m.server': 'hs.example:443'},
                                                                                     delay=0.7)})
    host = '127.0.0.1:%d' % site.port
    try:
        started = time.monotonic()
        phase = fetch_well_known(host, HttpsClient(None, federation_lab.ca_path, 1.5))
        assert time.monotonic() - started < 0.7
        assert phase['error']['code'] == 'WELLKNOWN_HTTP_TIMEOUT'
        fetched = fetch_well_known_documents(host, HttpsClient(None, federation_lab.ca_path, 1.5), ['server'])
        assert fetched['server']['error'] is None and fetched['server']['json'] == {'m.server': 'hs.example:443'}
    finally:
        site.close()


NGINX_404 = (b'<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n'
             b'<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n')


def test_a_web_servers_404_page_is_no_well_known_not_a_catch_all(federation_lab):
    # A server without delegation behind nginx (the server name on 8448 itself) answers the well-known
    # path with nginx's own 404 page: that is "no well-known", not a catch-all page answering 200.
    cert, key = federation_lab.ca.issue(['127.0.0.1'])
    site = HttpsSite('127.0.0.1', 0, cert, key, {'/.well-known/matrix/server': Reply(404, NGINX_404, 'text/html')})
    try:
        missing = fetch_well_known('127.0.0.1:%d' % site.port, HttpsClient(None, federation_lab.ca_path, 5))
    finally:
        site.close()
    assert missing['status'] == 404 and missing['error']['code'] == 'WELLKNOWN_HTTP_STATUS'
    assert missing['warnings'] == []
