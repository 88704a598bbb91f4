# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DNS client: SRV order, nameservers, errors and one lookup per host, against the loopback lab."""

import random
import socket
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient, order_srv_records
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import Deadline


def test_srv_order_priority_then_weight():
    records = [{'priority': 20, 'weight': 0, 'port': 1, 'target': 'c'},
               {'priority': 10, 'weight': 0, 'port': 1, 'target': 'zero'},
               {'priority': 10, 'weight': 100, 'port': 1, 'target': 'heavy'}]
    firsts = {}
    rng = random.Random(1)
    for dummy in range(400):
        ordered = order_srv_records(records, rng)
        assert ordered[-1]['target'] == 'c'
        firsts[ordered[0]['target']] = firsts.get(ordered[0]['target'], 0) + 1
    # Weight 100 against weight 0: the heavy record comes first almost always, but not always.
    assert firsts['heavy'] > 380


def test_dns_client_resolves_each_host_once(federation_lab):
    dns = DnsClient(federation_lab.nameservers, 5)
    before = len([q for q in federation_lab.dns.queries if q[0] == 'dual.lab.test'])
    first = dns.resolve_host('dual.lab.test')
    second = dns.resolve_host('DUAL.lab.test.')
    assert first is second
    asked = [q for q in federation_lab.dns.queries if q[0] == 'dual.lab.test'][before:]
    assert sorted(asked) == [('dual.lab.test', 'A'), ('dual.lab.test', 'AAAA')] or not federation_lab.ipv6


def test_dns_client_errors(federation_lab):
    dns = DnsClient(federation_lab.nameservers, 1.0)
    with pytest.raises(FederationError) as exc:
        dns.lookup_srv('_matrix-fed._tcp.servfail.lab.test')
    assert exc.value.code == 'DNS_SERVFAIL'
    assert dns.lookup_srv('_matrix-fed._tcp.nxdomain.lab.test') == []
    assert dns.lookup_srv('_matrix-fed._tcp.srvdot.lab.test') == [{'priority': 0, 'weight': 0, 'port': 0, 'target': '.'}]
    records, chain = dns.query('alias-srvcname.lab.test', 'A')
    assert chain == ['alias-srvcname.lab.test'] and len(records) == 1
    with pytest.raises(FederationError) as exc:
        dns.resolve_host('slowdns.lab.test') and dns.query('slowdns.lab.test', 'A')
    assert exc.value.code == 'DNS_TIMEOUT'
    # Nothing listens on this port: every query times out, within the deadline.
    dead = DnsClient(['127.0.0.1:9'], 0.3, Deadline(0.5))
    started = time.monotonic()
    assert dead.resolve_host('explicit.lab.test')['error']['code'] in ('DNS_TIMEOUT', 'DNS_ERROR', 'TIMEOUT')
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize('bad', ['nonsense', '1.2.3.4:0', '1.2.3.4:x', '[::1', '::1]:53', '127.0.0.1:99999'])
def test_invalid_nameservers(bad):
    with pytest.raises(FederationError) as exc:
        DnsClient([bad])
    assert exc.value.code == 'INVALID_NAMESERVER'


def test_nameserver_forms():
    client = DnsClient(['127.0.0.1', '127.0.0.2:5353', '[::1]:54', '::1'])
    assert client.nameservers == [('127.0.0.1', 53), ('127.0.0.2', 5353), ('::1', 54), ('::1', 53)]


def test_addresses_come_back_in_one_order_whatever_dns_rotates(federation_lab):
    # DNS servers rotate A/AAAA answers (round robin); reports must not change with it.
    federation_lab.dns.add('rotating.lab.test', 'A', '127.0.0.10', '127.0.0.9', '127.0.0.3')
    federation_lab.dns.add('rotating.lab.test', 'AAAA', 'fd00::2', 'fd00::1')
    dns = DnsClient(federation_lab.nameservers, 5)
    first = dns.resolve_host('rotating.lab.test')
    federation_lab.dns.records['rotating.lab.test']['A'].reverse()
    federation_lab.dns.records['rotating.lab.test']['AAAA'].reverse()
    second = DnsClient(federation_lab.nameservers, 5).resolve_host('rotating.lab.test')
    assert first['ipv4'] == second['ipv4'] == ['127.0.0.3', '127.0.0.9', '127.0.0.10']
    assert first['ipv6'] == second['ipv6'] == ['fd00::1', 'fd00::2']
    assert first['addresses'] == second['addresses'] == ['127.0.0.3', '127.0.0.9', '127.0.0.10', 'fd00::1', 'fd00::2']


def test_a_silent_nameserver_costs_a_third_of_the_timeout(federation_lab):
    # A UDP socket that never answers before the lab's DNS: the first exchange may take a third of
    # the timeout, then the second nameserver answers within the same deadline.
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(('127.0.0.1', 0))
    try:
        dns = DnsClient(['127.0.0.1:%d' % silent.getsockname()[1]] + federation_lab.nameservers, 1.5)
        assert dns.step == 0.5
        started = time.monotonic()
        result = dns.resolve_host('explicit.lab.test')
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert result['error'] is None and result['ipv4']
    assert 0.45 < elapsed < 1.0
