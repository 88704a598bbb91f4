# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

import email.utils
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_fetch import (
    fetch_well_known,
    fetch_well_known_by_address,
    fetch_well_known_documents,
    well_known_cache_lifetime,
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


# --------------------------------------------------------------------------- every address, cache lifetime

DAY = 24 * 3600


@pytest.mark.parametrize('headers, delegated, want', [
    ({}, True, {'lifetime_s': DAY, 'source': 'default', 'capped': False, 'requested_s': None}),
    ({}, False, {'lifetime_s': 3600, 'source': 'error', 'capped': False, 'requested_s': None}),
    ({'cache-control': 'public, max-age=7200'}, True, {'lifetime_s': 7200, 'source': 'max-age', 'capped': False,
                                                       'requested_s': 7200}),
    ({'cache-control': 'max-age="600"'}, True, {'lifetime_s': 600, 'source': 'max-age', 'capped': False,
                                                'requested_s': 600}),
    # Kept within Synapse's 5 min .. 48 h.
    ({'cache-control': 'max-age=604800'}, True, {'lifetime_s': 2 * DAY, 'source': 'max-age', 'capped': True,
                                                 'requested_s': 604800}),
    ({'cache-control': 'max-age=0'}, True, {'lifetime_s': 300, 'source': 'max-age', 'capped': True, 'requested_s': 0}),
    # no-store wins over max-age; Synapse then still keeps the answer its 5 min minimum.
    ({'cache-control': 'max-age=7200, No-Store'}, True, {'lifetime_s': 300, 'source': 'no-store', 'capped': True,
                                                         'requested_s': 0}),
    # no-cache is not read (Synapse ignores it): the default applies.
    ({'cache-control': 'no-cache'}, True, {'lifetime_s': DAY, 'source': 'default', 'capped': False, 'requested_s': None}),
    # max-age before Expires; a max-age that is not a number falls through to Expires.
    ({'cache-control': 'max-age=3600', 'expires': 'Thu, 01 Jan 1970 00:00:00 GMT'}, True,
     {'lifetime_s': 3600, 'source': 'max-age', 'capped': False, 'requested_s': 3600}),
    ({'cache-control': 'max-age=soon', 'date': 'Wed, 02 Dec 2026 10:00:00 GMT', 'expires': 'Wed, 02 Dec 2026 16:00:00 GMT'},
     True, {'lifetime_s': 6 * 3600, 'source': 'expires', 'capped': False, 'requested_s': 6 * 3600}),
    # An invalid Expires is already expired (RFC 7234), kept the minimum.
    ({'expires': '0'}, True, {'lifetime_s': 300, 'source': 'expires', 'capped': True, 'requested_s': 0}),
    ({'cache-control': 'max-age=600'}, False, {'lifetime_s': 3600, 'source': 'error', 'capped': False,
                                               'requested_s': None}),
])
def test_cache_lifetime_as_synapse_computes_it(headers, delegated, want):
    assert well_known_cache_lifetime(headers, delegated) == want


def test_expires_without_date_counts_from_now():
    now = 1800000000.0
    expires = email.utils.formatdate(now + 3 * 3600, usegmt=True)
    assert well_known_cache_lifetime({'expires': expires}, True, now=now)['lifetime_s'] == 3 * 3600


def test_fetch_from_every_address(federation_lab):
    client = HttpsClient(DnsClient(federation_lab.nameservers, 5), federation_lab.ca_path, 5)
    fetched = fetch_well_known_by_address('wkdiffer.lab.test', client)
    first, second = fetched['dns']['ipv4']
    assert fetched['dns'] == {'host': 'wkdiffer.lab.test', 'ipv4': [first, second], 'ipv6': [], 'errors': []}
    assert list(fetched['by_address']) == [first, second]
    assert fetched['by_address'][first]['json'] == {'m.server': 'hs-wkdiffer.lab.test:8443'}
    assert fetched['by_address'][second]['status'] == 404
    # What a homeserver gets: the first address's answer.
    assert fetched['result']['json'] == {'m.server': 'hs-wkdiffer.lab.test:8443'}
    # A redirect stays on the address it started from; a refused address leaves the next one to decide.
    redirect = fetch_well_known_by_address('wkredirect.lab.test', client)
    only = list(redirect['by_address'].values())[0]
    assert len(redirect['by_address']) == 1
    assert only['redirects'] == ['https://wkredirect.lab.test/moved'] and only['json']
    refused = fetch_well_known_by_address('srv.lab.test', client)
    assert refused['result']['error']['code'] == 'WELLKNOWN_CONNECTION_REFUSED'
    missing = fetch_well_known_by_address('nxdomain.lab.test', client)
    assert missing['by_address'] == {} and missing['result']['error']['code'] == 'WELLKNOWN_DNS_NO_ADDRESSES'


def test_every_address_shares_the_well_known_phase(federation_lab):
    client = HttpsClient(DnsClient(federation_lab.nameservers, 1.5), federation_lab.ca_path, 1.5)
    started = time.monotonic()
    fetched = fetch_well_known_by_address('wkslow.lab.test', client)
    assert time.monotonic() - started < 0.5 + 0.3
    assert fetched['result']['error']['code'] == 'WELLKNOWN_HTTP_TIMEOUT'


def test_a_redirect_to_the_other_family_only(federation_lab):
    if not federation_lab.ipv6:
        pytest.skip('no IPv6 loopback on this machine')
    cert, key = federation_lab.ca.issue(['::1'])
    target = HttpsSite('::1', 0, cert, key, {'/x': Reply(body={'m.server': 'hs.example:443'})})
    cert, key = federation_lab.ca.issue(['127.0.0.1'])
    start = HttpsSite('127.0.0.1', 0, cert, key, {
        '/.well-known/matrix/server': Reply(302, b'', headers={'Location': 'https://[::1]:%d/x' % target.port})})
    try:
        fetched = fetch_well_known_by_address('127.0.0.1:%d' % start.port, HttpsClient(None, federation_lab.ca_path, 5))
    finally:
        start.close()
        target.close()
    # An IPv4-only peer cannot follow it; a dual-stack homeserver does, and that is the resolution's answer.
    assert fetched['by_address']['127.0.0.1']['error']['code'] == 'WELLKNOWN_DNS_NO_ADDRESSES'
    assert 'without an IPv4 address' in fetched['by_address']['127.0.0.1']['error']['message']
    assert fetched['result']['json'] == {'m.server': 'hs.example:443'}
