# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTML page of real lab reports, and of reports whose every string is hostile (pure)."""

import copy
import re
from html.parser import HTMLParser

from ansible_collections.matrix.federation.plugins.module_utils._federation.render_html import CSP, render_reports_html
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.fixtures.report_samples import (
    load_samples,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render import PEER_TEXT

# A catalogue as load_catalogue() returns it, for the codes of the samples but one (NOTARY_KEY_MISMATCH).
CATALOGUE = {
    'CERT_NAME_MISMATCH': {'code': 'CERT_NAME_MISMATCH', 'level': 'error', 'section': 'Checks',
                           'cause': 'certificate does not cover the name the spec checks',
                           'fix': 'issue a certificate with the right SAN'},
    'CERT_EXPIRED': {'code': 'CERT_EXPIRED', 'level': 'error', 'section': 'Checks', 'cause': 'validity window',
                     'fix': 'renew, reload the proxy'},
    'CERT_UNTRUSTED': {'code': 'CERT_UNTRUSTED', 'level': 'error', 'section': 'Checks',
                       'cause': 'chain not trusted', 'fix': 'serve the full chain (or pass `ca_path` in labs)'},
    'KEYS_SERVER_NAME_MISMATCH': {'code': 'KEYS_SERVER_NAME_MISMATCH', 'level': 'error', 'section': 'Checks',
                                  'cause': '`server_name` in the keys differs from the tested name',
                                  'fix': 'homeserver `server_name` must be the user-ID domain'},
    'DNS_NO_ADDRESSES': {'code': 'DNS_NO_ADDRESSES', 'level': 'error', 'section': 'DNS',
                         'cause': 'host has neither A nor AAAA', 'fix': 'add A/AAAA records'},
    'IP_FAMILY_PARTIAL': {'code': 'IP_FAMILY_PARTIAL', 'level': 'warning', 'section': 'Connections',
                          'cause': 'one family works, the other fails', 'fix': 'fix the failing family'},
}

# What a server can put in any string of its report: markup that would run or load something if it were not
# escaped, quotes that would end an attribute, and every class of code point (PEER_TEXT).
HOSTILE = ('<script>alert(1)</script>"><img src=http://192.0.2.1/x onerror=alert(2)>\'<style>*{}</style>'
           '<!-- --><a href="javascript:alert(3)">x</a>|`x`|\n| a | b |\n[l](http://192.0.2.1/) ![i](http://192.0.2.1/i)'
           + PEER_TEXT)

# Maps whose keys the server (or its DNS) chooses.
_MAPS = ('connection_reports', 'connection_errors', 'by_address', 'verify_keys', 'old_verify_keys',
         'ed25519_checks', 'srv', 'notaries', 'old_keys', 'signatures')


def hostile_copy(value, parent=None):
    """``value`` with HOSTILE appended to every string and to the keys of every server-chosen map."""
    if isinstance(value, dict):
        return dict(((key + HOSTILE if parent in _MAPS else key), hostile_copy(item, key)) for key, item in value.items())
    if isinstance(value, list):
        return [hostile_copy(item, parent) for item in value]
    if isinstance(value, str):
        return value + HOSTILE
    return value


def samples():
    return load_samples()


def hostile_samples():
    batch = samples()
    reports = [hostile_copy(report) for report in batch['reports'].values()]
    return dict(batch, reports=dict((report['server_name'], report) for report in reports))


class PageParser(HTMLParser):
    """Every tag and attribute of a page, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.attributes = []
        self.text = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)
        self.in_style = tag == 'style'

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if not self.in_style:
            self.text.append(data)


def parse(page):
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


# The page's own vocabulary: nothing a report can add to it.
TAGS = {'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'section', 'div',
        'span', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'nav', 'ul', 'li', 'dl', 'dt', 'dd', 'code', 'br',
        'details', 'summary', 'footer'}
_ATTRIBUTE = {
    'class': re.compile(r'^[a-z ]+$'), 'id': re.compile(r'^(server-\d+|overview)$'),
    'href': re.compile(r'^#(server-\d+|overview)$'), 'colspan': re.compile(r'^\d+$'), 'lang': re.compile('^en$'),
    'charset': re.compile('^utf-8$'), 'http-equiv': re.compile('^Content-Security-Policy$'),
    'name': re.compile('^(viewport|referrer)$'), 'open': re.compile('^$'),
    'content': re.compile('^(%s|width=device-width, initial-scale=1|no-referrer)$' % re.escape(CSP)),
}
_FORBIDDEN_CHAR = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]')


def assert_inert(page):
    """Only the page's own tags and attributes; no character HTML forbids; encodable as UTF-8."""
    page.encode('utf-8')
    assert not _FORBIDDEN_CHAR.search(page)
    parsed = parse(page)
    assert set(parsed.tags) <= TAGS, set(parsed.tags) - TAGS
    for tag, name, value in parsed.attributes:
        assert name in _ATTRIBUTE and _ATTRIBUTE[name].match(value or ''), (tag, name, value)
    assert parsed.tags.count('style') == 1 and parsed.tags.count('meta') == 4
    return parsed


def test_a_page_of_every_lab_report():
    batch = samples()
    page = render_reports_html(batch, CATALOGUE, title='Lab federation', generated_at='2026-12-03 07:30 UTC')
    parsed = assert_inert(page)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                           '<meta http-equiv="Content-Security-Policy" content="%s">' % CSP.replace("'", '&#x27;'))
    text = ' '.join(parsed.text)
    assert 'Lab federation' in text and 'generated at 2026-12-03 07:30 UTC' in text
    names = list(batch['reports'])
    # The overview links each server to its section, in order.
    links = [value for tag, name, value in parsed.attributes if name == 'href']
    assert links[:len(names)] == ['#server-%d' % i for i in range(1, len(names) + 1)]
    assert [value for tag, name, value in parsed.attributes if name == 'id'] == ['overview'] + [link[1:] for link in links[:len(names)]]
    failing = [name for name, report in batch['reports'].items() if not report['federation_ok']]
    assert '%d server(s): %d federate, %d fail' % (len(names), len(names) - len(failing), len(failing)) in text
    for name in names:
        assert name in text


