# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The TCP ports SSH is reachable on, as sshd, systemd and the kernel say, never an assumed 22.

Three sources, because any one alone can lock an admin out:

- the sockets an ``sshd`` process listens on now (``ss``);
- the socket units that start sshd (``ssh.socket`` moved with a drop-in:
  ``ListenStream=2222``). Until the first connection, systemd (pid 1) alone
  holds the socket, so ``ss`` shows no sshd, and ``sshd -T`` fails because
  ``/run/sshd`` only exists once ssh.service ran. Their ``Listen`` property
  (``systemctl show``) is read instead;
- the ports sshd's effective configuration names (``sshd -T``: ``port`` and
  the port of each ``listenaddress``), which differ from the listening ones
  between an edit of ``sshd_config`` and the restart that applies it. They
  are not counted when sshd is socket-activated: sshd then serves the sockets
  systemd hands it and ignores its own Port and ListenAddress. When ``sshd -T``
  cannot run (an installed but never started sshd has no ``/run/sshd``), the
  configuration files are read instead (``sshd_config`` and its Includes).
"""

import glob
import os
import re

_SS_LINE = re.compile(r'^LISTEN\s+\d+\s+\d+\s+(?P<local>\S+)\s+\S+\s+users:\((?P<users>.*)\)\s*$')
_SS_USER = re.compile(r'\("(?P<name>[^"]+)",pid=(?P<pid>\d+),fd=\d+\)')
_SSHD_PORT = re.compile(r'^port (\d+)\s*$', re.MULTILINE)
_SSHD_LISTEN = re.compile(r'^listenaddress \S*:(\d+)\s*$', re.MULTILINE)
# systemctl show: "Listen=[::]:2222 (Stream)", "Listen=/run/foo.sock (Stream)", "Listen=[::]:53 (Datagram)".
# Only IP sockets have a TCP port: not "/path", "@abstract" nor "vsock:2:22".
_LISTEN_VALUE = re.compile(r'^(?P<address>(?:\[[0-9A-Fa-f:.]+\]|[0-9.]+|\*)(?:%\S+)?:\d+) \((?P<type>[A-Za-z]+)\)$')
# systemctl show: "ExecStart={ path=/usr/sbin/sshd ; argv[]=/usr/sbin/sshd -D $SSHD_OPTS ; ... }".
_EXEC_PATH = re.compile(r'(?:^|[{;]\s*)path=(?P<path>\S+)')

# sshd_config: "Port 2222", "Port=2222", "ListenAddress [::1]:2222", "Include /etc/ssh/sshd_config.d/*.conf".
_CONFIG_LINE = re.compile(r'^\s*(?P<keyword>[A-Za-z]+)(?:\s*=\s*|\s+)(?P<value>.*?)\s*$')
_LISTEN_PORT = re.compile(r'^(?:\[[^\]]+\]|[^:\s]+):(?P<port>\d+)$')
SSHD_CONFIG = '/etc/ssh/sshd_config'
_INCLUDE_DEPTH = 16  # sshd's own limit on nested Includes

# UnitFileState values of a unit that starts at boot ("static" ones only when another unit pulls them in).
ENABLED_STATES = ('enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'alias', 'indirect', 'generated')
SOCKET_PROPERTIES = ('Id', 'Listen', 'Triggers', 'Accept', 'ActiveState', 'UnitFileState')


def port_of(local):
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
        port = port_of(match.group('local'))
        if port is not None and owners & set(names):
            ports.add(port)
    return sorted(ports)


def parse_sshd_t(text):
    """Ports sshd's effective configuration (``sshd -T``) listens on."""
    ports = set(int(p) for p in _SSHD_PORT.findall(text))
    ports.update(int(p) for p in _SSHD_LISTEN.findall(text))
    return sorted(ports)


def sshd_config_ports(path=SSHD_CONFIG):
    """Ports sshd_config (and the files it Includes, in sshd's order) names: what ``sshd -T`` would say.

    Every ``Port`` counts (sshd listens on all of them; 22 when none is set) and so does the port of a
    ``ListenAddress host:port``. A ListenAddress with its own port makes sshd skip the Port values for that
    address; they are kept anyway, since an extra open port is safer than a locked-out admin. Port and
    ListenAddress are not allowed inside a Match block, so nothing after a ``Match`` line counts.
    Raises OSError when the main file cannot be read.
    """
    ports, listen = [], []
    _read_sshd_config(path, ports, listen, 0, required=True)
    return sorted(set(ports or [22]) | set(listen))


def _read_sshd_config(path, ports, listen, depth, required=False):
    """Collect Port and ListenAddress ports of one file; returns False once a Match block starts."""
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            lines = handle.read().splitlines()
    except OSError:
        if required:
            raise
        return True
    for line in lines:
        match = _CONFIG_LINE.match(line)
        if not match or line.lstrip().startswith('#'):
            continue
        keyword, value = match.group('keyword').lower(), match.group('value')
        if keyword == 'match':
            return False
        if keyword == 'port' and value.isdigit():
            ports.append(int(value))
        elif keyword == 'listenaddress':
            found = _LISTEN_PORT.match(value.split()[0]) if value else None
            if found:
                listen.append(int(found.group('port')))
        elif keyword == 'include' and depth < _INCLUDE_DEPTH:
            for pattern in value.split():
                if not os.path.isabs(pattern):
                    pattern = os.path.join(os.path.dirname(SSHD_CONFIG), pattern)
                for included in sorted(glob.glob(pattern)):
                    if not _read_sshd_config(included, ports, listen, depth + 1):
                        return False
    return True


