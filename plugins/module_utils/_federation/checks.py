# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Federation checks per ``ip:port`` and the full report.

The network part (``run_federation_test``, ``probe_address``) gathers raw
responses; the evaluation part (``evaluate_server_keys``,
``evaluate_certificates``, ``build_connection_report``, ``build_report``)
is pure and turns them into the report: the Go federation tester's checks
(``matching_server_name``, ``future_valid_until_ts``, ``has_ed25519_key``,
``all_ed25519_checks_ok``, ``valid_certificates``) plus the collection's
coded errors and warnings (docs/errors.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import threading
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import resolve_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import (
    HAS_CRYPTOGRAPHY,
    clients_for_run,
    make_clients,
    run_parallel,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import GO_CHECKS, KEY_PATH, VERSION_PATH, format_host_port

if HAS_CRYPTOGRAPHY:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

KEYS_MAX_BYTES = 512 * 1024
VERSION_MAX_BYTES = 64 * 1024
HOUR_MS = 3600 * 1000
# TCP-level failures: another address may still serve (homeservers try the
# next one), so they degrade federation rather than break it.
_UNREACHABLE = ('CONNECTION_REFUSED', 'CONNECTION_FAILED', 'CONNECTION_TIMEOUT')


def _utc(value):
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def describe_certificate(cert, now=None):
    """A plain-data summary of one ``cryptography`` certificate."""
    now = now if now is not None else time.time()
    not_before = _utc(getattr(cert, 'not_valid_before_utc', None) or cert.not_valid_before)
    not_after = _utc(getattr(cert, 'not_valid_after_utc', None) or cert.not_valid_after)
    dns_names, ip_addresses = [], []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = list(san.get_values_for_type(x509.DNSName))
        ip_addresses = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    return {
        'subject': cert.subject.rfc4514_string(),
        'issuer': cert.issuer.rfc4514_string(),
        'serial_number': str(cert.serial_number),
        'sha256_fingerprint': cert.fingerprint(hashes.SHA256()).hex(),
        'dns_names': dns_names,
        'ip_addresses': ip_addresses,
        'not_before': not_before.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'not_after': not_after.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'days_until_expiry': round((not_after.timestamp() - now) / 86400.0, 2),
    }


def evaluate_certificates(certificates, verify_error, tls_name, server_name, srv_target=None, cert_expiry_warn_days=14):
    """ValidCertificates for one connection.

    ``certificates`` are :func:`describe_certificate` dicts (leaf first),
    ``verify_error`` the TLS library's verification message or ``None``,
    ``tls_name`` the name (or IP) the certificate must cover. Returns
    ``{valid, errors, warnings}``.
    """
    errors, warnings = [], []
    leaf = certificates[0] if certificates else None
    if verify_error:
        text = verify_error.lower()
        covers = (leaf['dns_names'] + leaf['ip_addresses']) if leaf else []
        if 'mismatch' in text:
            message = 'certificate covers %s, not %s' % (', '.join(covers) or 'no subjectAltName', tls_name)
            if srv_target and any(_name_matches(srv_target, name) for name in covers):
                message += (': SRV delegation needs a certificate for the server name (%s), not only the SRV target (%s)'
                            % (tls_name, srv_target))
            errors.append(finding('CERT_NAME_MISMATCH', message))
        elif 'expired' in text:
            errors.append(finding('CERT_EXPIRED', 'certificate expired on %s (%s)'
                                  % (leaf['not_after'] if leaf else '?', verify_error)))
        elif 'not yet valid' in text:
            errors.append(finding('CERT_NOT_YET_VALID', 'certificate is not yet valid (%s)' % verify_error))
        elif 'issuer' in text or 'self-signed' in text or 'self signed' in text or 'unable to get' in text:
            errors.append(finding('CERT_UNTRUSTED', 'certificate chain is not trusted (%s): serve the full chain '
                                  'from a CA the peers trust' % verify_error))
        else:
            errors.append(finding('CERT_INVALID', 'certificate verification failed: %s' % verify_error))
    if leaf and not verify_error and 0 <= leaf['days_until_expiry'] < cert_expiry_warn_days:
        warnings.append(finding('CERT_EXPIRING_SOON', 'certificate for %s expires in %.1f days (%s): renew it'
                                % (tls_name, leaf['days_until_expiry'], leaf['not_after'])))
    return {'valid': not errors, 'errors': errors, 'warnings': warnings}


def _name_matches(host, pattern):
    host, pattern = host.lower().rstrip('.'), pattern.lower().rstrip('.')
    if pattern.startswith('*.'):
        return '.' in host and host.split('.', 1)[1] == pattern[2:]
    return host == pattern


def evaluate_server_keys(keys, server_name, now_ms, expected_keys=None):
    """The Go tester's key checks on a ``/_matrix/key/v2/server`` body (pure).

    Returns ``{checks, verify_keys, valid_until_ts, errors, warnings}``;
    ``checks`` holds ``matching_server_name``, ``future_valid_until_ts``,
    ``has_ed25519_key``, ``all_ed25519_checks_ok`` and ``ed25519_checks``
    (``{key_id: {valid_ed25519, matching_signature}}``).
    """
    errors, warnings = [], []
    if not isinstance(keys, dict):
        keys = {}
        errors.append(finding('KEYS_INVALID_JSON', 'the key response is not a JSON object'))
    published_name = keys.get('server_name')
    matching = published_name == server_name
    if not matching and isinstance(keys, dict) and keys:
        errors.append(finding('KEYS_SERVER_NAME_MISMATCH', 'keys are published for server_name %r, not %r: set '
                              'server_name in the homeserver config to the name in user IDs' % (published_name, server_name)))
    valid_until = keys.get('valid_until_ts')
    future = isinstance(valid_until, int) and not isinstance(valid_until, bool) and valid_until > now_ms
    if keys and not future:
        errors.append(finding('KEYS_VALID_UNTIL_PAST', 'valid_until_ts %r is not in the future: peers will not '
                              'accept these keys' % (valid_until,)))
    elif future and valid_until - now_ms < HOUR_MS:
        warnings.append(finding('KEYS_EXPIRING_SOON', 'valid_until_ts is %d minutes away: servers should not serve '
                                'keys expiring within an hour' % ((valid_until - now_ms) // 60000)))
    verify_keys_raw = keys.get('verify_keys')
    verify_keys = {}
    if isinstance(verify_keys_raw, dict):
        for key_id, value in verify_keys_raw.items():
            if isinstance(value, dict) and isinstance(value.get('key'), str):
                verify_keys[key_id] = value['key']
    ed25519_checks = {}
    signer = published_name if isinstance(published_name, str) else server_name
    for key_id in sorted(k for k in verify_keys if k.startswith('ed25519:')):
        check = {'valid_ed25519': False, 'matching_signature': False}
        try:
            check['valid_ed25519'] = len(signing.decode_base64(verify_keys[key_id])) == signing.ED25519_KEY_BYTES
        except FederationError:
            pass
        if not check['valid_ed25519']:
            errors.append(finding('KEYS_ED25519_KEY_INVALID', 'verify key %s is not a 32-byte unpadded base64 ed25519 key'
                                  % key_id))
        else:
            try:
                signing.verify_signature(keys, signer, key_id, verify_keys[key_id])
                check['matching_signature'] = True
            except FederationError as exc:
                errors.append(finding('KEYS_SIGNATURE_INVALID', 'key response signature with %s: %s' % (key_id, exc.message)))
        ed25519_checks[key_id] = check
    has_ed25519 = bool(ed25519_checks)
    if keys and not has_ed25519:
        errors.append(finding('KEYS_NO_ED25519_KEY', 'the key response has no ed25519 verify key'))
    if expected_keys:
        for key_id, key in sorted(expected_keys.items()):
            if key_id not in verify_keys:
                errors.append(finding('KEYS_EXPECTED_MISSING', 'expected key %s is not published' % key_id))
            elif verify_keys[key_id].rstrip('=') != str(key).rstrip('='):
                errors.append(finding('KEYS_EXPECTED_MISMATCH', 'key %s is published as %s, expected %s: the served '
                                      'signing key differs from the local one' % (key_id, verify_keys[key_id], key)))
        for key_id in sorted(set(verify_keys) - set(expected_keys)):
            errors.append(finding('KEYS_UNEXPECTED', 'the server publishes key %s, which is not expected' % key_id))
    checks = {
        'matching_server_name': matching,
        'future_valid_until_ts': future,
        'has_ed25519_key': has_ed25519,
        'all_ed25519_checks_ok': has_ed25519 and all(
            c['valid_ed25519'] and c['matching_signature'] for c in ed25519_checks.values()),
        'ed25519_checks': ed25519_checks,
    }
    return {'checks': checks, 'verify_keys': verify_keys, 'valid_until_ts': valid_until, 'errors': errors,
            'warnings': warnings}


def parse_version(status, body):
    """``{name, version}`` from a federation version response, or ``{error}``."""
    if status != 200:
        return {'error': 'HTTP %s' % status}
    server = body.get('server') if isinstance(body, dict) else None
    if not isinstance(server, dict):
        return {'error': 'response has no "server" object'}
    return {'name': server.get('name'), 'version': server.get('version')}


def probe_address(https, resolution, target, address):
    """GET the keys (verified TLS, with a fallback to read them anyway) and the version at once.

    Returns ``{key_response, key_error, version_response, version_error}``
    (responses are :class:`HttpsResponse`, errors ``FederationError``).
    """
    tls_name = resolution['sni'] or address
    host_header = resolution['host_header']
    port = target['port']
    # One connection, both requests pipelined: one TCP and one TLS handshake,
    # the time of one round trip for both answers (a new connection only when
    # the server closes after the first answer).
    try:
        keys, version = https.request_many(address, port, [(KEY_PATH, KEYS_MAX_BYTES), (VERSION_PATH, VERSION_MAX_BYTES)],
                                           host_header, tls_name=tls_name, insecure_fallback=True)
    except FederationError as exc:
        return {'key_response': None, 'key_error': exc, 'version_response': None, 'version_error': exc}
    keys_exc = keys if isinstance(keys, FederationError) else None
    version_exc = version if isinstance(version, FederationError) else None
    return {'key_response': None if keys_exc else keys, 'key_error': keys_exc,
            'version_response': None if version_exc else version, 'version_error': version_exc}


def _error_of(exc, prefix=''):
    if isinstance(exc, FederationError):
        code = {'RESPONSE_TOO_LARGE': 'TOO_LARGE', 'HTTP_TIMEOUT': 'TIMEOUT', 'HTTP_ERROR': 'HTTP_ERROR'}.get(exc.code)
        return finding(prefix + code if (code and prefix) else exc.code, exc.message)
    return finding('INTERNAL_ERROR', '%s: %s' % (type(exc).__name__, exc))


def build_connection_report(server_name, resolution, target, address, probe, now, expected_keys=None,
                            cert_expiry_warn_days=14):
    """Turn one :func:`probe_address` result into ``(report, connection_error)`` (one of them ``None``)."""
    if probe['key_error'] is not None:
        return None, _error_of(probe['key_error'], 'KEYS_')
    response = probe['key_response']
    certificates = [describe_certificate(c, now) for c in response.certificates] if HAS_CRYPTOGRAPHY else []
    tls_name = resolution['sni'] or address
    srv_target = target['host'] if 'priority' in target else None
    cert = evaluate_certificates(certificates, response.verify_error, tls_name, server_name, srv_target,
                                 cert_expiry_warn_days)
    report = {'address': address, 'port': target['port'], 'target_host': target['host'], 'tls_name': tls_name,
              'host_header': resolution['host_header'],
              'tls': {'version': response.tls_version, 'cipher': response.cipher},
              'certificates': certificates, 'certificate_error': response.verify_error,
              'status': response.status, 'keys': None, 'verify_keys': {}, 'valid_until_ts': None,
              'version': None, 'errors': list(cert['errors']), 'warnings': list(cert['warnings'])}
    keys_eval = None
    if response.status != 200:
        report['errors'].append(finding('KEYS_HTTP_STATUS', 'GET %s answered HTTP %s: a reverse proxy that does not pass '
                                        'the Host header (%s) or does not route /_matrix/key to the homeserver causes '
                                        'this' % (KEY_PATH, response.status, resolution['host_header'])))
    else:
        try:
            report['keys'] = response.json()
        except FederationError as exc:
            report['errors'].append(finding('KEYS_INVALID_JSON', 'GET %s: %s' % (KEY_PATH, exc.message)))
        else:
            keys_eval = evaluate_server_keys(report['keys'], server_name, int(now * 1000), expected_keys)
            report['errors'].extend(keys_eval['errors'])
            report['warnings'].extend(keys_eval['warnings'])
            report['verify_keys'] = keys_eval['verify_keys']
            report['valid_until_ts'] = keys_eval['valid_until_ts']
    checks = dict(keys_eval['checks']) if keys_eval else {
        'matching_server_name': False, 'future_valid_until_ts': False, 'has_ed25519_key': False,
        'all_ed25519_checks_ok': False, 'ed25519_checks': {}}
    checks['valid_certificates'] = cert['valid']
    checks['all_checks_ok'] = all(checks[name] for name in GO_CHECKS)
    report['checks'] = checks
    if probe['version_error'] is not None:
        report['version'] = {'error': _error_of(probe['version_error'])['message']}
    else:
        body = None
        try:
            body = probe['version_response'].json()
        except FederationError:
            pass
        report['version'] = parse_version(probe['version_response'].status, body)
    return report, None


def build_report(server_name, discovery, connections, duration_ms):
    """Assemble the full report (pure).

    ``connections`` is a list of ``(key, connection_report, connection_error)``
    with ``key`` = ``ip:port``. ``federation_ok`` is true when there are no
    errors and at least one address answered.
    """
    errors = list(discovery['errors'])
    warnings = list(discovery['warnings'])
    reports, conn_errors = {}, {}
    for key, report, error in connections:
        if report is not None:
            reports[key] = report
        else:
            conn_errors[key] = error
    for key in sorted(reports):
        errors.extend(finding(e['code'], '%s: %s' % (key, e['message'])) for e in reports[key]['errors'])
        warnings.extend(finding(w['code'], '%s: %s' % (key, w['message'])) for w in reports[key]['warnings'])
    degraded = bool(reports) and all(e['code'] in _UNREACHABLE for e in conn_errors.values())
    for key in sorted(conn_errors):
        entry = finding(conn_errors[key]['code'], '%s: %s' % (key, conn_errors[key]['message']))
        (warnings if degraded else errors).append(entry)
    if degraded and conn_errors:
        working = set(_family(k) for k in reports)
        failing = set(_family(k) for k in conn_errors)
        if len(working) == 1 and failing and not failing & working:
            warnings.append(finding('IP_FAMILY_PARTIAL', 'only %s works for %s: every %s address is unreachable (%s)'
                                    % (list(working)[0], server_name, list(failing)[0], ', '.join(sorted(conn_errors)))))
    version = None
    for key in sorted(reports):
        if reports[key]['version'] and 'error' not in reports[key]['version']:
            version = reports[key]['version']
            break
    if version is None and reports:
        first = reports[sorted(reports)[0]]['version'] or {}
        version = {'error': first.get('error', 'no answer')}
        errors.append(finding('VERSION_FAILED', 'GET %s failed on every address: %s' % (VERSION_PATH, version['error'])))
    if not errors and not reports and not conn_errors:
        errors.append(finding('NO_TARGETS', 'resolution of %s gave no address to connect to' % server_name))
    return {
        'server_name': server_name,
        'federation_ok': not errors and bool(reports),
        'resolution': discovery['resolution'],
        'well_known_result': discovery['well_known_result'],
        'dns_result': discovery['dns_result'],
        'connection_reports': reports,
        'connection_errors': conn_errors,
        'version': version,
        'errors': errors,
        'federation_warnings': warnings,
        'duration_ms': duration_ms,
    }


def _family(key):
    return 'IPv6' if key.startswith('[') else 'IPv4'


def run_federation_test(server_name, nameservers=None, ca_path=None, timeout=10.0, expected_keys=None,
                        cert_expiry_warn_days=14, now=None):
    """Test federation with ``server_name`` as another homeserver would; return the report.

    Never raises for network, DNS or server-name problems (they become
    ``errors`` entries); raises ``FederationError`` only for bad client
    settings (``INVALID_NAMESERVER``, ``INVALID_CA_PATH``, ``MISSING_LIBRARY``).
    The run ends within ``DEADLINE_STEPS * timeout`` seconds.
    """
    dns, https = make_clients(nameservers, ca_path, timeout)
    return _test_one(server_name, dns, https, timeout, expected_keys, cert_expiry_warn_days, now)


def _test_one(server_name, base_dns, base_https, timeout, expected_keys, cert_expiry_warn_days, now):
    """One server's test on the shared clients, with its own deadline (starting now)."""
    started = time.monotonic()
    dns, https = clients_for_run(base_dns, base_https, timeout)
    discovery = resolve_server_name(server_name, dns, https)
    resolution = discovery['resolution']
    jobs, seen = [], set()
    for target in resolution['targets']:
        for address in target['addresses']:
            if format_host_port(address, target['port']) not in seen:
                seen.add(format_host_port(address, target['port']))
                jobs.append((target, address))
    probes = run_parallel([lambda t=t, a=a: probe_address(https, resolution, t, a) for t, a in jobs])
    now = now if now is not None else time.time()
    connections = []
    for (target, address), (probe, exc) in zip(jobs, probes):
        key = format_host_port(address, target['port'])
        if exc is not None:
            connections.append((key, None, _error_of(exc)))
            continue
        report, error = build_connection_report(server_name, resolution, target, address, probe, now,
                                                expected_keys, cert_expiry_warn_days)
        connections.append((key, report, error))
    return build_report(server_name, discovery, connections, int((time.monotonic() - started) * 1000))


def internal_error_report(server_name, exc, duration_ms=0):
    """The report of a run that failed unexpectedly: the failure is contained to that server."""
    return {
        'server_name': server_name, 'federation_ok': False,
        'resolution': {'server_name': server_name, 'method': None, 'delegated_hostname': None, 'host_header': None,
                       'sni': None, 'targets': []},
        'well_known_result': None, 'dns_result': {'srv': {}, 'hosts': {}, 'cname_targets': []},
        'connection_reports': {}, 'connection_errors': {}, 'version': None,
        'errors': [finding('INTERNAL_ERROR', 'the test of %s failed unexpectedly: %s: %s'
                           % (server_name, type(exc).__name__, exc))],
        'federation_warnings': [], 'duration_ms': duration_ms,
    }


def run_batch(server_names, test, concurrency=32):
    """Run ``test(server_name)`` for every name, ``concurrency`` at a time; return ``{name: report}``.

    Names are tested once each (duplicates dropped, order kept). An
    exception in one test becomes that server's ``INTERNAL_ERROR`` report;
    the others go on.
    """
    names = []
    for name in server_names:
        if name not in names:
            names.append(name)
    reports = {}
    lock = threading.Lock()
    queue = list(reversed(names))

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
            started = time.monotonic()
            try:
                report = test(name)
            except Exception as exc:  # pylint: disable=broad-except
                report = internal_error_report(name, exc, int((time.monotonic() - started) * 1000))
            with lock:
                reports[name] = report

    run_parallel([worker] * max(1, min(int(concurrency), len(names))))
    return dict((name, reports[name]) for name in names)


def summarize(reports):
    """Counts over a batch: ``{total, by_result: {ok, failed}, by_error_code, by_warning_code, by_method}``.

    Each code counts the servers whose report has it (once per server).
    """
    summary = {'total': len(reports), 'by_result': {'ok': 0, 'failed': 0}, 'by_error_code': {},
               'by_warning_code': {}, 'by_method': {}}
    for report in reports.values():
        summary['by_result']['ok' if report['federation_ok'] else 'failed'] += 1
        for field, entries in (('by_error_code', report['errors']), ('by_warning_code', report['federation_warnings'])):
            for code in sorted(set(entry['code'] for entry in entries)):
                summary[field][code] = summary[field].get(code, 0) + 1
        method = str((report.get('resolution') or {}).get('method'))
        summary['by_method'][method] = summary['by_method'].get(method, 0) + 1
    return summary


def run_federation_tests(server_names, nameservers=None, ca_path=None, timeout=10.0, expected_keys=None,
                         cert_expiry_warn_days=14, concurrency=32, now=None):
    """Test many servers at once (``concurrency`` at a time) sharing DNS answers and TLS set-up.

    Each report is the one :func:`run_federation_test` gives for that name,
    with its own ``DEADLINE_STEPS * timeout`` deadline counted from its
    start. Returns ``{federation_ok, reports: {name: report}, summary,
    duration_ms}``. Raises ``FederationError`` only for bad client settings.
    """
    started = time.monotonic()
    dns, https = make_clients(nameservers, ca_path, timeout)
    reports = run_batch(server_names, lambda name: _test_one(name, dns, https, timeout, expected_keys,
                                                             cert_expiry_warn_days, now), concurrency)
    return {'federation_ok': bool(reports) and all(r['federation_ok'] for r in reports.values()),
            'reports': reports, 'summary': summarize(reports),
            'duration_ms': int((time.monotonic() - started) * 1000)}
