# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DNS wire format (RFC 1035) for the four record types server discovery asks about: A, AAAA, CNAME, SRV.

A query is built once per name and type (:func:`query_template`) and only
its ID changes per exchange; an answer is read once, straight into what the
client uses (addresses, SRV tuples, CNAME targets), never into a general
message object. Why this instead of dnspython (which the tests use as the
reference this codec is checked against): a federation check asks about
five names per server and dnspython spent about 0.4 ms of CPU on each
exchange (building the query, reading the answer, matching them), half a
batch's CPU, and its import was on a single check's critical path; this
reads an answer in a few tens of microseconds and imports nothing but the
standard library (benchmarks/README.md has the figures).

Everything the network sends is checked: lengths, compression pointers
(only backwards, so no loop), name lengths (255 octets), record data
lengths per type. A malformed answer raises :class:`DnsWireError`.
"""

import socket
import struct

TYPES = {'A': 1, 'CNAME': 5, 'AAAA': 28, 'SRV': 33}
TYPE_NAMES = dict((value, name) for name, value in TYPES.items())
CLASS_IN = 1
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
RCODE_NAMES = {0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
               7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE'}
FLAG_QR = 0x8000
FLAG_TC = 0x0200
FLAG_RD = 0x0100
MAX_NAME_OCTETS = 255
MAX_LABEL_OCTETS = 63
# Printable octets that still need a backslash in a name's text (as dnspython and zone files write them).
_ESCAPED = frozenset(b'"().;\\@$')
_HEADER = struct.Struct('!HHHHHH')
_RR = struct.Struct('!HHIH')
_SRV = struct.Struct('!HHH')


class DnsWireError(Exception):
    """A name that cannot be asked about, or an answer that is not a well-formed DNS message."""


def rcode_text(rcode):
    return RCODE_NAMES.get(rcode, str(rcode))


def _text_labels(name):
    """The labels of a name's text form as bytes (``\\.`` and ``\\DDD`` escapes read as zone files write them)."""
    try:
        raw = name.encode('ascii')
    except UnicodeEncodeError:
        try:
            raw = name.encode('idna')  # an internationalised name, as resolvers ask for it
        except UnicodeError as exc:
            raise DnsWireError('%r is not a name DNS can carry: %s' % (name, exc))
    if b'\\' not in raw:  # the usual case: no escapes
        labels = raw[:-1].split(b'.') if raw.endswith(b'.') else raw.split(b'.')
        if not all(labels):
            raise DnsWireError('%r has an empty label' % name)
        return labels
    labels, label, index = [], bytearray(), 0
    while index < len(raw):
        octet = raw[index]
        if octet == 0x5C:  # backslash
            if raw[index + 1:index + 4].isdigit() and len(raw[index + 1:index + 4]) == 3:
                value = int(raw[index + 1:index + 4])
                if value > 255:
                    raise DnsWireError('%r: escape \\%03d is not an octet' % (name, value))
                label.append(value)
                index += 4
                continue
            if index + 1 >= len(raw):
                raise DnsWireError('%r ends with a lone backslash' % name)
            label.append(raw[index + 1])
            index += 2
            continue
        if octet == 0x2E:  # dot
            if not label:
                raise DnsWireError('%r has an empty label' % name)
            labels.append(bytes(label))
            label = bytearray()
        else:
            label.append(octet)
        index += 1
    if label:
        labels.append(bytes(label))
    return labels


def encode_name(name):
    """A name's text (with or without the final dot) in wire format; ``DnsWireError`` when DNS cannot carry it."""
    if name in ('', '.'):
        return b'\x00'
    labels = _text_labels(name)
    wire = b''.join(struct.pack('!B', len(label)) + label for label in labels) + b'\x00'
    for label in labels:
        if len(label) > MAX_LABEL_OCTETS:
            raise DnsWireError('%r has a label of %d octets (at most %d)' % (name, len(label), MAX_LABEL_OCTETS))
    if len(wire) > MAX_NAME_OCTETS:
        raise DnsWireError('%r is %d octets long (at most %d)' % (name, len(wire), MAX_NAME_OCTETS))
    return wire


def query_template(name, rtype):
    """A query for ``name``/``rtype`` (``'A'``, ``'AAAA'``, ``'SRV'``...) with ID 0 and recursion desired."""
    return _HEADER.pack(0, FLAG_RD, 1, 0, 0, 0) + encode_name(name) + struct.pack('!HH', TYPES[rtype], CLASS_IN)


def question_name(template):
    """The name of a :func:`query_template`, in wire format (what :func:`parse_answer` matches answers on)."""
    return template[_HEADER.size:-4]


def with_id(template, query_id):
    """The query ``template`` with the message ID ``query_id``."""
    return struct.pack('!H', query_id) + template[2:]


def _label_text(label):
    return ''.join('\\' + chr(octet) if octet in _ESCAPED else chr(octet) if 0x20 < octet < 0x7F
                   else '\\%03d' % octet for octet in label)


