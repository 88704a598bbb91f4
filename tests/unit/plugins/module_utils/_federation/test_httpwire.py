# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP/1.x response framing, checked against http.client (the reference) on generated and mutated answers."""

import http.client
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.matrix.federation.plugins.module_utils._federation.httpwire import (
    Disconnected,
    HttpProtocolError,
    read_body,
    read_head,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_discovery_fuzz import mutated_bytes

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Socket:
    def __init__(self, data):
        self.data = data

    def makefile(self, mode):  # pylint: disable=unused-argument
        return io.BufferedReader(io.BytesIO(self.data))


def reference(data):
    """What http.client makes of an answer: (status, reason, headers, body, will_close), or 'error'.

    Read as the collection read it with http.client: in pieces (so a body
    shorter than its Content-Length is what arrived, not an error).
    """
    response = http.client.HTTPResponse(_Socket(data), method='GET')
    try:
        response.begin()
        body = b''
        while True:
            chunk = response.read(65536)
            if not chunk:
                break
            body += chunk
    except (http.client.HTTPException, ValueError, ConnectionError):
        return 'error'
    return (response.status, response.reason, dict((k.lower(), v) for k, v in response.getheaders()), body,
            bool(response.will_close))


def ours(data, limit=1 << 30):
    reader = io.BufferedReader(io.BytesIO(data))
    try:
        head = read_head(reader)
        body = b''.join(read_body(reader, head, limit))
    except (HttpProtocolError, Disconnected):
        return 'error'
    return head.status, head.reason, head.headers, body, head.will_close


FIELD = st.one_of(
    st.tuples(st.just('Content-Length'), st.sampled_from(['0', '5', '12', '-1', 'x', '', '3 ', '99'])),
    st.tuples(st.just('Transfer-Encoding'), st.sampled_from(['chunked', 'Chunked', 'gzip'])),
    st.tuples(st.just('Connection'), st.sampled_from(['close', 'keep-alive', 'Keep-Alive, Upgrade', 'x'])),
    st.tuples(st.sampled_from(['Keep-Alive', 'Proxy-Connection']), st.sampled_from(['keep-alive', '', 'timeout=5'])),
    st.tuples(st.sampled_from(['Content-Type', 'X-Thing', 'cache-control']),
              st.text(alphabet='abc/;= -019', max_size=12)),
)
BODY = st.one_of(st.binary(max_size=20), st.just(b'5\r\nhello\r\n0\r\n\r\n'),
                 st.just(b'3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n'), st.just(b'zz\r\n'))


def _answer(version, status, reason, fields, body):
    head = '%s %s %s\r\n' % (version, status, reason) + ''.join('%s: %s\r\n' % field for field in fields) + '\r\n'
    return head.encode('latin-1') + body


ANSWER = st.builds(_answer, st.sampled_from(['HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/1.5', 'HTTP/2', 'ICY']),
                   st.sampled_from(['200', '204', '304', '101', '404', '999', '1000', '99', 'abc', '0200']),
                   st.sampled_from(['OK', '', 'Not Found ', 'x y z']), st.lists(FIELD, max_size=6), BODY)


@FUZZ
@given(ANSWER)
def test_any_answer_is_framed_as_http_client_frames_it(data):
    assert ours(data) == reference(data)


@FUZZ
@given(st.data())
def test_mutated_answers_frame_or_raise_a_protocol_error(data):
    wire = data.draw(mutated_bytes(_answer('HTTP/1.1', '200', 'OK', [('Content-Type', 'application/json'),
                                                                     ('Transfer-Encoding', 'chunked')],
                                           b'5\r\nhello\r\n0\r\n\r\n')))
    result = ours(wire)  # raises nothing but the two errors
    assert result == 'error' or isinstance(result[3], bytes)


def test_continue_is_skipped_and_pipelined_answers_are_framed():
    data = (b'HTTP/1.1 100 Continue\r\nX: 1\r\n\r\n'
            b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nConnection: close\r\n'
            b'Content-Length: 3\r\n\r\nno!')
    reader = io.BufferedReader(io.BytesIO(data))
    first = read_head(reader)
    assert (first.status, b''.join(read_body(reader, first, 100)), first.will_close) == (200, b'ok', False)
    second = read_head(reader)
    assert (second.status, second.reason, b''.join(read_body(reader, second, 100)), second.will_close) == (
        404, 'Not Found', b'no!', True)
    with pytest.raises(Disconnected):
        read_head(reader)


@pytest.mark.parametrize('data,problem', [
    (b'HTTP/1.1 200 OK\r\n' + b'X: y\r\n' * 100 + b'\r\n', 'more than 100 header lines'),
    (b'HTTP/1.1 200 OK\r\nX: ' + b'y' * 70000 + b'\r\n\r\n', 'header line is longer than 65536'),
    (b'HTTP/1.1 ' + b'2' * 70000, 'status line is longer'),
    (b'SSH-2.0-OpenSSH_9.2\r\n', 'not an HTTP status line'),
    (b'HTTP/1.1 2x0 OK\r\n\r\n', 'not an HTTP status'),
    (b'HTTP/2 200 OK\r\n\r\n', 'unsupported HTTP version'),
])
def test_what_is_not_http_is_refused(data, problem):
    with pytest.raises(HttpProtocolError) as exc:
        read_head(io.BufferedReader(io.BytesIO(data)))
    assert problem in str(exc.value)


def test_a_body_over_the_limit_stops_after_the_limit():
    huge = b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + b'100000\r\n' + b'x' * 0x100000 + b'\r\n0\r\n\r\n'
    reader = io.BufferedReader(io.BytesIO(huge))
    assert len(b''.join(read_body(reader, read_head(reader), 1000))) == 1001
    endless = b'HTTP/1.0 200 OK\r\n\r\n' + b'y' * 500000
    reader = io.BufferedReader(io.BytesIO(endless))
    assert len(b''.join(read_body(reader, read_head(reader), 1000))) == 1001
