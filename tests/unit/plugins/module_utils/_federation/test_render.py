# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rendering reports as JSON, JUnit XML and Prometheus text (pure)."""

import re
import xml.etree.ElementTree as ET

from ansible_collections.matrix.federation.plugins.module_utils._federation.render import (
    render_junit,
    render_prometheus,
    render_report_text,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import build_report
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_report import (
    _conn,
    _delegated_discovery,
    _discovery,
)


def test_renderers():
    good = build_report('good.example', _discovery(), [('192.0.2.1:8448', _conn(), None)], 1500)
    bad = build_report('bad"name', _discovery(), [('192.0.2.2:8448', _conn(False), None)], 10)
    root = ET.fromstring(render_junit([good, bad]))
    suites = root.findall('testsuite')
    assert [s.get('failures') for s in suites] == ['0', '6']
    prom = render_prometheus({'a': good, 'b': bad})
    assert 'matrix_federation_ok{server_name="good.example"} 1' in prom
    assert 'matrix_federation_ok{server_name="bad\\"name"} 0' in prom
    assert 'matrix_federation_cert_expiry_days{server_name="good.example",address="192.0.2.1:8448"} 30.5' in prom
    assert 'matrix_federation_duration_seconds{server_name="good.example"} 1.500' in prom


# Every class of code point a peer can put in a report: C0 controls (tab, newline and carriage return
# included), DEL and C1, lone surrogates, the non-characters XML 1.0 forbids (U+FFFE, U+FFFF) and one it
# allows (U+FDD0), astral characters, markup and CDATA ends, quotes, a terminal escape sequence.
PEER_TEXT = (''.join(chr(c) for c in range(0x20)) + '\x7f\x80\x9f' + '\ud800\udbff\udc00\udfff' + '\ufffe\uffff\ufdd0'
             + '\U0001f600\U0010ffff' + ']]><&>"\'\\' + '\x1b[31mred\x1b[0m' + '&amp;')


def _xml_char(char):
    """XML 1.0 production [2] Char."""
    code = ord(char)
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _xml_clean(text):
    return ''.join(c if _xml_char(c) else '\ufffd' for c in text)


def _peer_report(name):
    conn = _conn(False)
    conn['errors'] = [{'code': 'KEYS_X', 'message': 'bad ' + PEER_TEXT}]
    conn['warnings'] = [{'code': 'W_X', 'message': 'odd ' + PEER_TEXT}]
    conn['version'] = {'name': PEER_TEXT, 'version': '1' + PEER_TEXT}
    refused = {'code': 'CONNECTION_REFUSED', 'message': 'refused ' + PEER_TEXT}
    discovery = _discovery()
    discovery['resolution']['method'] = PEER_TEXT
    discovery['errors'] = [{'code': 'WELLKNOWN_X', 'message': PEER_TEXT}]
    return build_report(name, discovery, [('192.0.2.1:8448', conn, None), ('192.0.2.9' + PEER_TEXT, None, refused)], 3)


def test_junit_is_well_formed_xml_whatever_the_peer_sent():
    report = _peer_report('peer' + PEER_TEXT)
    text = render_junit([report])
    root = ET.fromstring(text.encode('utf-8'))
    suite = root.find('testsuite')
    assert suite.get('name') == _xml_clean('peer' + PEER_TEXT)
    cases = {case.get('name'): case for case in suite.findall('testcase')}
    assert cases['version'].find('system-out').text == _xml_clean('%s 1%s' % (PEER_TEXT, PEER_TEXT))
    assert cases['resolution'].find('system-out').text == _xml_clean('method=' + PEER_TEXT)
    assert cases['resolution'].find('failure').get('message') == _xml_clean(PEER_TEXT)
    assert cases[_xml_clean('connection 192.0.2.9' + PEER_TEXT)].find('failure').get('message') == _xml_clean(
        'refused ' + PEER_TEXT)
    assert cases['192.0.2.1:8448 all_checks_ok'].find('failure').get('message') == _xml_clean('bad ' + PEER_TEXT)
    assert _xml_clean('W_X: 192.0.2.1:8448: odd ' + PEER_TEXT) in [e.text for e in suite.findall('system-err')]
    assert all(c.get('classname') == _xml_clean('federation.peer' + PEER_TEXT) for c in cases.values())


# One line of the Prometheus text exposition format (0.0.4), strictly: no control characters in label values,
# only the three escapes the format defines.
_NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
_VALUE = r'"(?:[^"\\\x00-\x1f\x7f]|\\[\\"n])*"'
_PROM_LINE = re.compile(r'^(?:# HELP %(n)s [^\n]*|# TYPE %(n)s (?:counter|gauge|untyped|histogram|summary)'
                        r'|%(n)s(?:\{[a-zA-Z_][a-zA-Z0-9_]*=%(v)s(?:,[a-zA-Z_][a-zA-Z0-9_]*=%(v)s)*\})? '
                        r'(?:[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf))$' % {'n': _NAME, 'v': _VALUE})
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)=(%s)' % _VALUE)


