# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Key trust: which verify keys a federation report lets one pin, or why none (pure).

The tester reads keys even over a certificate that fails verification, to
report on the rest; such keys could come from anyone on the path, so they
are never trusted here. Keys are trusted only when every address that
answered did so over verified TLS with a valid, self-signed key response,
and all of them serve the same verify keys. Addresses that could not be
reached at all serve no keys, so they are reported, not held against the
others (homeservers also move on to the next address).
"""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# The Go tester's key checks, with what their failure means when no coded error says more.
_KEY_CHECKS = (
    ('matching_server_name', 'the key response is not for this server name'),
    ('future_valid_until_ts', 'valid_until_ts is not in the future'),
    ('all_ed25519_checks_ok', 'not every ed25519 key is valid with a matching self-signature'),
)


def _describe_keys(verify_keys):
    return ', '.join('%s=%s' % (key_id, verify_keys[key_id]) for key_id in sorted(verify_keys)) or 'no keys'


def _normalised(verify_keys):
    return dict((key_id, str(key).rstrip('=')) for key_id, key in verify_keys.items())


def _unverified_tls(connections):
    problems = []
    for key in sorted(connections):
        conn = connections[key]
        if (conn.get('checks') or {}).get('valid_certificates') and not conn.get('certificate_error'):
            continue
        reasons = ['%s: %s' % (e['code'], e['message']) for e in conn.get('errors', []) if e['code'].startswith('CERT_')]
        problems.append('the certificate of %s (for %s) does not verify (%s)' % (
            key, conn.get('tls_name'), '; '.join(reasons) or conn.get('certificate_error') or 'no reason given'))
    return problems


def _invalid_key_responses(connections):
    problems = []
    for key in sorted(connections):
        conn = connections[key]
        reasons = ['%s: %s' % (e['code'], e['message']) for e in conn.get('errors', []) if e['code'].startswith('KEYS_')]
        checks = conn.get('checks') or {}
        if not reasons:
            reasons = [meaning for check, meaning in _KEY_CHECKS if not checks.get(check)]
        if reasons:
            problems.append('%s: %s' % (key, '; '.join(reasons)))
    return problems


def report_notes(report):
    """The report's errors and warnings as ``CODE: message`` lines (each once), for a caller to show."""
    notes = []
    for entry in list(report.get('errors', [])) + list(report.get('federation_warnings', [])):
        line = '%s: %s' % (entry['code'], entry['message'])
        if line not in notes:
            notes.append(line)
    return notes


def trusted_server_keys(report):
    """The ``{key_id: unpadded public key}`` a :func:`run_federation_test` report lets one pin (ed25519 keys).

    Raises ``FederationError`` naming the server, the addresses and what
    is wrong: ``KEYS_TLS_UNVERIFIED`` (an address's certificate does not
    verify), ``KEYS_RESPONSE_INVALID`` (an address's key response fails a
    check), ``KEYS_ADDRESSES_DISAGREE`` (addresses serve different verify
    keys) or ``KEYS_UNAVAILABLE`` (no address served keys). Addresses in
    ``connection_errors`` do not block when another address served keys;
    :func:`report_notes` lists them.
    """
    name = report['server_name']
    connections = report.get('connection_reports') or {}
    if not connections:
        reasons = report_notes(report)
        raise FederationError('KEYS_UNAVAILABLE', 'no address of %s served keys: %s'
                              % (name, '; '.join(reasons[:5]) or 'resolution gave no address'))
    unverified = _unverified_tls(connections)
    if unverified:
        raise FederationError('KEYS_TLS_UNVERIFIED', 'refusing the keys of %s: %s: keys served over TLS that does not '
                              'verify could come from anyone on the path; fix the certificate (or pass ca_path for a '
                              'private CA)' % (name, '; '.join(unverified)))
    invalid = _invalid_key_responses(connections)
    if invalid:
        raise FederationError('KEYS_RESPONSE_INVALID', 'refusing the keys of %s: %s' % (name, '; '.join(invalid)))
    served = dict((key, _normalised(connections[key].get('verify_keys') or {})) for key in connections)
    if len(set(tuple(sorted(keys.items())) for keys in served.values())) > 1:
        raise FederationError('KEYS_ADDRESSES_DISAGREE', 'refusing the keys of %s: its addresses serve different '
                              'verify keys (%s): every address must serve the same homeserver\'s keys; a stale or '
                              'foreign server answers on one of them' % (name, '; '.join(
                                  '%s serves %s' % (key, _describe_keys(served[key])) for key in sorted(served))))
    first = sorted(connections)[0]
    checks = connections[first]['checks'].get('ed25519_checks') or {}
    return dict((key_id, key) for key_id, key in served[first].items()
                if checks.get(key_id, {}).get('matching_signature'))