def parse_systemctl_show(text):
    """``systemctl show -p ... UNIT...`` output: one dict per unit (blocks split by blank lines).

    A property printed on several lines (``Listen=`` once per socket) is a list; every other value is a string.
    """
    units = []
    current = {}
    for line in text.splitlines() + ['']:
        if not line.strip():
            if current:
                units.append(current)
            current = {}
            continue
        key, sep, value = line.partition('=')
        if not sep:
            continue
        if key == 'Listen':
            current.setdefault(key, []).append(value)
        else:
            current[key] = value
    return units


def stream_ports(listens):
    """TCP ports of a socket unit's ``Listen`` values (Stream sockets with a port; paths and datagrams are not)."""
    ports = set()
    for value in listens:
        match = _LISTEN_VALUE.match(value.strip())
        if not match or match.group('type') != 'Stream':
            continue
        port = port_of(match.group('address'))
        if port is not None:
            ports.add(port)
    return sorted(ports)


def exec_binaries(execstart):
    """The programs an ``ExecStart=`` property value runs (``path=`` of each command)."""
    return [match.group('path') for match in _EXEC_PATH.finditer(execstart or '')]


def activated_service(unit):
    """The service a socket unit starts: its Triggers, or ``NAME@0.service`` for ``Accept=yes`` (a template)."""
    if unit.get('Accept') == 'yes':
        return unit['Id'][:-len('.socket')] + '@0.service'
    triggers = (unit.get('Triggers') or '').split()
    return triggers[0] if triggers else None


def sshd_socket_units(sockets, services, names=('sshd',)):
    """The socket units that start sshd and have TCP ports: [{unit, service, ports, active, enabled}].

    ``sockets`` and ``services`` are parse_systemctl_show() results (the socket units, and the services they start).
    """
    runs = {}
    for service in services:
        runs[service.get('Id')] = [os.path.basename(path) for path in exec_binaries(service.get('ExecStart'))]
    found = []
    for unit in sockets:
        if not unit.get('Id', '').endswith('.socket'):
            continue
        ports = stream_ports(unit.get('Listen', []))
        service = activated_service(unit)
        if not ports or not set(runs.get(service, [])) & set(names):
            continue
        found.append({
            'unit': unit['Id'],
            'service': service,
            'ports': ports,
            'active': unit.get('ActiveState') in ('active', 'reloading', 'activating'),
            'enabled': unit.get('UnitFileState') in ENABLED_STATES,
        })
    return found


def _socket_units(run, systemctl, problems):
    """The socket units that start sshd (see sshd_socket_units); a failing systemctl is a problem, not an error."""
    rc, out, err = run([systemctl, 'show', '--property=' + ','.join(SOCKET_PROPERTIES), '*.socket'])
    if rc != 0:
        problems.append('systemctl show *.socket failed: %s' % (err or out).strip())
        return []
    sockets = [unit for unit in parse_systemctl_show(out) if stream_ports(unit.get('Listen', []))]
    services = sorted(set(filter(None, (activated_service(unit) for unit in sockets))))
    if not services:
        return []
    rc, out, err = run([systemctl, 'show', '--property=Id,ExecStart'] + services)
    if rc != 0:
        problems.append('systemctl show %s failed: %s' % (' '.join(services), (err or out).strip()))
        return []
    return sshd_socket_units(sockets, parse_systemctl_show(out))


def ssh_ports(run, sshd='sshd', ss='ss', systemctl='systemctl', sshd_config=None):
    """Gather the sources with ``run(argv) -> (rc, out, err)``; a missing tool is reported, not raised.

    ``sshd_config``: the configuration file read when sshd is installed but ``sshd -T`` fails (None: not read).
    """
    result = {'listening': [], 'configured': [], 'configured_from': None, 'sockets': [], 'socket_activated': False,
              'problems': []}
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
            if key == 'configured':
                result['configured_from'] = 'sshd -T'
            continue
        result['problems'].append('%s failed: %s' % (label, (err or out).strip()))
        if key == 'configured' and sshd_config:
            try:
                result['configured'] = sshd_config_ports(sshd_config)
                result['configured_from'] = sshd_config
            except OSError as exc:
                result['problems'].append('%s could not be read: %s' % (sshd_config, exc.strerror or exc))
    if systemctl:
        result['sockets'] = _socket_units(run, systemctl, result['problems'])
    else:
        result['problems'].append('systemctl is not installed: socket units that start sshd are unknown')
    ports = set(result['listening'])
    # A socket unit that is enabled but stopped listens again at the next boot: its ports stay open too.
    in_use = [unit for unit in result['sockets'] if unit['active'] or unit['enabled']]
    for unit in in_use:
        ports.update(unit['ports'])
    result['socket_activated'] = bool(in_use)
    if not in_use:
        ports.update(result['configured'])
    result['ports'] = sorted(ports)
    return result