def _prom_unescape(quoted):
    return re.sub(r'\\(.)', lambda m: {'n': '\n'}.get(m.group(1), m.group(1)), quoted[1:-1])


def _prom_clean(text):
    """What a label value keeps: everything but controls other than newline, DEL and lone surrogates."""
    return ''.join('\ufffd' if (ord(c) < 0x20 and c != '\n') or c == '\x7f' or 0xD800 <= ord(c) <= 0xDFFF else c
                   for c in text)


def test_prometheus_text_is_valid_whatever_the_peer_sent():
    report = _peer_report('peer' + PEER_TEXT)
    text = render_prometheus([report])
    text.encode('utf-8')
    assert text.endswith('\n')
    lines = text[:-1].split('\n')
    bad = [line for line in lines if not _PROM_LINE.match(line)]
    assert bad == []
    samples = [line for line in lines if not line.startswith('#')]
    assert samples
    for line in samples:
        labels = dict((k, _prom_unescape(v)) for k, v in _LABEL.findall(line))
        assert labels['server_name'] == _prom_clean('peer' + PEER_TEXT)
        if 'address' in labels:
            assert labels['address'] == '192.0.2.1:8448'


def test_prometheus_escapes_the_three_characters_the_format_defines():
    report = build_report('a\\b"c\nd', _discovery(), [], 1)
    assert 'matrix_federation_ok{server_name="a\\\\b\\"c\\nd"} 0' in render_prometheus(report)


def test_text_shows_both_families_the_well_known_and_its_cache():
    delegation = {'status': 200, 'm_server': 'hs.example.org:8448', 'error': None}
    refused = {'status': None, 'm_server': None, 'error': 'WELLKNOWN_CONNECTION_REFUSED'}
    discovery = _delegated_discovery({'192.0.2.1': delegation, '2001:db8::1': refused})
    discovery['resolution']['delegated_hostname'] = 'hs.example.org'
    discovery['well_known_result']['cache'] = {'lifetime_s': 172800, 'source': 'max-age', 'capped': True,
                                               'requested_s': 604800}
    conn = _conn()
    conn['media'] = {'status': 401, 'errcode': 'M_UNAUTHORIZED', 'verdict': 'homeserver'}
    report = build_report('example.org', discovery, [('192.0.2.1:8448', conn, None),
                                                     ('[2001:db8::1]:8448', _conn(), None)], 5)
    lines = render_report_text(report)
    assert lines[0] == 'example.org: federation ok (resolution: well_known_port, delegated to hs.example.org)'
    assert lines[1] == '  IPv4-only peers: ok: 192.0.2.1:8448 answers and passes every check'
    assert lines[2].startswith('  IPv6-only peers: FAIL: no IPv6 address of example.org serves the well-known')
    assert '  well-known from 2001:db8::1: no delegation (WELLKNOWN_CONNECTION_REFUSED)' in lines
    assert '  well-known from 192.0.2.1: m.server hs.example.org:8448' in lines
    assert ('  well-known cache: peers keep the delegation 48 h (Cache-Control max-age, kept within 5 min..48 h from '
            '168 h): a change of m.server reaches them within 48 h') in lines
    assert '  192.0.2.1:8448: all checks ok, media route: homeserver' in lines
    assert any(line.startswith('  warning IP_FAMILY_PARTIAL: only IPv4 works for example.org') for line in lines)


