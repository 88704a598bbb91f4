# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DNS wire codec, checked against dnspython (the reference) and against hostile answers."""

import struct

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.matrix.federation.plugins.module_utils._federation.dnswire import (
    Answer,
    DnsWireError,
    encode_name,
    parse_answer,
    query_template,
    with_id,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_discovery_fuzz import mutated_bytes

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAME = '_matrix-fed._tcp.Example.org'


def _query(name, rtype):
    template = query_template(name, rtype)
    return template, template[12:-4]


def _reference_query(name, rtype, query_id=0):
    query = dns.message.make_query(name, rtype)
    query.id = query_id
    return query


@pytest.mark.parametrize('name,rtype', [('example.org', 'A'), ('Example.ORG.', 'AAAA'), (NAME, 'SRV'),
                                        ('with\\.dot.example.org', 'A'), ('octet\\255.example', 'SRV'),
                                        ('bücher.example', 'A')])
def test_query_is_the_query_dnspython_builds(name, rtype):
    assert with_id(query_template(name, rtype), 4242) == _reference_query(name, rtype, 4242).to_wire()


@pytest.mark.parametrize('name,problem', [('a..b', 'empty label'), ('x' * 64 + '.org', 'label of 64 octets'),
                                          ('.'.join(['abcdefghi'] * 26), 'octets long'), ('a\\', 'lone backslash'),
                                          ('a\\300b', 'not an octet'), ('\udcff.org', 'not a name DNS can carry')])
def test_names_dns_cannot_carry_are_refused(name, problem):
    with pytest.raises(DnsWireError) as exc:
        encode_name(name)
    assert problem in str(exc.value)


def _answer(name, rtype, rrsets, rcode=dns.rcode.NOERROR, query_id=7):
    query = _reference_query(name, rtype, query_id)
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    for owner, kind, values in rrsets:
        response.answer.append(dns.rrset.from_text(owner, 60, 'IN', kind, *values))
    return response.to_wire()


def test_answer_records_cname_chain_and_rcode():
    wire = _answer('alias.example.org', 'A', [('alias.example.org.', 'CNAME', ['Host.Example.org.']),
                                              ('host.example.org.', 'A', ['192.0.2.1', '192.0.2.2'])])
    template, name_wire = _query('alias.example.org', 'A')
    answer = parse_answer(wire, 7, name_wire, 'A')
    assert answer.rcode == 0 and not answer.truncated
    # dnspython compresses 'Example.org' into a pointer to the question's 'example.org'.
    assert dict((key, sorted(values)) for key, values in answer.records.items()) == {
        ('alias.example.org', 'CNAME'): ['Host.example.org'], ('host.example.org', 'A'): ['192.0.2.1', '192.0.2.2']}
    nx = parse_answer(_answer('alias.example.org', 'A', [], rcode=dns.rcode.NXDOMAIN), 7, name_wire, 'A')
    assert nx.rcode == dns.rcode.NXDOMAIN and nx.records == {}
    assert template[:2] == b'\x00\x00'


def test_srv_targets_including_the_root_and_escaped_labels():
    wire = _answer(NAME, 'SRV', [(NAME + '.', 'SRV', ['10 5 8448 a\\.b.example.org.', '0 0 0 .', '1 1 443 \\003x.org.'])])
    answer = parse_answer(wire, 7, _query(NAME, 'SRV')[1], 'SRV')
    want = [(0, 0, 0, ''), (1, 1, 443, '\\003x.org'), (10, 5, 8448, 'a\\.b.example.org')]
    assert sorted(answer.records[(NAME.lower(), 'SRV')]) == want
    # The text form is dnspython's, so a target's text asks for the same name again.
    reference = dns.message.from_wire(wire)
    assert sorted(r.target.to_text(omit_final_dot=True) for r in reference.answer[0]) == ['.', '\\003x.org',
                                                                                          'a\\.b.example.org']
    assert encode_name('\\003x.org') == dns.name.from_text('\\003x.org').to_wire()


def test_ipv6_addresses_are_in_their_usual_text_form():
    wire = _answer('v6.example', 'AAAA', [('v6.example.', 'AAAA', ['2001:db8::1', '::ffff:192.0.2.1'])])
    answer = parse_answer(wire, 7, _query('v6.example', 'AAAA')[1], 'AAAA')
    assert sorted(answer.records[('v6.example', 'AAAA')]) == ['2001:db8::1', '::ffff:192.0.2.1']


def test_datagrams_that_are_not_the_answer_are_ignored():
    name_wire = _query('example.org', 'A')[1]
    wire = _answer('example.org', 'A', [('example.org.', 'A', ['192.0.2.1'])])
    assert parse_answer(wire, 8, name_wire, 'A') is None  # another ID
    assert parse_answer(wire, 7, _query('example.net', 'A')[1], 'A') is None  # another question
    assert parse_answer(wire, 7, name_wire, 'AAAA') is None  # another type
    query = _reference_query('example.org', 'A', 7).to_wire()
    assert parse_answer(query, 7, name_wire, 'A') is None  # not a response (QR clear)
    # A server that could not read the question may answer without it.
    refused = struct.pack('!HHHHHH', 7, 0x8000 | 5, 0, 0, 0, 0)
    answer = parse_answer(refused, 7, name_wire, 'A')
    assert isinstance(answer, Answer) and answer.rcode == 5
    assert parse_answer(struct.pack('!HHHHHH', 7, 0x8000, 0, 0, 0, 0), 7, name_wire, 'A') is None


def test_truncated_answer_is_flagged_and_not_read():
    wire = bytearray(_answer('example.org', 'A', [('example.org.', 'A', ['192.0.2.1'])]))
    wire[2] |= dns.flags.TC >> 8
    answer = parse_answer(bytes(wire[:40]), 7, _query('example.org', 'A')[1], 'A')
    assert answer.truncated and answer.records == {}


def _header(ancount=1):
    return struct.pack('!HHHHHH', 7, 0x8180, 1, ancount, 0, 0)


QUESTION = b'\x07example\x03org\x00' + struct.pack('!HH', 1, 1)


@pytest.mark.parametrize('answer,problem', [
    (b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 5) + b'\x01\x02\x03\x04\x05', 'an A record of 5 octets'),
    (b'\xc0\x0c' + struct.pack('!HHIH', 28, 1, 60, 4) + b'\x01\x02\x03\x04', 'an AAAA record of 4 octets'),
    (b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 40) + b'\x01\x02\x03\x04', 'record data runs past'),
    (b'\xc0\x0c' + struct.pack('!HH', 1, 1), 'record header runs past'),
    (b'\xc0\x30', 'does not point backwards'),  # forward
    (b'\xc0\x1d', 'does not point backwards'),  # to itself: a loop
    (b'\x40abc', 'unknown label type'),
    (b'\x3fabc', 'label runs past'),
    (b'\x03abc', 'name runs past'),
    (b'\xc0', 'compression pointer runs past'),
    (b'\xc0\x0c' + struct.pack('!HHIH', 33, 1, 60, 6) + b'\x00\x01\x00\x02\x00\x03', 'an SRV record of 6 octets'),
    (b'\xc0\x0c' + struct.pack('!HHIH', 33, 1, 60, 9) + b'\x00\x01\x00\x02\x00\x03\x00\x00\x00',
     'target does not end with its data'),
    (b'\xc0\x0c' + struct.pack('!HHIH', 5, 1, 60, 3) + b'\x00\x00\x00', 'CNAME record whose target does not end'),
    (b''.join(b'\x3f' + b'x' * 63 for dummy in range(4)) + b'\x00', 'longer than 255 octets'),
])
def test_malformed_answers_raise(answer, problem):
    with pytest.raises(DnsWireError) as exc:
        parse_answer(_header() + QUESTION + answer, 7, _query('example.org', 'A')[1], 'A')
    assert problem in str(exc.value)


