# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The TCP and UDP sockets that listen on the network, with the programs behind them.

A firewall that turns on deny-by-default cuts every service it does not open.
Before that, the firewall role lists what listens on non-loopback addresses
(``ss -Htulnpe``), so a TURN server or a database is named in a refusal
instead of going dark silently.
"""

import ipaddress
import re

# ss -H -t -u -l -n -p -e: "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3)) ino:..."
# or, for a socket of another user that ss may not inspect (a container without CAP_SYS_PTRACE), "... uid:101 ino:...".
_LINE = re.compile(r'^(?P<proto>tcp|udp)\s+(?P<state>\S+)\s+\d+\s+\d+\s+(?P<local>\S+)\s+\S+(?P<rest>.*)$')
_USER = re.compile(r'\("(?P<name>[^"]+)",pid=(?P<pid>\d+),fd=\d+\)')
_UID = re.compile(r'\buid:(?P<uid>\d+)\b')


def split_address(local):
    """(host, port) of an ss local address: ``0.0.0.0:22``, ``[::]:22``, ``*:22``, ``127.0.0.53%lo:53``,
    ``[fe80::1]%eth0:546``; the host without brackets nor ``%interface``."""
    host, sep, port = local.rpartition(':')
    if not sep or not port.isdigit():
        return None, None
    host = host.split('%', 1)[0]
    if host.startswith('[') and host.endswith(']'):
        host = host[1:-1]
    return host, int(port)


def is_loopback(host):
    """Whether a listening address is reachable only from the host itself (``*`` and unknown names are not)."""
    try:
        address = ipaddress.ip_address(str(host))
    except ValueError:
        return False
    mapped = getattr(address, 'ipv4_mapped', None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def parse_listeners(text, users=None):
    """Listening TCP sockets and bound UDP sockets on non-loopback addresses, from ``ss -Htulnpe``.

    Returns a sorted list of {proto, port, address, processes, users}: one per (proto, port, address)
    (a program with several sockets on one address is listed once). ``users`` maps a uid to a user
    name, for sockets whose process ss could not see.
    """
    found = {}
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if not match or match.group('state') not in ('LISTEN', 'UNCONN'):
            continue
        host, port = split_address(match.group('local'))
        if port is None or is_loopback(host):
            continue
        key = (match.group('proto'), port, host)
        entry = found.setdefault(key, {'proto': key[0], 'port': port, 'address': host, 'processes': [], 'users': []})
        rest = match.group('rest')
        for user in _USER.finditer(rest):
            if user.group('name') not in entry['processes']:
                entry['processes'].append(user.group('name'))
        uid = _UID.search(rest)
        if uid:
            name = (users or {}).get(int(uid.group('uid')), 'uid %s' % uid.group('uid'))
            if name not in entry['users']:
                entry['users'].append(name)
    return [found[key] for key in sorted(found)]