def test_text_of_no_delegation_and_of_a_broken_report():
    discovery = _discovery()
    discovery['well_known_result'] = {'cache': {'lifetime_s': 3600, 'source': 'error', 'capped': False,
                                                'requested_s': None}}
    report = build_report('example.org\nx', discovery, [('192.0.2.1:8448', _conn(False), None)], 5)
    lines = render_report_text(report)
    assert lines[0].startswith('example.org\ufffdx: federation FAILS')
    assert ('  well-known cache: no delegation, peers remember that for 60 min: a new or repaired well-known reaches '
            'them within 60 min') in lines
    assert '  192.0.2.1:8448: checks FAIL, media route: not asked' in lines
    assert render_report_text({'server_name': 'x'}) == ['x: federation FAILS (resolution: None)']


def test_prometheus_has_a_gauge_per_family():
    report = build_report('example.org', _discovery(), [('192.0.2.1:8448', _conn(), None)], 5)
    text = render_prometheus(report)
    assert 'matrix_federation_family_ok{server_name="example.org",family="IPv4"} 1' in text
    assert 'matrix_federation_family_ok{server_name="example.org",family="IPv6"} 0' in text


def test_text_of_several_reports_starts_with_a_line_per_server():
    from ansible_collections.matrix.federation.plugins.module_utils._federation.render import render_reports_text
    from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render_html import (
        CATALOGUE, samples)
    batch = samples()
    text = render_reports_text(batch, CATALOGUE)
    lines = text.split('\n')
    names = list(batch['reports'])
    assert lines[0] == '%d servers: 6 federate, 6 fail' % len(names)
    assert [line.split()[0] for line in lines[1:1 + len(names)]] == names
    overview = lines[1:1 + len(names)]
    assert any(line.split()[:2] == ['certsrv.lab.test', 'FAILS']
               and line.endswith('1 error(s), 0 warning(s): CERT_NAME_MISMATCH') for line in overview)
    assert lines[1 + len(names)] == ''
    section = text[text.index('\ncertsrv.lab.test: federation FAILS (resolution: srv)\n'):]
    section = section[:section.index('\n\n')].split('\n')[1:]
    assert any(line.startswith('  target target-certsrv.lab.test:8454 (SRV priority 10, weight 5): 127.')
               for line in section)
    assert '    failing checks: ValidCertificates' in section
    assert '    cause: certificate does not cover the name the spec checks' in section
    assert '    fix: issue a certificate with the right SAN' in section
    notary = text[text.index('\norigin.notary.test:8443: federation FAILS'):]
    assert '    no catalogue entry' in notary[:notary.index('\n\n')].split('\n')
    # Without a catalogue (the filter passes one always) a report renders as before, one line per finding.
    assert render_report_text(batch['reports']['certsrv.lab.test'])[-1].startswith('  error CERT_NAME_MISMATCH: ')


def test_text_of_hostile_reports_keeps_each_line_one_line():
    from ansible_collections.matrix.federation.plugins.module_utils._federation.render import render_reports_text
    from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render_html import (
        CATALOGUE, hostile_samples)
    text = render_reports_text(hostile_samples(), CATALOGUE)
    text.encode('utf-8')
    assert not re.search('[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]', text)
    assert render_reports_text([]) == 'no report\n'
