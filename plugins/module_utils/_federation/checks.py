# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks: pure functions that judge one connection's probe (certificates, keys, version).

They give the Go federation tester's checks (``matching_server_name``,
``future_valid_until_ts``, ``has_ed25519_key``, ``all_ed25519_checks_ok``,
``valid_certificates``) plus the collection's coded errors and warnings
(docs/errors.md), and ``build_connection_report`` turns one probe into the
connection's part of the report. No network here.
"""

import datetime
import json
import re
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    GO_CHECKS, KEY_PATH, MEDIA_AUTH_ERRCODES, MEDIA_DOWNLOAD_PATH_PREFIX,
)

HOUR_MS = 3600 * 1000
# Spec: a key ID is "<algorithm>:<version>", the version of characters matching [a-zA-Z0-9_].
_KEY_ID = re.compile(r'^[a-z0-9_.-]+:[a-zA-Z0-9_]+$')
_OLD_KEYS_FIX = ('peers reject the whole key response (Synapse and gomatrixserverlib parse every entry): '
                 'fix or remove the entry in old_signing_keys')


def _utc(value):
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def _read_field(problems, what, read, default):
    """``read()``, or ``default`` with the reason in ``problems``: cryptography parses names and extensions lazily."""
    try:
        return read()
    except Exception as exc:  # pylint: disable=broad-except
        problems.append('%s: %s' % (what, exc))
        return default


def _alt_names(cert):
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    return list(san.get_values_for_type(x509.DNSName)), [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def describe_certificate(cert, now=None):
    """A plain-data summary of one ``cryptography`` certificate; never raises.

    A certificate the peer chose can carry what cryptography refuses to
    parse (an extension twice, a badly encoded name): what can be read is
    kept, and ``parse_error`` says what could not (only then is it there).
    """
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    now = now if now is not None else time.time()
    problems = []
    not_before = _utc(getattr(cert, 'not_valid_before_utc', None) or cert.not_valid_before)
    not_after = _utc(getattr(cert, 'not_valid_after_utc', None) or cert.not_valid_after)
    dns_names, ip_addresses = _read_field(problems, 'extensions', lambda: _alt_names(cert), ([], []))
    summary = {
        'subject': _read_field(problems, 'subject', cert.subject.rfc4514_string, None),
        'issuer': _read_field(problems, 'issuer', cert.issuer.rfc4514_string, None),
        'serial_number': str(cert.serial_number),
        'sha256_fingerprint': cert.fingerprint(hashes.SHA256()).hex(),
        'dns_names': dns_names,
        'ip_addresses': ip_addresses,
        'not_before': not_before.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'not_after': not_after.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'days_until_expiry': round((not_after.timestamp() - now) / 86400.0, 2),
    }
    if problems:
        summary['parse_error'] = '; '.join(problems)
    return summary


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
    for index, cert in enumerate(certificates):
        if cert.get('parse_error'):
            errors.append(finding('CERT_UNPARSABLE', '%s of the chain (%s) cannot be parsed (%s): peers refuse it; '
                                  'reissue it with a standard tool' % ('the leaf certificate' if index == 0 else
                                                                       'certificate %d' % (index + 1),
                                                                       cert['subject'], cert['parse_error'])))
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
    if keys:
        old_errors, old_warnings = evaluate_old_verify_keys(keys)
        errors.extend(old_errors)
        warnings.extend(old_warnings)
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


def _json_type(value):
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    names = {dict: 'an object', list: 'a list', str: 'a string', type(None): 'null'}
    return names.get(type(value), 'a %s' % type(value).__name__)


def _old_entry_problem(key_id, entry):
    """What is wrong with one ``old_verify_keys`` entry (``None`` when it is well-formed)."""
    if not isinstance(entry, dict):
        return '%s is %s, not an object {key, expired_ts}' % (key_id, _json_type(entry))
    if 'key' not in entry:
        return '%s has no "key"' % key_id
    if not isinstance(entry['key'], str):
        return '%s: "key" is %s, not a string' % (key_id, _json_type(entry['key']))
    try:
        decoded = signing.decode_base64(entry['key'])
    except FederationError:
        decoded = None
    if decoded is None or (key_id.startswith('ed25519:') and len(decoded) != signing.ED25519_KEY_BYTES):
        return '%s: "key" is not unpadded base64%s' % (
            key_id, ' of a 32-byte ed25519 public key' if key_id.startswith('ed25519:') else '')
    if 'expired_ts' not in entry:
        return '%s has no "expired_ts"' % key_id
    expired = entry['expired_ts']
    if isinstance(expired, bool) or not isinstance(expired, int):
        return '%s: "expired_ts" is %s, not an integer (milliseconds since 1970)' % (key_id, _json_type(expired))
    if not 0 <= expired <= signing.MAX_SAFE_INTEGER:
        return '%s: "expired_ts" %d is not a timestamp in milliseconds (0 to 2^53-1)' % (key_id, expired)
    return None


def evaluate_old_verify_keys(keys):
    """The ``old_verify_keys`` section of a key response: ``(errors, warnings)`` (pure).

    The spec's schema leaves the section out of ``required``, but every
    entry needs ``key`` (unpadded base64) and ``expired_ts`` (integer ms).
    Peers parse every entry and drop the whole response on a malformed one
    (``KEYS_OLD_VERIFY_KEYS_MALFORMED``, an error); a missing section is a
    warning (``KEYS_OLD_VERIFY_KEYS_MISSING``: Synapse indexes it without a
    default, matrix-doc issue 2508), a key ID outside the spec's grammar
    too (``KEYS_OLD_VERIFY_KEY_ID_INVALID``: peers may skip such entries).
    """
    errors, warnings = [], []
    if 'old_verify_keys' not in keys:
        warnings.append(finding('KEYS_OLD_VERIFY_KEYS_MISSING', 'the key response has no old_verify_keys: serve '
                                '{} when there are no retired keys; peers that read it unconditionally (Synapse) '
                                'fail to fetch these keys'))
        return errors, warnings
    old = keys['old_verify_keys']
    if not isinstance(old, dict):
        errors.append(finding('KEYS_OLD_VERIFY_KEYS_MALFORMED', 'old_verify_keys is %s, not an object: %s'
                              % (_json_type(old), _OLD_KEYS_FIX)))
        return errors, warnings
    for key_id in sorted(old):
        if not _KEY_ID.match(key_id):
            warnings.append(finding('KEYS_OLD_VERIFY_KEY_ID_INVALID', 'old_verify_keys key ID %r is not '
                                    '"<algorithm>:<version>" with a version of [a-zA-Z0-9_] (the spec\'s grammar): peers may '
                                    'ignore the entry, and events signed with that key then fail to verify' % key_id))
        problem = _old_entry_problem(key_id, old[key_id])
        if problem:
            errors.append(finding('KEYS_OLD_VERIFY_KEYS_MALFORMED', 'old_verify_keys entry %s: %s'
                                  % (problem, _OLD_KEYS_FIX)))
    return errors, warnings


def parse_version(status, body):
    """``{name, version}`` from a federation version response, or ``{error}``."""
    if status != 200:
        return {'error': 'HTTP %s' % status}
    server = body.get('server') if isinstance(body, dict) else None
    if not isinstance(server, dict):
        return {'error': 'response has no "server" object'}
    return {'name': server.get('name'), 'version': server.get('version')}


def evaluate_media_route(status, body, error=None):
    """Who answered the unauthenticated media download: ``{status, errcode, verdict}`` and a warning or ``None`` (pure).

    ``status`` and ``body`` (bytes) are the answer, ``error`` the
    ``FederationError`` of a request without one. Verdicts: ``homeserver``
    (a JSON Matrix error: 401 ``M_UNAUTHORIZED``/``M_MISSING_TOKEN``/``M_FORBIDDEN``,
    or another errcode such as ``M_NOT_FOUND``, or any 401 asking for ``X-Matrix``), ``unsupported`` (``M_UNRECOGNIZED``:
    no authenticated media federation, ``MEDIA_FEDERATION_UNSUPPORTED``),
    ``not_homeserver`` (HTML, an empty or non-Matrix answer, a redirect, an
    oversized body: the proxy does not pass the route, ``MEDIA_ROUTE_NOT_HOMESERVER``)
    and ``no_answer`` (timeout or a broken connection: nothing to judge, no warning).
    """
    route = MEDIA_DOWNLOAD_PATH_PREFIX + '<id>'
    if error is not None:
        code = getattr(error, 'code', None)
        if code == 'RESPONSE_TOO_LARGE':
            return {'status': None, 'errcode': None, 'verdict': 'not_homeserver'}, finding(
                'MEDIA_ROUTE_NOT_HOMESERVER', 'GET %s (no authorization) answered with a body over the limit, not a '
                'Matrix error: the reverse proxy does not pass /_matrix/federation/v1/media/ to the homeserver, so '
                'peers cannot fetch media from this server' % route)
        return {'status': None, 'errcode': None, 'verdict': 'no_answer'}, None
    errcode = None
    try:
        value = json.loads(body.decode('utf-8')) if body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        value = None
    if isinstance(value, dict) and isinstance(value.get('errcode'), str) and value['errcode'].startswith('M_'):
        errcode = value['errcode']
    result = {'status': status, 'errcode': errcode, 'verdict': 'homeserver'}
    if errcode == 'M_UNRECOGNIZED':
        result['verdict'] = 'unsupported'
        return result, finding('MEDIA_FEDERATION_UNSUPPORTED', 'GET %s answered HTTP %s M_UNRECOGNIZED: the homeserver '
                               'does not implement authenticated media over federation (spec v1.11), so peers on '
                               'current Synapse cannot fetch media from it; upgrade the homeserver' % (route, status))
    redirect = status is not None and 300 <= status < 400
    if errcode is not None and not redirect and (status != 200 or errcode in MEDIA_AUTH_ERRCODES):
        return result, None
    # A 401 that asks for the federation signature comes from the homeserver, whatever its shape (Dendrite
    # 0.13.8 answers text/plain with its own structure): a proxy never asks for X-Matrix.
    if status == 401 and b'X-Matrix' in (body or b''):
        return result, None
    result['verdict'] = 'not_homeserver'
    what = 'HTTP %s with %s' % (status, 'a redirect' if redirect else 'an empty body' if not body
                                else 'a body that is not a Matrix error')
    return result, finding('MEDIA_ROUTE_NOT_HOMESERVER', 'GET %s (no authorization) answered %s, not the homeserver\'s '
                           '401 M_UNAUTHORIZED: the reverse proxy does not pass /_matrix/federation/v1/media/ to the '
                           'homeserver (route all of /_matrix/federation/ there), so peers cannot fetch media from '
                           'this server' % (route, what))


def error_finding(exc, prefix=''):
    """The ``{code, message}`` finding of an exception raised by a probe (``prefix`` names the request)."""
    if isinstance(exc, FederationError):
        code = {'RESPONSE_TOO_LARGE': 'TOO_LARGE', 'HTTP_TIMEOUT': 'TIMEOUT', 'HTTP_ERROR': 'HTTP_ERROR'}.get(exc.code)
        return finding(prefix + code if (code and prefix) else exc.code, exc.message)
    return finding('INTERNAL_ERROR', '%s: %s' % (type(exc).__name__, exc))


def build_connection_report(server_name, resolution, target, address, probe, now, expected_keys=None,
                            cert_expiry_warn_days=14):
    """Turn one :func:`probe_address` result into ``(report, connection_error)`` (one of them ``None``)."""
    if probe['key_error'] is not None:
        return None, error_finding(probe['key_error'], 'KEYS_')
    response = probe['key_response']
    certificates = [describe_certificate(c, now) for c in response.certificates]
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
        report['version'] = {'error': error_finding(probe['version_error'])['message']}
    else:
        body = None
        try:
            body = probe['version_response'].json()
        except FederationError:
            pass
        report['version'] = parse_version(probe['version_response'].status, body)
    media = probe.get('media_response')
    if media is not None or probe.get('media_error') is not None:
        report['media'], warning = evaluate_media_route(media.status if media is not None else None,
                                                        media.body if media is not None else b'', probe.get('media_error'))
        if warning:
            report['warnings'].append(warning)
    else:
        report['media'] = None
    return report, None
