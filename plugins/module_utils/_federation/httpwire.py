# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP/1.1 response framing, read as ``http.client`` reads it, without its e-mail header parser.

``http.client`` hands every header block to the ``email`` package, which
spent more CPU per answer than the rest of the exchange in a batch (and
cost an import at start-up). What a federation client needs of an answer
is small: the status line, the header fields, and where the body ends
(``Content-Length``, chunked transfer coding, or the end of the connection).
This reads exactly that, with ``http.client``'s rules and limits (tests
compare the two on any input): a line at most 65,536 octets, at most 100
header fields, ``100 Continue`` skipped, no body for 1xx, 204 and 304, the
first ``Content-Length`` and ``Transfer-Encoding`` fields frame the body, and
a short body is what arrived before the server closed.

``reader`` is a :class:`deadline.DeadlineReader` (``readline(limit)``,
``read(amount)``, ``read1(amount)``), so every byte still obeys the run's
deadline.
"""

MAX_LINE = 65536
MAX_HEADERS = 100


class HttpProtocolError(Exception):
    """The answer is not HTTP/1.x as a client can read it (``HTTP_ERROR``)."""


class Disconnected(ConnectionError):
    """The server closed the connection before the status line (``http.client.RemoteDisconnected``)."""


def _line(reader, what):
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise HttpProtocolError('the %s is longer than %d octets' % (what, MAX_LINE))
    return line


def _status(reader):
    line = _line(reader, 'status line')
    if not line:
        raise Disconnected('the server closed the connection without answering')
    text = line.decode('iso-8859-1')
    parts = text.split(None, 2)
    if len(parts) == 2:
        parts.append('')
    if len(parts) != 3 or not parts[0].startswith('HTTP/'):
        raise HttpProtocolError('not an HTTP status line: %r' % text[:80])
    version, status, reason = parts
    try:
        status = int(status)
    except ValueError:
        status = -1
    if not 100 <= status <= 999:
        raise HttpProtocolError('not an HTTP status: %r' % parts[1][:20])
    return version, status, reason.strip()


def _headers(reader):
    """The header fields as ``[(lower-case name, value)]``, folded lines joined as the e-mail parser joins them."""
    fields = []
    count = 0
    while True:
        line = _line(reader, 'header line')
        count += 1  # the empty line that ends them counts too, as in http.client
        if count > MAX_HEADERS:
            raise HttpProtocolError('more than %d header lines' % MAX_HEADERS)
        if line in (b'\r\n', b'\n', b''):
            return fields
        text = line.decode('iso-8859-1').rstrip('\r\n')
        if text[:1] in (' ', '\t'):
            if fields:  # obsolete line folding: a continuation of the previous field
                name, value = fields[-1]
                fields[-1] = (name, value + ' ' + text.strip() if value else text.strip())
            continue
        name, colon, value = text.partition(':')
        if not colon or not name or name != name.rstrip() or any(c in name for c in ' \t'):
            continue  # not a field (the e-mail parser records a defect and goes on)
        fields.append((name.lower(), value.lstrip(' \t')))


def _first(fields, name):
    for field, value in fields:
        if field == name:
            return value
    return None


class Head:
    """The status line and fields of one answer, and how its body is framed."""

    def __init__(self, version, status, reason, fields):
        self.version, self.status, self.reason, self.fields = version, status, reason, fields
        encoding = _first(fields, 'transfer-encoding')
        self.chunked = encoding is not None and encoding.lower() == 'chunked'
        self.length = None
        length = _first(fields, 'content-length')
        if not self.chunked and length:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if status in (204, 304) or 100 <= status < 200:
            self.length = 0
        connection = (_first(fields, 'connection') or '').lower()
        if version not in ('HTTP/1.0', 'HTTP/0.9'):
            self.will_close = 'close' in connection
        else:
            self.will_close = not (_first(fields, 'keep-alive') or 'keep-alive' in connection
                                   or 'keep-alive' in (_first(fields, 'proxy-connection') or '').lower())
        if not self.chunked and self.length is None:
            self.will_close = True  # the body ends when the connection does

    @property
    def headers(self):
        """The fields as a dict of lower-case names (a repeated field: its last value)."""
        return dict(self.fields)


def read_head(reader):
    """Read an answer's status line and fields (skipping ``100 Continue``); return a :class:`Head`."""
    while True:
        version, status, reason = _status(reader)
        if version not in ('HTTP/1.0', 'HTTP/0.9') and not version.startswith('HTTP/1.'):
            raise HttpProtocolError('unsupported HTTP version %r' % version[:20])
        fields = _headers(reader)
        if status != 100:
            return Head(version, status, reason, fields)


def read_body(reader, head, limit):
    """Yield the body's chunks of data; stops once more than ``limit`` octets came (the caller refuses them)."""
    if head.chunked:
        yield from _chunks(reader, limit)
        return
    left = head.length
    total = 0
    while left is None or left > 0:
        want = 65536 if left is None else min(65536, left)
        chunk = reader.read1(min(want, limit + 1 - total))
        if not chunk:
            return  # closed: the body is what arrived
        total += len(chunk)
        if left is not None:
            left -= len(chunk)
        yield chunk
        if total > limit:
            return


def _chunks(reader, limit):
    total = 0
    while True:
        line = _line(reader, 'chunk size line')
        size_text = line.split(b';', 1)[0]
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpProtocolError('not a chunk size: %r' % size_text.strip()[:20])
        if size < 0:
            raise HttpProtocolError('a negative chunk size')
        if size == 0:
            while _line(reader, 'trailer line') not in (b'\r\n', b'\n', b''):
                pass
            return
        if total + size > limit:
            size = limit + 1 - total  # enough to know it is too large
        data = reader.read(size)
        if len(data) < size:
            raise HttpProtocolError('the connection closed inside a chunk (%d of %d octets)' % (len(data), size))
        total += len(data)
        yield data
        if total > limit:
            return
        reader.read(2)  # the CRLF after the chunk
