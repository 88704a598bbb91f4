# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""fleet: 1,000 server names on a loopback lab, checked with one matrix_federation_test run.

The lab runs in its own process: the DNS server of tests/unit/servers/lab.py,
HTTPS listeners (asyncio, keep-alive) on many 127.x addresses with
certificates from the test CA, each server with its own ed25519 signing key,
a realistic mix of every resolution path, a hosting provider whose customers
share two addresses, hosts with two addresses, and a few servers broken in
known ways. Compared in the same run: the module (server_names, full
checks), Synapse's MatrixFederationAgent fetching the same servers' keys
with the same concurrency, the lab's ceiling (a minimal client making only
the connections the spec needs) and the Go federation tester where it can
be built. Environment: BENCH_SERVERS (1000), BENCH_CONCURRENCY (32),
BENCH_SAMPLE (20), BENCH_PROCESSES (the module's processes option; unset:
its default, one per core for a long list).
"""

import asyncio
import json
import multiprocessing
import os
import random
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

import benchlib

from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_test
from ansible_collections.matrix.federation.tests.unit.servers.lab import (
    DnsServer, SigningIdentity, TestCA, key_response,
)

SERVERS = int(os.environ.get('BENCH_SERVERS', '1000'))
CONCURRENCY = int(os.environ.get('BENCH_CONCURRENCY', '32'))
SAMPLE = int(os.environ.get('BENCH_SAMPLE', '20'))
ZONE = 'fleet.test'
KEY_PATH = '/_matrix/key/v2/server'
VERSION_PATH = '/_matrix/federation/v1/version'
WELL_KNOWN = '/.well-known/matrix/server'
VERSION_BODY = json.dumps({'server': {'name': 'FleetLab', 'version': '1.0'}}).encode()
# (kind, share of the fleet)
MIX = [('well_known_port', 20), ('provider', 12), ('well_known_srv', 8), ('well_known_default', 5), ('srv', 12),
       ('srv_legacy', 3), ('default', 16), ('default_two', 4), ('explicit_port', 8), ('ip_literal', 3),
       ('wk_html', 2), ('cert_expired', 2), ('wrong_name', 1), ('bad_signature', 1), ('refused', 1),
       ('nxdomain', 1), ('keys_404', 1)]


# --------------------------------------------------------------------------- the lab (its own process)

class Fleet:
    """Builds the DNS zone, certificates, keys, listeners and the ground truth."""

    def __init__(self, directory, count, seed=7):
        self.rng = random.Random(seed)
        self.ca = TestCA(directory)
        self.dns = DnsServer()
        self.listeners = {}  # (ip, port) -> {'cert': names, 'routes': {(path, host): (status, body, type)}, ...}
        self.truth = {}
        base = self.rng.randint(30, 200)
        self._addresses = ('127.%d.%d.%d' % (base + a // 250, 1 + a % 250, z) for a in range(1000) for z in range(1, 255))
        kinds = []
        for kind, share in MIX:
            kinds += [kind] * share
        provider_ips = [next(self._addresses), next(self._addresses)]
        self.provider_ips = provider_ips
        for ip in provider_ips:
            self.listener(ip, 443, ['*.provider.' + ZONE])
        for index in range(count):
            self.add(index, kinds[index % len(kinds)])

    def ip(self):
        return next(self._addresses)

    def listener(self, ip, port, names, days_valid=90, days_ago=1):
        if (ip, port) not in self.listeners:
            self.listeners[(ip, port)] = {'names': names, 'days_valid': days_valid, 'days_ago': days_ago,
                                          'routes': {}}
        return self.listeners[(ip, port)]

    def a(self, name, *ips):
        for ip in ips:
            self.dns.add(name, 'A', ip)

    def serve_keys(self, listener, server_name, host_header, identity, publish_name=None, signer=None):
        body = json.dumps(key_response(server_name, identity, publish_name=publish_name, signer=signer)).encode()
        listener['routes'][(KEY_PATH, host_header)] = (200, body, 'application/json')
        listener['routes'][(VERSION_PATH, host_header)] = (200, VERSION_BODY, 'application/json')

    def well_known(self, ip, name, body, content_type='application/json'):
        listener = self.listener(ip, 443, [name])
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        listener['routes'][(WELL_KNOWN, name)] = (200, payload, content_type)

    def add(self, index, kind):  # pylint: disable=too-many-statements
        label = '%s%d' % (kind.replace('_', ''), index)
        name = '%s.%s' % (label, ZONE)
        identity = SigningIdentity()
        truth = {'kind': kind, 'ok': True, 'errors': set(), 'keys': {identity.key_id: identity.public}}
        hs = 'hs.' + name
        if kind in ('well_known_port', 'wk_html'):
            ip = self.ip()
            self.a(name, ip)
            if kind == 'wk_html':
                self.well_known(ip, name, b'<!doctype html><html><body>hello</body></html>', 'text/html')
                self.serve_keys(self.listener(ip, 8448, [name]), name, name, identity)
                truth.update(method='default', connections=[(ip, 443, name, WELL_KNOWN), (ip, 8448, name, KEY_PATH)])
            else:
                self.well_known(ip, name, {'m.server': hs + ':443'})
                hs_ip = self.ip()
                self.a(hs, hs_ip)
                self.serve_keys(self.listener(hs_ip, 443, [hs]), name, hs + ':443', identity)
                truth.update(method='well_known_port', connections=[(ip, 443, name, WELL_KNOWN),
                                                                    (hs_ip, 443, hs, KEY_PATH)])
        elif kind == 'provider':
            ip = self.ip()
            self.a(name, ip)
            customer = 'c%d.provider.%s' % (index, ZONE)
            self.well_known(ip, name, {'m.server': customer + ':443'})
            self.a(customer, *self.provider_ips)
            for provider_ip in self.provider_ips:
                self.serve_keys(self.listeners[(provider_ip, 443)], name, customer + ':443', identity)
            truth.update(method='well_known_port', connections=[(ip, 443, name, WELL_KNOWN)] + [
                (p, 443, customer, KEY_PATH) for p in self.provider_ips])
        elif kind in ('well_known_srv', 'well_known_default'):
            ip = self.ip()
            self.a(name, ip)
            self.well_known(ip, name, {'m.server': hs})
            target_ip = self.ip()
            if kind == 'well_known_srv':
                target = 'target.' + name
                self.dns.add('_matrix-fed._tcp.' + hs, 'SRV', '10 5 8450 %s.' % target)
                self.a(target, target_ip)
                port = 8450
            else:
                self.a(hs, target_ip)
                port = 8448
            self.serve_keys(self.listener(target_ip, port, [hs]), name, hs, identity)
            truth.update(method=kind, connections=[(ip, 443, name, WELL_KNOWN), (target_ip, port, hs, KEY_PATH)])
        elif kind in ('srv', 'srv_legacy'):
            ip = self.ip()
            self.a(name, ip)
            self.listener(ip, 443, [name])  # a web site without a well-known: 404
            target, target_ip = 'target.' + name, self.ip()
            service = '_matrix-fed._tcp.' if kind == 'srv' else '_matrix._tcp.'
            self.dns.add(service + name, 'SRV', '10 5 8452 %s.' % target)
            self.a(target, target_ip)
            self.serve_keys(self.listener(target_ip, 8452, [name]), name, name, identity)
            truth.update(method=kind, connections=[(ip, 443, name, WELL_KNOWN), (target_ip, 8452, name, KEY_PATH)])
        elif kind in ('default', 'default_two'):
            ips = [self.ip()] + ([self.ip()] if kind == 'default_two' else [])
            self.a(name, *ips)
            self.listener(ips[0], 443, [name])
            for ip in ips:
                self.serve_keys(self.listener(ip, 8448, [name]), name, name, identity)
            truth.update(method='default', connections=[(ips[0], 443, name, WELL_KNOWN)] + [
                (ip, 8448, name, KEY_PATH) for ip in ips])
        elif kind in ('explicit_port', 'cert_expired', 'wrong_name', 'bad_signature', 'refused', 'keys_404'):
            name += ':8443'
            host = name.rsplit(':', 1)[0]
            ip = self.ip()
            self.a(host, ip)
            truth.update(method='explicit_port', connections=[(ip, 8443, host, KEY_PATH)])
            if kind == 'refused':
                truth.update(ok=False, errors={'CONNECTION_REFUSED'}, connections=[])
            else:
                cert = {'days_valid': -1, 'days_ago': 30} if kind == 'cert_expired' else {}
                listener = self.listener(ip, 8443, [host], **cert)
                if kind == 'keys_404':
                    truth.update(ok=False, errors={'KEYS_HTTP_STATUS'})
                    listener['routes'][(VERSION_PATH, name)] = (200, VERSION_BODY, 'application/json')
                else:
                    self.serve_keys(listener, name, name, identity,
                                    publish_name='other.' + ZONE if kind == 'wrong_name' else None,
                                    signer=SigningIdentity() if kind == 'bad_signature' else None)
                if kind == 'cert_expired':
                    truth.update(ok=False, errors={'CERT_EXPIRED'})
                elif kind == 'wrong_name':
                    truth.update(ok=False, errors={'KEYS_SERVER_NAME_MISMATCH'})
                elif kind == 'bad_signature':
                    truth.update(ok=False, errors={'KEYS_SIGNATURE_INVALID'})
        elif kind == 'ip_literal':
            ip = self.ip()
            name = ip
            self.serve_keys(self.listener(ip, 8448, [ip]), name, name, identity)
            truth.update(method='ip_literal', connections=[(ip, 8448, None, KEY_PATH)])
        elif kind == 'nxdomain':
            truth.update(method='default', ok=False, errors={'DNS_NO_ADDRESSES'}, connections=[])
        if not truth['ok']:
            truth['keys'] = None
        self.truth[name] = truth


async def _handle(reader, writer, routes):
    try:
        while True:
            head = await reader.readuntil(b'\r\n\r\n')
            lines = head.decode('latin-1').split('\r\n')
            path = lines[0].split(' ')[1]
            headers = dict((k.strip().lower(), v.strip()) for k, dummy, v in
                           (line.partition(':') for line in lines[1:] if line))
            close = headers.get('connection', '').lower() == 'close'
            reply = routes.get((path, headers.get('host')))
            status, body, content_type = reply or (404, b'{"errcode": "M_NOT_FOUND"}', 'application/json')
            writer.write(('HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n' % (
                status, 'OK' if status == 200 else 'Not Found', content_type, len(body),
                'Connection: close\r\n' if close else '')).encode('latin-1') + body)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, asyncio.LimitOverrunError, IndexError):
        pass
    finally:
        writer.close()


def lab_process(conn, directory, count):
    """Build the fleet, serve it until told to stop; send the ground truth first."""
    fleet = Fleet(directory, count)
    contexts = {}

    async def serve():
        for (ip, port), spec in fleet.listeners.items():
            key = (tuple(spec['names']), spec['days_valid'], spec['days_ago'])
            if key not in contexts:
                cert, keyfile = fleet.ca.issue(spec['names'], days_valid=spec['days_valid'], days_ago=spec['days_ago'])
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, keyfile)
                contexts[key] = context
            routes = spec['routes']
            await asyncio.start_server(lambda r, w, routes=routes: _handle(r, w, routes), ip, port,
                                       ssl=contexts[key], backlog=1024, reuse_address=True)
        truth = dict((name, dict(t, errors=sorted(t['errors']))) for name, t in fleet.truth.items())
        conn.send({'nameservers': [fleet.dns.address], 'ca_path': fleet.ca.path, 'truth': truth,
                   'listeners': len(fleet.listeners)})
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)
    asyncio.run(serve())


# --------------------------------------------------------------------------- the lab's ceiling

def ceiling(job):
    """A minimal client: only the connections the spec needs (no DNS, no checks); wall, cpu, rss."""
    async def one(ip, port, sni, path, host, context, limit):
        async with limit:
            reader, writer = await asyncio.open_connection(ip, port, ssl=context, server_hostname=sni or ip)
            writer.write(('GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' % (path, host)).encode())
            await reader.read()
            writer.close()

    async def main():
        context = ssl.create_default_context(cafile=job['ca_path'])
        limit = asyncio.Semaphore(job['concurrency'])
        tasks = []
        for name, truth in job['truth'].items():
            for ip, port, sni, path in truth['connections']:
                tasks.append(one(ip, port, sni, path, name if path == WELL_KNOWN else 'x', context, limit))
        started = time.monotonic()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return time.monotonic() - started, sum(1 for r in results if isinstance(r, Exception))
    span, failures = asyncio.run(main())
    json.dump({'span': span, 'failures': failures}, sys.stdout)


# --------------------------------------------------------------------------- the benchmark

def check_reports(reports, truth):
    mismatches = []
    for name, want in truth.items():
        report = reports.get(name)
        if report is None:
            mismatches.append((name, 'no report'))
            continue
        got_errors = sorted(set(e['code'] for e in report['errors']))
        problems = []
        if report['resolution']['method'] != want['method']:
            problems.append('method %s != %s' % (report['resolution']['method'], want['method']))
        if report['federation_ok'] is not want['ok']:
            problems.append('ok %s != %s' % (report['federation_ok'], want['ok']))
        if got_errors != want['errors']:
            problems.append('errors %s != %s' % (got_errors, want['errors']))
        if want['keys']:
            addresses = sum((t['addresses'] for t in report['resolution']['targets']), [])
            if len(report['connection_reports']) != len(addresses):
                problems.append('tested %d of %d addresses' % (len(report['connection_reports']), len(addresses)))
            for conn in report['connection_reports'].values():
                if conn['verify_keys'] != want['keys'] or not conn['checks']['all_checks_ok']:
                    problems.append('keys or checks differ on %s' % conn['address'])
            if report['version'] != {'name': 'FleetLab', 'version': '1.0'}:
                problems.append('version %s' % report['version'])
        if problems:
            mismatches.append((name, '; '.join(problems)))
    return mismatches


def go_tester():
    """Build matrix-org's Go federation tester into .cache/bench (from the Go module proxy); path or reason."""
    binary = os.path.join(benchlib.CACHE, 'bin', 'matrix-federation-tester')
    marker = os.path.join(benchlib.CACHE, 'go-tester-unavailable.txt')
    if os.path.exists(binary):
        return binary, None
    if not shutil.which('go'):
        return None, 'no Go on this machine'
    if os.path.exists(marker) and not os.environ.get('BENCH_RETRY_GO'):
        with open(marker) as handle:
            return None, handle.read().strip() + ' (cached; BENCH_RETRY_GO=1 asks again)'
    env = dict(os.environ, GOBIN=os.path.dirname(binary), GOPATH=os.path.join(benchlib.CACHE, 'gopath'),
               GOFLAGS='-modcacherw', GOCACHE=os.path.join(benchlib.CACHE, 'gocache'))
    proc = subprocess.run(['go', 'install', 'github.com/matrix-org/matrix-federation-tester@latest'], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        reason = 'go install github.com/matrix-org/matrix-federation-tester failed: %s' % ' '.join(
            proc.stderr.split())[-200:]
        with open(marker, 'w') as handle:
            handle.write(reason + '\n')
        return None, reason
    return binary, None


def main():  # pylint: disable=too-many-locals,too-many-statements
    print('fleet benchmark: %d servers, concurrency %d' % (SERVERS, CONCURRENCY))
    print('machine: %s' % benchlib.machine())
    directory = tempfile.mkdtemp(prefix='bench-fleet-')
    parent, child = multiprocessing.Pipe()
    lab = multiprocessing.Process(target=lab_process, args=(child, directory, SERVERS), daemon=True)
    started = time.monotonic()
    lab.start()
    while not parent.poll(1):
        if not lab.is_alive():
            raise SystemExit('the lab process ended before it was ready (exit code %s)' % lab.exitcode)
    info = parent.recv()
    truth = dict((name, dict(t, errors=list(t['errors']))) for name, t in info['truth'].items())
    names = list(truth)
    print('lab: %d servers, %d HTTPS listeners, built in %.1f s' % (len(names), info['listeners'],
                                                                    time.monotonic() - started))
    rows = []
    try:
        # 1. The module, as Ansible runs it, with server_names.
        args = os.path.join(directory, 'args.json')
        with open(args, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': {
                'server_names': names, 'concurrency': CONCURRENCY, 'nameservers': info['nameservers'],
                'ca_path': info['ca_path'], 'timeout': 10, 'fail_on_error': False,
                'processes': int(os.environ['BENCH_PROCESSES']) if os.environ.get('BENCH_PROCESSES') else None}}, handle)
        ours = benchlib.measured([sys.executable, benchlib.MODULE, args], env=benchlib.env_with_collection())
        result = json.loads(ours['stdout'])
        reports = result['reports']
        mismatches = check_reports(reports, truth)
        span = result['duration_ms'] / 1000.0
        rows.append(['matrix_federation_test (full checks)', len(reports), '%.1f' % ours['wall'], '%.1f' % span,
                     '%.0f' % (len(reports) / span), '%.0f' % (len(reports) / ours['cpu']), '%.0f' % (ours['rss_kb'] / 1024)])
        # 2. One-at-a-time runs of a sample equal the batch's reports.
        sample = random.Random(1).sample(names, min(SAMPLE, len(names)))
        differ = []
        for name in sample:
            single = run_federation_test(name, nameservers=info['nameservers'], ca_path=info['ca_path'], timeout=10)
            if benchlib.comparable(single) != benchlib.comparable(reports[name]):
                differ.append(name)
        # 3. Synapse's federation client fetching the keys, same concurrency.
        synapse = None
        try:
            synapse = benchlib.run_synapse(names, info['nameservers'], info['ca_path'], concurrency=CONCURRENCY)
            entries = synapse['results'].values()
            syn_span = max(e['end'] for e in entries) - min(e['start'] for e in entries)
            syn_ok = sum(1 for e in entries if e.get('ok'))
            rows.append(['Synapse MatrixFederationAgent (keys only)', len(entries), '%.1f' % synapse['wall'],
                         '%.1f' % syn_span, '%.0f' % (len(entries) / syn_span), '%.0f' % (len(entries) / synapse['cpu']),
                         '%.0f' % (synapse['rss_kb'] / 1024)])
        except Exception as exc:  # pylint: disable=broad-except
            print('Synapse comparison unavailable: %s' % exc)
        # 4. The lab's ceiling.
        job = json.dumps({'truth': truth, 'ca_path': info['ca_path'], 'concurrency': CONCURRENCY})
        ceil = benchlib.measured([sys.executable, os.path.abspath(__file__), '--ceiling'], stdin=job,
                                 env=benchlib.env_with_collection())
        ceil_out = json.loads(ceil['stdout'])
        rows.append(['lab ceiling (connections only)', len(names), '%.1f' % ceil['wall'], '%.1f' % ceil_out['span'],
                     '%.0f' % (len(names) / ceil_out['span']), '%.0f' % (len(names) / ceil['cpu']),
                     '%.0f' % (ceil['rss_kb'] / 1024)])
        # 5. The Go federation tester on a sample, where it can be built.
        binary, reason = go_tester()
        if binary is None:
            print('Go federation tester: not measured (%s)' % reason)
    finally:
        parent.send('stop')
        lab.join(5)
        if lab.is_alive():
            lab.terminate()
        shutil.rmtree(directory, ignore_errors=True)
    print()
    print(benchlib.table(rows, ['client', 'servers', 'process s', 'checking s', 'servers/s', 'servers/CPU-s',
                                'peak RSS MB']))
    print()
    ours_rate = len(reports) / span
    print('mismatches against the ground truth: %d (target 0)%s' % (
        len(mismatches), ''.join('\n  %s: %s' % m for m in mismatches[:10])))
    print('sample of %d one-at-a-time runs equal to the batch: %d differ (target 0)%s' % (
        len(sample), len(differ), (': ' + ', '.join(differ[:5])) if differ else ''))
    # wait4 gives the largest of the module's processes (it forks one per core for a long list); the
    # children share the parent's pages until they write, so the sum is an upper bound.
    procs = result.get('processes', 1)
    total_kb = ours['rss_kb'] * (procs + 1 if procs > 1 else 1)  # the children and the parent that merges
    print('processes: %d; peak RSS %.0f MB per process, at most %.0f MB in all (target <= 250): %s' % (
        procs, ours['rss_kb'] / 1024, total_kb / 1024, 'MET' if total_kb <= 250 * 1024 else 'NOT MET'))
    if synapse:
        ratio = ours_rate / (len(synapse['results']) / syn_span)
        print('servers/s vs Synapse: %.2f x (target >= 1.5 with the full checks): %s; Synapse fetched %d of %d '
              '(the known-broken ones fail)' % (ratio, 'MET' if ratio >= 1.5 else 'NOT MET', syn_ok, len(names)))
        cpu_ours, cpu_synapse = ours['cpu'] / len(reports), synapse['cpu'] / len(synapse['results'])
        print('CPU per server: %.1f ms, Synapse %.1f ms (target: at most Synapse\'s): %s' % (
            cpu_ours * 1000, cpu_synapse * 1000, 'MET' if cpu_ours <= cpu_synapse else 'NOT MET'))
    ceiling_ratio = ours_rate / (len(names) / ceil_out['span'])
    print('servers/s vs the lab ceiling: %.2f of it (target >= 0.5): %s' % (
        ceiling_ratio, 'MET' if ceiling_ratio >= 0.5 else 'NOT MET'))
    print('load average now: %.2f %.2f %.2f (other jobs share the machine: ratios are measured in the same run)'
          % os.getloadavg())


if __name__ == '__main__':
    if sys.argv[1:] == ['--ceiling']:
        ceiling(json.load(sys.stdin))
    else:
        main()
