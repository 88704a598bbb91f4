# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A loopback lab for the key-trust tests: servers whose keys must (not) be trusted, and malformed old keys.

Hosts live in ``keys.test`` on a random ``127.251-254.R.0/24`` (apart from
the federation lab's ``127.20-250``) and one random port. Each scenario is a
server name whose key responses are properly signed, so the only fault is
the one the scenario is about.
"""

import random
import socket
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.tests.unit.servers.lab import (
    KEY_PATH, VERSION_PATH, HttpsSite, LoopbackLab, SigningIdentity, keys_route, lab_prefix, version_route,
)

ZONE = 'keys.test'
_ABSENT = object()


def signed_key_response(server_name, identity, old_verify_keys=_ABSENT, valid_for_ms=86400000):
    """A ``/_matrix/key/v2/server`` body signed by ``identity``; ``old_verify_keys`` as given (left out if absent)."""
    body = {'server_name': server_name, 'valid_until_ts': int(time.time() * 1000) + valid_for_ms,
            'verify_keys': {identity.key_id: {'key': identity.public}}}
    if old_verify_keys is not _ABSENT:
        body['old_verify_keys'] = old_verify_keys
    return signing.sign_json(body, server_name, identity.key_id, identity.private)


def _bindable(ips, port):
    for ip in ips:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((ip, port))
        except OSError:
            return False
        finally:
            sock.close()
    return True


class KeysLab(LoopbackLab):
    """DNS, a trusted and an untrusted CA, and the scenarios' HTTPS sites; ``close()`` stops them."""

    def __init__(self, directory):
        super().__init__(directory, lab_prefix(251, 254))
        self.port = next(p for p in iter(lambda: random.randint(20000, 60000), None)
                         if _bindable([self.prefix + str(i) for i in range(10, 40)], p))
        self.build()

    def name(self, label, with_port=True):
        return '%s.%s' % (label, ZONE) + (':%d' % self.port if with_port else '')

    def serve(self, ip, port, host, server_name, body, ca=None):
        """An HTTPS site for ``host`` on ``ip:port`` serving ``body`` as the key response."""
        cert, key = (ca or self.ca).issue([host])
        site = HttpsSite(ip, port, cert, key, {KEY_PATH: keys_route(body, server_name),
                                               VERSION_PATH: version_route(server_name)})
        self.sites.append(site)
        return site

    def server(self, label, ips, bodies=None, cas=None, old_verify_keys=None):
        """``label.keys.test:port`` on ``ips``; ``bodies`` / ``cas`` per address (default: one key, trusted CA).

        ``ips`` entries that are ``None`` get an A record but no listener.
        """
        name = self.name(label)
        host = self.name(label, with_port=False)
        identity = self.identities.setdefault(name, SigningIdentity())
        default = signed_key_response(name, identity, {} if old_verify_keys is None else old_verify_keys)
        addresses = []
        for index, listening in enumerate(ips):
            address = self.ip()
            addresses.append(address)
            self.dns.add(host, 'A', address)
            if listening:
                body = (bodies or {}).get(index, default)
                self.serve(address, self.port, host, name, body, (cas or {}).get(index))
        return name, addresses

    def build(self):
        rogue = self.rogue_ca
        self.good, self.good_ips = self.server('good', [True, True])
        self.rogue, self.rogue_ips = self.server('rogue', [True], cas={0: rogue})
        self.mixed, self.mixed_ips = self.server('mixedcert', [True, True], cas={1: rogue})
        other = SigningIdentity()
        self.split_other = other
        self.split, self.split_ips = self.server('split', [True, True])
        # The second address of "split" is another homeserver's key set, signed by its own key.
        self.sites[-1].routes[KEY_PATH] = keys_route(signed_key_response(self.split, other, {}), self.split)
        self.halfdown, self.halfdown_ips = self.server('halfdown', [True, False])
        self.oldmissing, dummy = self.server('oldmissing', [True], old_verify_keys=_ABSENT)
        self.oldbad, dummy = self.server('oldbad', [True], old_verify_keys={'ed25519:old': {'key': 'AAAA'}})
        # SRV delegation to two ports of one target whose key sets differ.
        host = self.name('srvports', with_port=False)
        target = self.name('target-srvports', with_port=False)
        target_ip = self.ip()
        self.dns.add(target, 'A', target_ip)
        ports = []
        for dummy in range(2):
            port = next(p for p in iter(lambda: random.randint(20000, 60000), None)
                        if p != self.port and p not in ports and _bindable([target_ip], p))
            ports.append(port)
            identity = SigningIdentity()
            self.serve(target_ip, port, host, host, signed_key_response(host, identity, {}))
            self.dns.add('_matrix-fed._tcp.' + host, 'SRV', '10 5 %d %s.' % (port, target))
        self.srvports, self.srvports_keys = host, ['%s:%d' % (target_ip, p) for p in ports]


@pytest.fixture(scope='session')
def keys_lab(tmp_path_factory):
    """One key-trust lab for the whole test session."""
    lab = KeysLab(str(tmp_path_factory.mktemp('keys-lab')))
    yield lab
    lab.close()
