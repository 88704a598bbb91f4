# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""server_keys lookup, run by ansible against the loopback lab: verified keys, errors, batches in term order."""

from ansible_collections.matrix.federation.tests.unit.servers.run_lookup import run_lookup as _lookup


def test_server_keys(federation_lab):
    name = 'explicit.lab.test:8443'
    identity = federation_lab.identities[name]
    value, output = _lookup(federation_lab, "query('matrix.federation.server_keys', '%s', nameservers=ns, ca_path=ca, "
                                            "timeout=3)" % name)
    assert value == [{identity.key_id: identity.public}], output
    value, output = _lookup(federation_lab, "query('matrix.federation.server_keys', 'badsig.lab.test:8443', "
                                            "nameservers=ns, ca_path=ca, timeout=3)")
    assert value is None and 'KEYS_SIGNATURE_INVALID' in output


def test_server_keys_batch_keeps_term_order(federation_lab):
    names = ['explicit.lab.test:8443', 'srv.lab.test', 'wksrv.lab.test']
    value, output = _lookup(federation_lab, "query('matrix.federation.server_keys', %s, nameservers=ns, ca_path=ca, "
                                            "timeout=3, concurrency=2)" % ', '.join("'%s'" % n for n in names))
    assert value == [{federation_lab.identities[n].key_id: federation_lab.identities[n].public} for n in names], output


def test_server_keys_refuses_keys_behind_an_untrusted_certificate(federation_lab):
    value, output = _lookup(federation_lab, "query('matrix.federation.server_keys', 'untrusted.lab.test:8443', "
                                            "nameservers=ns, ca_path=ca, timeout=3)")
    assert value is None and 'KEYS_TLS_UNVERIFIED' in output and 'CERT_UNTRUSTED' in output
    assert federation_lab.identities['untrusted.lab.test:8443'].public not in output