def _section(page, name):
    """The HTML of the section of server ``name``."""
    start = page.index('<h2>%s</h2>' % name)
    return page[start:page.index('</section>', start)]


def test_a_failing_server_shows_why_and_what_to_fix():
    page = render_reports_html(samples(), CATALOGUE)
    section = _section(page, 'certsrv.lab.test')
    text = ' '.join(parse(section).text)
    assert 'FAILS' in page[page.rindex('<section', 0, page.index('<h2>certsrv.lab.test')):page.index('<h2>certsrv.lab.test')]
    assert 'CERT_NAME_MISMATCH' in text and 'certificate covers target-certsrv.lab.test, not certsrv.lab.test' in text
    assert 'certificate does not cover the name the spec checks' in text
    assert 'issue a certificate with the right SAN' in text
    # The resolution path: SRV of the server name, its record, the target and its address.
    assert 'the _matrix-fed._tcp SRV record of the server name' in text
    assert '_matrix-fed._tcp.certsrv.lab.test' in text and '10 5 8454 target-certsrv.lab.test' in text
    # One row per address with the Go tester's checks: ValidCertificates fails.
    assert 'failing checks: ValidCertificates' in text
    assert 'CN=target-certsrv.lab.test' in text and 'CN=matrix.federation test CA' in text
    assert 'ed25519:a_lab' in text
    assert 'every IPv4 address fails' in text


def test_a_code_without_catalogue_entry_shows_its_message():
    page = render_reports_html(samples(), CATALOGUE)
    text = ' '.join(parse(_section(page, 'origin.notary.test:8443')).text)
    assert 'NOTARY_KEY_MISMATCH' in text and 'n-other-key.notary.test:8443 holds ed25519:cur' in text
    assert 'no catalogue entry' in text
    # The notaries: one agrees, one holds another key.
    assert 'n-agrees.notary.test:8443' in text and 'cached: ed25519:cur, valid until' in text


def test_the_well_known_per_address_and_its_cache():
    page = render_reports_html(samples(), CATALOGUE)
    text = ' '.join(parse(_section(page, 'wkv6.lab.test')).text)
    assert 'WELLKNOWN_CONNECTION_REFUSED' in text and 'hs-wkv6.lab.test:8443' in text
    assert 'peers keep the delegation 24 h (no cache headers: the default)' in text
    assert 'IP_FAMILY_PARTIAL' in text and 'fix the failing family' in text
    long_cache = ' '.join(parse(_section(page, 'wkcachelong.lab.test')).text)
    assert 'kept within 5 min..48 h from 168 h' in long_cache


def test_skipped_notaries_and_unreachable_addresses():
    page = render_reports_html(samples(), CATALOGUE)
    text = ' '.join(parse(_section(page, 'broken.notary.test:8443')).text)
    assert 'skipped: the server\'s own keys could not be fetched' in text
    v4only = [name for name in samples()['reports'] if name.startswith('v4only.')]
    if v4only:
        text = ' '.join(parse(_section(page, v4only[0])).text)
        assert 'unreachable: CONNECTION_REFUSED' in text


def test_hostile_strings_come_out_inert():
    title = 'title' + HOSTILE
    page = render_reports_html(hostile_samples(), CATALOGUE, title=title, generated_at='at' + HOSTILE)
    parsed = assert_inert(page)
    text = ''.join(parsed.text)
    # The markup arrives as text (escaped, so the parser saw data, not tags).
    assert '<script>alert(1)</script>"><img src=http://192.0.2.1/x onerror=alert(2)>' in text
    assert '<a href="javascript:alert(3)">x</a>' in text
    assert 'alert' not in ''.join(str(value) for dummy, dummy2, value in parsed.attributes)
    # Controls, lone surrogates and non-characters became U+FFFD; astral characters and U+FDD0's neighbours stay.
    assert '\U0001f600' in text and '\ufffd' in text
    assert page.count('<script') == 0 and page.count('<img') == 0 and page.count('<style>') == 1


def test_one_report_has_no_overview_and_nothing_has_a_page():
    report = samples()['reports']['wksrv.lab.test']
    page = render_reports_html(report)
    parsed = assert_inert(page)
    assert 'overview' not in [value for dummy, name, value in parsed.attributes if name == 'id']
    assert 'Matrix federation report' in parsed.text
    assert 'federates' in ' '.join(parsed.text)
    assert 'no report' in ' '.join(assert_inert(render_reports_html([])).text)


def test_sparse_and_odd_reports_never_fail():
    odd = [{'server_name': 'x'}, {'server_name': 'bad name', 'federation_ok': False, 'resolution': None,
                                  'errors': [{'code': 'INVALID_SERVER_NAME', 'message': 'not a server name'}]},
           {'server_name': 'y', 'connection_reports': {'192.0.2.1:8448': {
               'checks': None, 'certificates': None, 'verify_keys': None, 'valid_until_ts': 1e30,
               'version': {'error': 'timeout'}}},
            'notaries': {'n.example': None}, 'families': {'IPv4': None}, 'errors': ['plain text'],
            'federation_warnings': [{'code': None}]}]
    parsed = assert_inert(render_reports_html(odd, CATALOGUE))
    text = ' '.join(parsed.text)
    assert 'no resolution (invalid server name)' in text and 'not a server name' in text
    assert copy.deepcopy(odd) == odd