def _read_name(wire, offset):
    """``(labels, offset after the name)``; pointers may only go backwards, so reading always ends."""
    labels, end, total, start = [], None, 1, offset
    while True:
        if offset >= len(wire):
            raise DnsWireError('a name runs past the end of the message')
        length = wire[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(wire):
                raise DnsWireError('a compression pointer runs past the end of the message')
            pointer = ((length & 0x3F) << 8) | wire[offset + 1]
            if end is None:
                end = offset + 2
            if pointer >= start:
                raise DnsWireError('a compression pointer does not point backwards')
            offset = start = pointer
            continue
        if length & 0xC0:
            raise DnsWireError('unknown label type 0x%02x' % length)
        offset += 1
        if length == 0:
            return labels, (end if end is not None else offset)
        if offset + length > len(wire):
            raise DnsWireError('a label runs past the end of the message')
        total += length + 1
        if total > MAX_NAME_OCTETS:
            raise DnsWireError('a name is longer than %d octets' % MAX_NAME_OCTETS)
        labels.append(wire[offset:offset + length])
        offset += length


def name_text(labels):
    """A name's text form without the final dot (``''`` for the root)."""
    return '.'.join(_label_text(label) for label in labels)


def _same_name(labels, other):
    return len(labels) == len(other) and all(a.lower() == b.lower() for a, b in zip(labels, other))


class Answer:
    """What an answer says: ``rcode``, ``truncated``, and its IN-class records as ``{(name, type): [value]}``.

    Names are lower-case text without the final dot; a value is an address
    (text), a name (CNAME), or ``(priority, weight, port, target)`` (SRV).
    """

    def __init__(self, rcode, truncated):
        self.rcode = rcode
        self.truncated = truncated
        self.records = {}


def _rdata(wire, rtype, start, length):
    end = start + length
    if rtype == 1:
        if length != 4:
            raise DnsWireError('an A record of %d octets' % length)
        return socket.inet_ntop(socket.AF_INET, wire[start:end])
    if rtype == 28:
        if length != 16:
            raise DnsWireError('an AAAA record of %d octets' % length)
        return socket.inet_ntop(socket.AF_INET6, wire[start:end])
    if rtype == 33:
        if length < 7:
            raise DnsWireError('an SRV record of %d octets' % length)
        priority, weight, port = _SRV.unpack_from(wire, start)
        labels, after = _read_name(wire, start + 6)
        if after != end:
            raise DnsWireError('an SRV record whose target does not end with its data')
        return priority, weight, port, name_text(labels)
    labels, after = _read_name(wire, start)  # CNAME
    if after != end:
        raise DnsWireError('a CNAME record whose target does not end with its data')
    return name_text(labels)


def parse_answer(wire, query_id, name_wire, rtype):
    """The :class:`Answer` to the query (ID ``query_id``, name ``name_wire``, type), or ``None`` if ``wire`` is not it.

    ``None`` is for a datagram that is no answer to this query (another ID,
    another question, not a response), which a client ignores as dnspython's
    ``is_response`` does; a malformed message raises :class:`DnsWireError`.
    Only the answer section is read (nothing the client uses is elsewhere).
    """
    if len(wire) < _HEADER.size:
        raise DnsWireError('a message of %d octets (the header alone is %d)' % (len(wire), _HEADER.size))
    ident, flags, qdcount, ancount, dummy_ns, dummy_ar = _HEADER.unpack_from(wire)
    if ident != query_id or not flags & FLAG_QR or (flags >> 11) & 0xF != 0:
        return None
    rcode = flags & 0xF
    offset = _HEADER.size
    if qdcount != 1:
        # A server that cannot parse the query may answer without the question.
        if qdcount == 0 and rcode in (FORMERR, SERVFAIL, NOTIMP, REFUSED):
            return Answer(rcode, bool(flags & FLAG_TC))
        return None
    labels, offset = _read_name(wire, offset)
    if offset + 4 > len(wire):
        raise DnsWireError('the question runs past the end of the message')
    qtype, qclass = struct.unpack_from('!HH', wire, offset)
    offset += 4
    asked, dummy = _read_name(name_wire, 0)
    if qtype != TYPES[rtype] or qclass != CLASS_IN or not _same_name(labels, asked):
        return None
    answer = Answer(rcode, bool(flags & FLAG_TC))
    if answer.truncated:
        return answer  # asked again over TCP: a cut answer's records are not read
    for dummy in range(ancount):
        labels, offset = _read_name(wire, offset)
        if offset + _RR.size > len(wire):
            raise DnsWireError('a record header runs past the end of the message')
        record_type, record_class, dummy_ttl, length = _RR.unpack_from(wire, offset)
        offset += _RR.size
        if offset + length > len(wire):
            raise DnsWireError('record data runs past the end of the message')
        if record_class == CLASS_IN and record_type in TYPE_NAMES:
            key = (name_text(labels).lower(), TYPE_NAMES[record_type])
            values = answer.records.setdefault(key, [])
            value = _rdata(wire, record_type, offset, length)
            if value not in values:
                values.append(value)
        offset += length
    return answer
