# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Synapse's federation client (MatrixFederationAgent) fetching /_matrix/key/v2/server.

Runs in the separate Synapse venv (never the collection's). Reads a JSON job
on stdin: ``{nameservers: ["ip:port"], ca_path, names: [...], concurrency,
sequential}`` and prints ``{results: {name: {ok, status, error, start, end}},
cpu_s, peak_rss_kb}``. DNS goes to the lab's server (twisted.names), the
lab's CA is the trust root, and nothing is cached between names except what
Synapse itself caches within the run.
"""

import ipaddress
import json
import resource
import sys
import time
import types


def main():
    job = json.load(sys.stdin)
    import zope.interface as zope_interface
    from twisted.internet import defer, reactor
    from twisted.internet.error import DNSLookupError
    from twisted.internet.interfaces import IResolverSimple
    from twisted.internet.ssl import Certificate, trustRootFromCertificates
    from twisted.names import client as names_client
    from twisted.web.client import readBody
    from netaddr import IPSet

    from synapse.crypto.context_factory import FederationPolicyForHTTPS
    from synapse.http.federation.matrix_federation_agent import MatrixFederationAgent
    from synapse.http.federation.srv_resolver import SrvResolver
    from synapse.util.clock import Clock

    servers = []
    for entry in job['nameservers']:
        host, port = entry.rsplit(':', 1)
        servers.append((host, int(port)))
    resolver = names_client.Resolver(servers=servers, timeout=(job.get('timeout', 10),))

    class Simple:
        """IResolverSimple: IP literals as they are, names through the lab's DNS."""

        def getHostByName(self, name, timeout=(10,)):  # noqa: N802 pylint: disable=invalid-name
            try:
                ipaddress.ip_address(name)
                return defer.succeed(name)
            except ValueError:
                # twisted's getHostByName asks for ANY records; ask for A like a stub resolver.
                deferred = resolver.lookupAddress(name, timeout)

                def first(result):
                    for record in result[0]:
                        if record.type == 1:
                            return record.payload.dottedQuad()
                    raise DNSLookupError(name)
                return deferred.addCallback(first)
    zope_interface.implementer(IResolverSimple)(Simple)
    reactor.installResolver(Simple())
    with open(job['ca_path'], 'rb') as handle:
        trust = trustRootFromCertificates([Certificate.loadPEM(handle.read())])
    tls = types.SimpleNamespace(federation_ca_trust_root=trust, federation_client_minimum_tls_version='1',
                                federation_verify_certificates=True, federation_certificate_verification_whitelist=[])
    policy = FederationPolicyForHTTPS(types.SimpleNamespace(tls=tls))
    agent = MatrixFederationAgent(
        server_name='bench.invalid', reactor=reactor, clock=Clock(reactor, 'bench.invalid'),
        tls_client_options_factory=policy, user_agent=b'bench', ip_allowlist=None, ip_blocklist=IPSet(),
        _srv_resolver=SrvResolver(dns_client=resolver, cache={}))
    results = {}

    @defer.inlineCallbacks
    def fetch(name):
        start = time.time()
        entry = {'start': start}
        try:
            response = yield agent.request(b'GET', b'matrix-federation://%s/_matrix/key/v2/server' % name.encode('ascii'))
            body = yield readBody(response)
            entry['status'] = response.code
            entry['ok'] = response.code == 200 and json.loads(body).get('server_name') == name
        except Exception as exc:  # pylint: disable=broad-except
            entry['ok'] = False
            entry['error'] = '%s: %s' % (type(exc).__name__, exc)
        entry['end'] = time.time()
        results[name] = entry

    @defer.inlineCallbacks
    def run():
        names = list(job['names'])
        if job.get('sequential'):
            for name in names:
                yield fetch(name)
        else:
            queue = list(reversed(names))

            @defer.inlineCallbacks
            def worker():
                while queue:
                    yield fetch(queue.pop())
            yield defer.DeferredList([worker() for dummy in range(job.get('concurrency', 32))])
        reactor.stop()

    started_cpu = time.process_time()
    reactor.callWhenRunning(run)
    reactor.run()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    json.dump({'results': results, 'cpu_s': time.process_time() - started_cpu, 'peak_rss_kb': usage.ru_maxrss},
              sys.stdout)


if __name__ == '__main__':
    main()
