# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One deadline for every byte: the run's :class:`Deadline` and socket I/O that obeys it call by call.

A socket timeout bounds one system call, not a conversation: a peer that
sends one byte just before each timeout keeps a plain read loop (or
``http.client`` over ``makefile``) alive for ever. Every ``connect``,
``send``, ``recv`` and TLS handshake here first sets the socket's timeout to
what is left of the deadline (capped per step), so the whole exchange ends
when the deadline does. Expiry raises ``FederationError('TIMEOUT')``; a
step's own cap running out raises ``socket.timeout`` as usual, for the
caller to name (``DNS_TIMEOUT``, ``TLS_TIMEOUT``, ``HTTP_TIMEOUT``).
"""

import socket
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

_RECV_SIZE = 65536


class Deadline:
    """One absolute deadline (``time.monotonic``), shared by every network step of a run."""

    def __init__(self, seconds):
        self.expires = time.monotonic() + seconds

    def remaining(self):
        return self.expires - time.monotonic()

    def step(self, step_timeout=None):
        """Seconds the next call may take: ``step_timeout`` (if given) capped by the deadline.

        Raises ``FederationError('TIMEOUT')`` once the deadline has passed.
        """
        left = self.remaining()
        if left <= 0:
            raise FederationError('TIMEOUT', 'the overall time limit for this run was reached')
        return left if step_timeout is None else min(step_timeout, left)

    def sub(self, seconds):
        """A deadline ``seconds`` from now, never later than this one."""
        child = Deadline(0)
        child.expires = min(self.expires, time.monotonic() + seconds)
        return child


def connect(address, deadline, cap=None):
    """A TCP connection to ``(ip, port)`` that took at most ``cap`` seconds and ended before the deadline."""
    return socket.create_connection(address, timeout=deadline.step(cap))


def tls_handshake(tls, deadline, cap=None):
    """Run the TLS handshake of an ``SSLSocket`` made with ``do_handshake_on_connect=False``.

    CPython bounds the whole handshake (all its reads and writes) by the
    timeout set here, so a peer trickling its ServerHello cannot stretch it.
    """
    tls.settimeout(deadline.step(cap))
    tls.do_handshake()


def send_all(sock, data, deadline, cap=None):
    """``sendall`` with the timeout set again before every ``send``: a peer that reads slowly cannot stretch it."""
    view = memoryview(data)
    while view:
        sock.settimeout(deadline.step(cap))
        sent = sock.send(view)
        view = view[sent:]


def recv_exactly(sock, count, deadline, cap=None):
    """Exactly ``count`` bytes, each ``recv`` bounded by the deadline; ``EOFError`` when the peer closes early."""
    data = bytearray()
    while len(data) < count:
        sock.settimeout(deadline.step(cap))
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError('connection closed by the peer after %d of %d bytes' % (len(data), count))
        data += chunk
    return bytes(data)


class DeadlineReader:
    """A buffered, read-only file over a socket for ``httpwire``; every ``recv`` obeys the deadline.

    ``cap`` bounds each single wait and may be changed between reads (the
    first answer on a connection may wait longer than a pipelined one).
    ``close()`` leaves the socket open: its owner closes it.
    """

    def __init__(self, sock, deadline, cap=None):
        self.sock, self.deadline, self.cap = sock, deadline, cap
        self._buffer = bytearray()
        self._eof = False

    def _fill(self):
        """One ``recv`` into the buffer; ``False`` at the end of the stream."""
        if self._eof:
            return False
        self.sock.settimeout(self.deadline.step(self.cap))
        chunk = self.sock.recv(_RECV_SIZE)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _take(self, count):
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data

    def readline(self, limit=-1):
        start = 0
        while True:
            end = self._buffer.find(b'\n', start)
            if end >= 0:
                count = end + 1
                break
            if 0 <= limit <= len(self._buffer):
                count = limit
                break
            start = len(self._buffer)
            if not self._fill():
                count = len(self._buffer)
                break
        return self._take(count if limit < 0 else min(count, limit))

    def read(self, amount=-1):
        if amount is None or amount < 0:
            while self._fill():
                pass
            return self._take(len(self._buffer))
        while len(self._buffer) < amount and self._fill():
            pass
        return self._take(amount)

    def read1(self, amount=-1):
        if not self._buffer:
            self._fill()
        return self._take(len(self._buffer) if amount is None or amount < 0 else amount)

    def peek(self, amount=0):  # pylint: disable=unused-argument
        if not self._buffer:
            self._fill()
        return bytes(self._buffer)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def flush(self):
        pass

    def close(self):
        pass
