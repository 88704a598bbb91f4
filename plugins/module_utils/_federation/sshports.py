# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The TCP ports SSH is reachable on, as sshd and the kernel say, never an assumed 22.

Two sources, because either alone can lock an admin out: the sockets an
``sshd`` process (or systemd, for ``ssh.socket``) listens on now (``ss``), and
the ports sshd's effective configuration names (``sshd -T``: ``port`` and the
port of each ``listenaddress``), which differ from the listening ones between
an edit of ``sshd_config`` and the restart that applies it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_SS_LINE = re.compile(r'^LISTEN\s+\d+\s+\d+\s+(?P<local>\S+)\s+\S+\s+users:\((?P<users>.*)\)\s*$')
_SS_USER = re.compile(r'\("(?P<name>[^"]+)",pid=(?P<pid>\d+),fd=\d+\)')
_SSHD_PORT = re.compile(r'^port (\d+)\s*$', re.MULTILINE)
_SSHD_LISTEN = re.compile(r'^listenaddress \S*:(\d+)\s*$', re.MULTILINE)


def _port_of(local):
    """The port of an ss local address (``0.0.0.0:22``, ``[::]:22``, ``*:22``, ``10.0.0.1%eth0:22``)."""
    port = local.rsplit(':', 1)[-1]
    return int(port) if port.isdigit() else None


def parse_ss(text, names=('sshd',)):
    """Ports of the listening TCP sockets owned by a process named in ``names`` (``ss -Htlnp`` output)."""
    ports = set()
    for line in text.splitlines():
        match = _SS_LINE.match(line.strip())
        if not match:
            continue
        owners = set(user.group('name') for user in _SS_USER.finditer(match.group('users')))
        port = _port_of(match.group('local'))
        if port is not None and owners & set(names):
            ports.add(port)
    return sorted(ports)


def parse_sshd_t(text):
    """Ports sshd's effective configuration (``sshd -T``) listens on."""
    ports = set(int(p) for p in _SSHD_PORT.findall(text))
    ports.update(int(p) for p in _SSHD_LISTEN.findall(text))
    return sorted(ports)


def ssh_ports(run, sshd='sshd', ss='ss'):
    """Gather both sources with ``run(argv) -> (rc, out, err)``; a missing tool is reported, not raised."""
    result = {'listening': [], 'configured': [], 'problems': []}
    sources = [
        ('listening', ss, ['-H', '-t', '-l', '-n', '-p'], parse_ss, 'ss -Htlnp',
         'ss (iproute2) is not installed: the listening sockets are unknown'),
        ('configured', sshd, ['-T'], parse_sshd_t, 'sshd -T', 'sshd is not installed'),
    ]
    for key, binary, args, parse, label, missing in sources:
        if not binary:
            result['problems'].append(missing)
            continue
        rc, out, err = run([binary] + args)
        if rc == 0:
            result[key] = parse(out)
        else:
            result['problems'].append('%s failed: %s' % (label, (err or out).strip()))
    result['ports'] = sorted(set(result['listening']) | set(result['configured']))
    return result