def test_short_messages_raise():
    name_wire = _query('example.org', 'A')[1]
    with pytest.raises(DnsWireError, match='the header alone is 12'):
        parse_answer(b'\x00\x07\x81', 7, name_wire, 'A')
    with pytest.raises(DnsWireError, match='question runs past'):
        parse_answer(_header() + QUESTION[:-2], 7, name_wire, 'A')


LABEL = st.text(alphabet='abcXYZ019-_', min_size=1, max_size=12)
HOST = st.lists(LABEL, min_size=1, max_size=4).map('.'.join)


@FUZZ
@given(HOST, st.lists(st.tuples(st.integers(0, 65535), st.integers(0, 65535), st.integers(0, 65535),
                                st.one_of(st.just('.'), HOST)), max_size=12, unique=True),
       st.lists(st.ip_addresses(v=4).map(str), max_size=6, unique=True))
def test_any_answer_reads_as_dnspython_reads_it(host, srv, addresses):
    rrsets = []
    if srv:
        rrsets.append((host + '.', 'SRV', ['%d %d %d %s' % (p, w, port, t if t == '.' else t + '.') for p, w, port, t in srv]))
    if addresses:
        rrsets.append((host + '.', 'A', addresses))
    wire = _answer(host, 'SRV', rrsets)
    answer = parse_answer(wire, 7, _query(host, 'SRV')[1], 'SRV')
    reference = dns.message.from_wire(wire)
    want = {}
    for rrset in reference.answer:
        kind = dns.rdatatype.to_text(rrset.rdtype)
        want[(rrset.name.to_text(omit_final_dot=True).lower(), kind)] = sorted(
            (r.priority, r.weight, r.port, r.target.to_text(omit_final_dot=True)) if kind == 'SRV' else r.address
            for r in rrset)
    # The root is '' here and '.' in dnspython's text (the client reports it as '.').
    got = dict((key, sorted(v[:3] + (v[3] or '.',) if isinstance(v, tuple) else v for v in values))
               for key, values in answer.records.items())
    assert got == want


@FUZZ
@given(st.data())
def test_mutated_answers_read_or_raise_a_wire_error(data):
    wire = _answer(NAME, 'SRV', [(NAME + '.', 'SRV', ['10 5 8448 a.example.org.', '0 0 0 .']),
                                 ('a.example.org.', 'A', ['192.0.2.1']), ('a.example.org.', 'AAAA', ['2001:db8::1'])])
    mutated = data.draw(mutated_bytes(wire))
    try:
        answer = parse_answer(mutated, 7, _query(NAME, 'SRV')[1], 'SRV')
    except DnsWireError:
        return
    if answer is not None:
        for (owner, kind), values in answer.records.items():
            assert isinstance(owner, str) and kind in ('A', 'AAAA', 'CNAME', 'SRV')
            for value in values:
                assert isinstance(value, (str, tuple))
