# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""server_keys lookup, run by ansible against loopback servers: keys only from verified TLS and agreeing addresses."""

from ansible_collections.matrix.federation.tests.unit.servers.run_lookup import run_lookup


def _lookup(lab, name):
    return run_lookup(lab, "query('matrix.federation.server_keys', '%s', nameservers=ns, ca_path=ca, timeout=3)" % name)


def _one_line(output):
    return ' '.join(output.split())


def test_keys_served_alike_over_verified_tls_are_returned(keys_lab):
    identity = keys_lab.identities[keys_lab.good]
    value, output = _lookup(keys_lab, keys_lab.good)
    assert value == [{identity.key_id: identity.public}], output
    assert 'server_keys' not in output


def test_untrusted_certificate_is_refused_with_the_reason(keys_lab):
    value, output = _lookup(keys_lab, keys_lab.rogue)
    text = _one_line(output)
    assert value is None, output
    assert 'KEYS_TLS_UNVERIFIED' in text and keys_lab.rogue in text
    address = '%s:%d' % (keys_lab.rogue_ips[0], keys_lab.port)
    assert address in text and 'CERT_UNTRUSTED' in text and 'self-signed certificate in certificate chain' in text
    assert keys_lab.identities[keys_lab.rogue].public not in text


def test_one_address_with_an_untrusted_certificate_refuses_the_server(keys_lab):
    value, output = _lookup(keys_lab, keys_lab.mixed)
    text = _one_line(output)
    assert value is None, output
    assert 'KEYS_TLS_UNVERIFIED' in text and 'CERT_UNTRUSTED' in text
    assert '%s:%d' % (keys_lab.mixed_ips[1], keys_lab.port) in text
    assert '%s:%d does not verify' % (keys_lab.mixed_ips[0], keys_lab.port) not in text


def test_addresses_serving_different_keys_are_refused(keys_lab):
    value, output = _lookup(keys_lab, keys_lab.split)
    text = _one_line(output)
    assert value is None, output
    assert 'KEYS_ADDRESSES_DISAGREE' in text and keys_lab.split in text
    for address, identity in zip(keys_lab.split_ips, (keys_lab.identities[keys_lab.split], keys_lab.split_other)):
        assert '%s:%d' % (address, keys_lab.port) in text
        assert identity.public in text


def test_srv_ports_serving_different_keys_are_refused(keys_lab):
    value, output = _lookup(keys_lab, keys_lab.srvports)
    text = _one_line(output)
    assert value is None, output
    assert 'KEYS_ADDRESSES_DISAGREE' in text
    assert all(address in text for address in keys_lab.srvports_keys)


def test_an_unreachable_address_is_reported_but_does_not_block(keys_lab):
    identity = keys_lab.identities[keys_lab.halfdown]
    value, output = _lookup(keys_lab, keys_lab.halfdown)
    assert value == [{identity.key_id: identity.public}], output
    text = _one_line(output)
    assert '[WARNING]: server_keys' in text and 'CONNECTION_REFUSED' in text
    assert '%s:%d' % (keys_lab.halfdown_ips[1], keys_lab.port) in text


def test_malformed_old_verify_keys_refuse_the_server(keys_lab):
    value, output = _lookup(keys_lab, keys_lab.oldbad)
    text = _one_line(output)
    assert value is None, output
    assert 'KEYS_OLD_VERIFY_KEYS_MALFORMED' in text and 'ed25519:old' in text


def test_missing_old_verify_keys_is_a_warning(keys_lab):
    identity = keys_lab.identities[keys_lab.oldmissing]
    value, output = _lookup(keys_lab, keys_lab.oldmissing)
    assert value == [{identity.key_id: identity.public}], output
    assert 'KEYS_OLD_VERIFY_KEYS_MISSING' in _one_line(output)
