# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""rtt: each resolution path under an injected round-trip time, against its floor and against Synapse.

The lab (no netem needed): a DNS server that answers after one RTT, and a
TCP relay in front of every HTTPS listener that holds the connection set-up
for one RTT and every chunk for half an RTT in each direction. For each
path the floor is the critical path in RTTs of the exchanges the spec makes
necessary when everything independent runs at once (benchmarks/README.md).

Printed per path: the network time the lab observed (first DNS query or
connect to the last byte sent to the client) / floor for the collection's
client; the same for Synapse's MatrixFederationAgent (keys only); and the
module's whole run minus a no-op module's, measured in the same
ansible-playbook run. Environment: BENCH_RTT_MS (50), BENCH_REPS (3).
"""

import json
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import benchlib

from ansible_collections.matrix.federation.tests.unit.servers.lab import (
    KEY_PATH, VERSION_PATH, WELL_KNOWN, DnsServer, HttpsSite, Reply, SigningIdentity, TestCA, key_response,
    keys_route, version_route,
)

RTT = float(os.environ.get('BENCH_RTT_MS', '50')) / 1000.0
REPS = int(os.environ.get('BENCH_REPS', '3'))
TARGET = 1.10
# The module's whole run minus a no-op module's, against the path's floor (issue #23, module start-up).
MODULE_TARGET = 1.25
ZONE = 'rtt.test'

# path: (floor in RTTs, why)
FLOORS = {
    'ip_literal': (3, 'TCP 1 + TLS 1.3 1 + keys and version pipelined 1'),
    'explicit_port': (4, 'A/AAAA 1 + TCP 1 + TLS 1 + HTTP 1'),
    'well_known_port': (8, 'A/AAAA 1 + well-known 3 + A/AAAA of the delegated host 1 + 3'),
    'well_known_srv': (9, 'A/AAAA 1 + well-known 3 + SRV (both names at once) 1 + A/AAAA of the target 1 + 3'),
    'well_known_default': (8, 'A/AAAA 1 + well-known 3 + SRV and A/AAAA of the delegated host at once 1 + 3'),
    'srv': (7, 'A/AAAA 1 + well-known 3 (SRV 1 and its target A/AAAA 1 meanwhile) + 3'),
    'srv_legacy': (7, 'as srv: both SRV names are asked at once'),
    'default': (7, 'A/AAAA 1 + well-known 3 (SRV 1 meanwhile) + 3 to the already resolved host'),
}


class Events:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, kind):
        with self.lock:
            self.items.append((time.time(), kind))

    def window(self, start, end):
        """Observed network time within [start, end]: first DNS query or connect to the last byte to the client."""
        with self.lock:
            items = [(t, k) for t, k in self.items if start <= t <= end]
        firsts = [t for t, k in items if k in ('dns', 'connect')]
        lasts = [t for t, k in items if k == 'byte']
        if not firsts or not lasts:
            return None
        return max(lasts) - min(firsts)


class DelayedDns(DnsServer):
    """The lab DNS server, answering after one RTT."""

    def __init__(self, events):
        self.events = events
        DnsServer.__init__(self)

    def answer(self, wire):
        self.events.add('dns')
        time.sleep(RTT)
        return DnsServer.answer(self, wire)


class Relay:
    """TCP relay: set-up held one RTT, each chunk delayed RTT/2 in each direction (order kept)."""

    def __init__(self, ip, port, backend, events):
        self.backend, self.events = backend, events
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, port))
        self.sock.listen(64)
        thread = threading.Thread(target=self._accept)
        thread.daemon = True
        thread.start()

    def _accept(self):
        while True:
            try:
                client, dummy = self.sock.accept()
            except OSError:
                return
            self.events.add('connect')
            accepted = time.time()
            try:
                server = socket.create_connection(self.backend)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._pipe(client, server, accepted + RTT, False)
            self._pipe(server, client, 0, True)

    def _pipe(self, src, dst, not_before, to_client):
        chunks = queue.Queue()

        def reader():
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b''
                chunks.put((max(time.time(), not_before) + RTT / 2, data))
                if not data:
                    return

        def sender():
            while True:
                due, data = chunks.get()
                delay = due - time.time()
                if delay > 0:
                    time.sleep(delay)
                try:
                    if not data:
                        dst.shutdown(socket.SHUT_WR)
                        return
                    dst.sendall(data)
                except OSError:
                    return
                if to_client:
                    self.events.add('byte')

        for target in (reader, sender):
            thread = threading.Thread(target=target)
            thread.daemon = True
            thread.start()


class RttLab:
    def __init__(self, directory, reps):
        self.events = Events()
        self.dns = DelayedDns(self.events)
        self.nameservers = [self.dns.address]
        self.ca = TestCA(directory)
        self.ca_path = self.ca.path
        base = random.randint(20, 200)
        self.public = '127.%d.%d.' % (base, random.randint(1, 250))
        self.backend = '127.%d.%d.' % (base + 1, random.randint(1, 250))
        self._next = 9
        self.sites = []
        self.names = {}  # (path, rep) -> server name
        for rep in range(reps):
            self.build(rep)

    def ip(self):
        self._next += 1
        return self._next

    def listener(self, port, cert_names, routes, host_index=None):
        index = host_index or self.ip()
        cert, key = self.ca.issue(cert_names)
        site = HttpsSite(self.backend + str(index), port, cert, key, routes)
        self.sites.append(site)
        Relay(self.public + str(index), port, (self.backend + str(index), port), self.events)
        return self.public + str(index), index

    def homeserver(self, port, server_name, host_header, cert_names, host_index=None):
        identity = SigningIdentity()
        routes = {KEY_PATH: keys_route(key_response(server_name, identity), host_header),
                  VERSION_PATH: version_route(host_header)}
        return self.listener(port, cert_names, routes, host_index)

    def a(self, name, ip):
        self.dns.add(name, 'A', ip)

    def build(self, rep):
        def n(label):
            return '%s%d.%s' % (label, rep, ZONE)
        not_found = {}
        # IP literal: the certificate covers the IP, no SNI.
        index = self.ip()
        ip = self.public + str(index)
        self.homeserver(8448, ip, ip, [ip], index)
        self.names[('ip_literal', rep)] = ip
        # Explicit port.
        name = n('explicit') + ':8443'
        ip, dummy = self.homeserver(8443, name, name, [n('explicit')])
        self.a(n('explicit'), ip)
        self.names[('explicit_port', rep)] = name
        # Well-known -> host:port.
        ip, dummy = self.listener(443, [n('wkport')], {WELL_KNOWN: Reply(body={'m.server': n('hs-wkport') + ':8443'})})
        self.a(n('wkport'), ip)
        ip, dummy = self.homeserver(8443, n('wkport'), n('hs-wkport') + ':8443', [n('hs-wkport')])
        self.a(n('hs-wkport'), ip)
        self.names[('well_known_port', rep)] = n('wkport')
        # Well-known -> host, SRV.
        ip, dummy = self.listener(443, [n('wksrv')], {WELL_KNOWN: Reply(body={'m.server': n('hs-wksrv')})})
        self.a(n('wksrv'), ip)
        self.dns.add('_matrix-fed._tcp.' + n('hs-wksrv'), 'SRV', '10 5 8450 %s.' % n('target-wksrv'))
        ip, dummy = self.homeserver(8450, n('wksrv'), n('hs-wksrv'), [n('hs-wksrv')])
        self.a(n('target-wksrv'), ip)
        self.names[('well_known_srv', rep)] = n('wksrv')
        # Well-known -> host, no SRV: port 8448.
        ip, dummy = self.listener(443, [n('wkdefault')], {WELL_KNOWN: Reply(body={'m.server': n('hs-wkdefault')})})
        self.a(n('wkdefault'), ip)
        ip, dummy = self.homeserver(8448, n('wkdefault'), n('hs-wkdefault'), [n('hs-wkdefault')])
        self.a(n('hs-wkdefault'), ip)
        self.names[('well_known_default', rep)] = n('wkdefault')
        # SRV and legacy SRV: the domain has a web site without a well-known (404).
        for label, service, port in (('srv', '_matrix-fed._tcp.', 8452), ('srvlegacy', '_matrix._tcp.', 8453)):
            ip, dummy = self.listener(443, [n(label)], not_found)
            self.a(n(label), ip)
            self.dns.add(service + n(label), 'SRV', '10 5 %d %s.' % (port, n('target-' + label)))
            ip, dummy = self.homeserver(port, n(label), n(label), [n(label)])
            self.a(n('target-' + label), ip)
        self.names[('srv', rep)] = n('srv')
        self.names[('srv_legacy', rep)] = n('srvlegacy')
        # Default: web site without a well-known, homeserver on 8448 of the same host.
        ip, index = self.listener(443, [n('default')], not_found)
        self.a(n('default'), ip)
        self.homeserver(8448, n('default'), n('default'), [n('default')], index)
        self.names[('default', rep)] = n('default')


def run_module_playbook(lab, names, workdir):
    """One ansible-playbook run: per name a no-op module and matrix_federation_test, timestamps around each."""
    tasks = []
    for index, name in enumerate(names):
        tasks += [
            {'name': 't0 %d' % index, 'ansible.builtin.set_fact': {'t0_%d' % index: '{{ now().timestamp() }}'}},
            {'name': 'noop %d' % index, 'ansible.builtin.ping': {}},
            {'name': 't1 %d' % index, 'ansible.builtin.set_fact': {'t1_%d' % index: '{{ now().timestamp() }}'}},
            {'name': 'test %d' % index, 'matrix.federation.matrix_federation_test': {
                'server_name': name, 'nameservers': lab.nameservers, 'ca_path': lab.ca_path, 'timeout': 10},
             'register': 'r_%d' % index},
            {'name': 't2 %d' % index, 'ansible.builtin.set_fact': {'t2_%d' % index: '{{ now().timestamp() }}'}},
        ]
    summary = '{%s}' % ', '.join("'n%d': [t0_%d, t1_%d, t2_%d, r_%d.federation_ok]" % (i, i, i, i, i)
                                 for i in range(len(names)))
    tasks.append({'name': 'report', 'ansible.builtin.debug': {'msg': 'BENCH{{ %s | to_json }}BENCH' % summary}})
    play = [{'name': 'rtt', 'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
             'vars': {'ansible_python_interpreter': sys.executable}, 'tasks': tasks}]
    path = os.path.join(workdir, 'rtt-playbook.yml')
    with open(path, 'w') as handle:
        json.dump(play, handle)
    env = benchlib.env_with_collection()
    env.update(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    proc = subprocess.run([playbook, '-i', 'localhost,', path], capture_output=True, text=True, env=env, check=False)
    text = proc.stdout
    if 'BENCH' not in text:
        raise RuntimeError('the playbook failed: %s' % (text + proc.stderr)[-3000:])
    body = text.split('BENCH', 1)[1].rsplit('BENCH', 1)[0]
    values = json.loads(json.loads('"%s"' % body))
    if isinstance(values, str):
        values = json.loads(values)
    out = []
    for index in range(len(names)):
        t0, t1, t2, ok = values['n%d' % index]
        out.append({'noop': float(t1) - float(t0), 'module': float(t2) - float(t1), 'start': float(t1),
                    'end': float(t2), 'ok': ok})
    return out


def main():
    print('rtt benchmark: RTT %.0f ms, %d repetitions per path' % (RTT * 1000, REPS))
    print('machine: %s' % benchlib.machine())
    workdir = tempfile.mkdtemp(prefix='bench-rtt-')
    lab = RttLab(workdir, REPS)
    paths = list(FLOORS)
    ours, synapse, module = {}, {}, {}
    # 1. The collection's client, in its own process (the lab keeps this one), one name after another.
    names = [lab.names[(path, rep)] for rep in range(REPS) for path in paths]
    job = json.dumps({'names': names, 'nameservers': lab.nameservers, 'ca_path': lab.ca_path, 'timeout': 10,
                      'pause': RTT})
    result = benchlib.measured([sys.executable, os.path.join(benchlib.HERE, 'ours_client.py')], stdin=job)
    results = json.loads(result['stdout'])['results']
    for rep in range(REPS):
        for path in paths:
            entry = results[lab.names[(path, rep)]]
            if not entry['ok'] or entry['method'] != path:
                raise RuntimeError('%s: %s %s' % (lab.names[(path, rep)], entry['method'], entry['errors']))
            ours.setdefault(path, []).append((lab.events.window(entry['start'], entry['end']),
                                              entry['end'] - entry['start']))
    # 2. Synapse's federation client on the same paths.
    try:
        result = benchlib.run_synapse(names, lab.nameservers, lab.ca_path, sequential=True)
        for rep in range(REPS):
            for path in paths:
                entry = result['results'][lab.names[(path, rep)]]
                if not entry.get('ok'):
                    raise RuntimeError('Synapse failed on %s: %s' % (lab.names[(path, rep)], entry))
                synapse.setdefault(path, []).append((lab.events.window(entry['start'], entry['end']),
                                                     entry['end'] - entry['start']))
    except Exception as exc:  # pylint: disable=broad-except
        print('Synapse comparison unavailable: %s' % exc)
    # 3. The module through ansible-playbook, beside a no-op module in the same run.
    rows = run_module_playbook(lab, names, workdir)
    for (rep, path), row in zip([(r, p) for r in range(REPS) for p in paths], rows):
        if not row['ok']:
            raise RuntimeError('module run failed for %s' % path)
        module.setdefault(path, []).append((lab.events.window(row['start'], row['end']), row['module'] - row['noop']))

    def med(values, index):
        values = [v[index] for v in values if v[index] is not None]
        return statistics.median(values) if values else None

    table = []
    worst, worst_module, slower = 0.0, 0.0, []
    for path in paths:
        floor = FLOORS[path][0] * RTT
        net = med(ours[path], 0)
        wall = med(ours[path], 1)
        mod_net = med(module[path], 0)
        mod_extra = med(module[path], 1)
        syn_wall = med(synapse.get(path, []), 1)
        syn_net = med(synapse.get(path, []), 0)
        worst = max(worst, net / floor)
        worst_module = max(worst_module, mod_extra / floor)
        if syn_wall is not None and wall > syn_wall:
            slower.append(path)
        table.append([path, '%d' % FLOORS[path][0], '%.0f' % (floor * 1000), '%.2f' % (net / floor),
                      '%.2f' % (wall / floor), '%.2f' % (mod_net / floor) if mod_net else '-',
                      '%.0f' % (mod_extra * 1000), '%.2f' % (mod_extra / floor),
                      '%.2f' % (syn_net / floor) if syn_net else '-', '%.2f' % (syn_wall / floor) if syn_wall else '-',
                      '%.2f' % (syn_wall / wall) if syn_wall else '-'])
    print()
    print(benchlib.table(table, ['path', 'floor RTT', 'floor ms', 'ours net/floor', 'ours wall/floor',
                                 'module net/floor', 'module-noop ms', 'module-noop/floor', 'synapse net/floor', 'synapse wall/floor',
                                 'synapse/ours']))
    print()
    print('target: ours net/floor <= %.2f on every path: worst %.2f -> %s' % (TARGET, worst,
                                                                              'MET' if worst <= TARGET else 'NOT MET'))
    print('target: module-noop/floor <= %.2f on every path: worst %.2f -> %s'
          % (MODULE_TARGET, worst_module, 'MET' if worst_module <= MODULE_TARGET else 'NOT MET'))
    if synapse:
        print('target: no path slower than Synapse (wall): %s' % ('MET' if not slower else 'NOT MET: ' + ', '.join(slower)))
    print('(ours does the full checks on every address and the version request; Synapse fetches the keys only)')
    print('load average now: %.2f %.2f %.2f (other jobs share the machine: ratios are measured in the same run)'
          % os.getloadavg())


if __name__ == '__main__':
    main()
