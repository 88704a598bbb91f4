# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a person reads in a federation report, as plain data, for the text, HTML and Markdown renderers (pure).

``outline_reports()`` picks from each ``matrix_federation_test`` report what
an administrator needs (verdict, resolution path, every address with its
checks, certificates and keys, IP families, notaries, warnings, errors with
the catalogue's cause and fix) so the three human formats show the same
facts. Values stay as the report has them (server-controlled text
included): each renderer escapes for its own format.
"""

import datetime

from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import GO_CHECKS

# The Go tester's names for the checks of ``checks`` (matrix-org/matrix-federation-tester).
GO_CHECK_NAMES = {
    'matching_server_name': 'MatchingServerName',
    'future_valid_until_ts': 'FutureValidUntilTS',
    'has_ed25519_key': 'HasEd25519Key',
    'all_ed25519_checks_ok': 'AllEd25519ChecksOK',
    'valid_certificates': 'ValidCertificates',
    'all_checks_ok': 'AllChecksOK',
}

# The resolution step that decided, in words (the spec's order).
METHOD_TEXT = {
    'ip_literal': 'the server name is an IP literal: connect to it directly, no SNI',
    'explicit_port': 'the server name has an explicit port: no well-known, no SRV',
    'well_known_ip': 'the well-known delegates to an IP literal',
    'well_known_port': 'the well-known delegates to a host with an explicit port',
    'well_known_srv': 'the well-known delegates to a host whose _matrix-fed._tcp SRV record gives the target',
    'well_known_srv_legacy': 'the well-known delegates to a host with only the deprecated _matrix._tcp SRV record',
    'well_known_default': 'the well-known delegates to a host without SRV records: its port 8448',
    'srv': 'no well-known delegation: the _matrix-fed._tcp SRV record of the server name',
    'srv_legacy': 'no well-known delegation: only the deprecated _matrix._tcp SRV record of the server name',
    'default': 'no well-known delegation, no SRV record: port 8448 of the server name',
}

CACHE_SOURCE_TEXT = {
    'max-age': 'Cache-Control max-age', 'expires': 'Expires', 'no-store': 'Cache-Control no-store',
    'default': 'no cache headers: the default', 'error': 'no delegation: peers retry after',
}

NO_ENTRY = 'no catalogue entry'


def report_list(value):
    """The reports in ``value``: one report, a batch result (``reports``), ``{name: report}``, a list, a loop.

    A registered loop's items may be single or batch results; each gives its report(s).
    """
    if isinstance(value, dict) and isinstance(value.get('results'), list) and 'server_name' not in value:
        value = value['results']
    if isinstance(value, dict):
        if isinstance(value.get('reports'), dict):
            return [r for r in value['reports'].values() if isinstance(r, dict)]
        if 'server_name' in value or 'federation_ok' in value:
            return [value]
        return [r for r in value.values() if isinstance(r, dict)]
    reports = []
    for item in value or []:
        if isinstance(item, dict) and isinstance(item.get('reports'), dict):
            reports.extend(report_list(item))
        elif isinstance(item, dict):
            reports.append(item)
    return reports


def catalogue_entry(catalogue, finding):
    """``finding`` (``{code, message}``) with ``level``, ``cause``, ``fix``, ``section`` and ``known``.

    A code the catalogue does not list keeps its message and gets ``known`` false and the cause
    ``no catalogue entry``.
    """
    finding = finding if isinstance(finding, dict) else {'code': None, 'message': finding}
    code = finding.get('code')
    entry = (catalogue or {}).get(code) if isinstance(code, str) else None
    entry = entry if isinstance(entry, dict) else None
    return {
        'code': code if code is not None else '?',
        'message': finding.get('message') if finding.get('message') is not None else '',
        'known': entry is not None,
        'level': (entry or {}).get('level'),
        'cause': (entry or {}).get('cause') or ('' if entry else NO_ENTRY),
        'fix': (entry or {}).get('fix') or '',
        'section': (entry or {}).get('section') or '',
    }


def utc_from_ms(value):
    """A millisecond timestamp as ``YYYY-MM-DDTHH:MM:SSZ``; the value as text when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None if value is None else str(value)
    try:
        moment = datetime.datetime.fromtimestamp(value / 1000.0, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return str(value)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def duration_text(seconds):
    """Seconds as ``45 s``, ``30 min``, ``24 h``, ``1.5 h``."""
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return str(seconds)
    if seconds < 120:
        return '%d s' % seconds
    if seconds < 7200:
        return '%d min' % (seconds // 60)
    return '%d h' % (seconds // 3600) if seconds % 3600 == 0 else '%.1f h' % (seconds / 3600.0)


def keys_answer_text(answer):
    """A notary's answer (``cached`` or ``queried`` of the outline) as plain text, ``None`` when there was none."""
    if not answer:
        return None
    text = '%s, valid until %s' % (', '.join(answer['verify_keys']) or 'no key', answer['valid_until'])
    if answer['old_verify_keys']:
        text += '; old: %s' % ', '.join(answer['old_verify_keys'])
    return text


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _findings(values, catalogue):
    return [catalogue_entry(catalogue, f) for f in _list(values)]


def _cache(well_known):
    cache = _dict(well_known.get('cache'))
    if not cache:
        return None
    lifetime = duration_text(cache.get('lifetime_s'))
    source = cache.get('source')
    if source == 'error':
        return 'no delegation: peers remember that for %s' % lifetime
    why = CACHE_SOURCE_TEXT.get(source, str(source))
    if cache.get('capped'):
        why += ', kept within 5 min..48 h from %s' % duration_text(cache.get('requested_s') or 0)
    return 'peers keep the delegation %s (%s)' % (lifetime, why)


def _resolution(report):
    resolution = _dict(report.get('resolution'))
    well_known = _dict(report.get('well_known_result'))
    error = _dict(well_known.get('error'))
    srv = []
    for name, answer in sorted(_dict(_dict(report.get('dns_result')).get('srv')).items()):
        answer = _dict(answer)
        records = ['%s %s %s %s' % (r.get('priority'), r.get('weight'), r.get('port'), r.get('target'))
                   for r in _list(answer.get('records')) if isinstance(r, dict)]
        srv.append({'name': name, 'records': records, 'error': answer.get('error')})
    return {
        'method': resolution.get('method'),
        'method_text': METHOD_TEXT.get(resolution.get('method'), 'no resolution (invalid server name)'
                                       if resolution.get('method') is None else str(resolution.get('method'))),
        'delegated_hostname': resolution.get('delegated_hostname'),
        'host_header': resolution.get('host_header'),
        'sni': resolution.get('sni'),
        'targets': [{'host': t.get('host'), 'port': t.get('port'), 'priority': t.get('priority'),
                     'weight': t.get('weight'), 'addresses': [str(a) for a in _list(t.get('addresses'))]}
                    for t in _list(resolution.get('targets')) if isinstance(t, dict)],
        'srv': srv,
        'well_known': {
            'fetched': bool(well_known),
            'url': well_known.get('url'),
            'status': well_known.get('status'),
            'm_server': _dict(well_known.get('json')).get('m.server') if isinstance(
                _dict(well_known.get('json')).get('m.server'), str) else None,
            'error': '%s: %s' % (error.get('code'), error.get('message')) if error else None,
            'by_address': [{'ip': ip, 'status': _dict(o).get('status'), 'm_server': _dict(o).get('m_server'),
                            'error': _dict(o).get('error')}
                           for ip, o in sorted(_dict(well_known.get('by_address')).items())],
            'cache': _cache(well_known),
        },
    }


def _certificate(cert):
    cert = _dict(cert)
    return {
        'subject': cert.get('subject'),
        'sans': [str(n) for n in _list(cert.get('dns_names')) + _list(cert.get('ip_addresses'))],
        'issuer': cert.get('issuer'),
        'not_after': cert.get('not_after'),
        'days_until_expiry': cert.get('days_until_expiry'),
        'sha256_fingerprint': cert.get('sha256_fingerprint'),
        'parse_error': cert.get('parse_error'),
    }


def _address(key, conn, catalogue):
    checks = _dict(conn.get('checks'))
    tls = _dict(conn.get('tls'))
    keys = _dict(conn.get('keys'))
    verify_keys = _dict(conn.get('verify_keys'))
    old_keys = _dict(keys.get('old_verify_keys'))
    version = _dict(conn.get('version'))
    errors = _findings(conn.get('errors'), catalogue)
    ok = checks.get('all_checks_ok') is True and not errors
    return {
        'address': key,
        'reachable': True,
        'ok': ok,
        'verdict': 'ok' if ok else 'FAIL',
        'checks': [{'name': name, 'go_name': GO_CHECK_NAMES[name], 'ok': checks.get(name)}
                   for name in GO_CHECKS + ('all_checks_ok',)],
        'failing_checks': [GO_CHECK_NAMES[name] for name in GO_CHECKS if checks.get(name) is not True],
        'ed25519_checks': [{'key_id': key_id, 'valid_ed25519': _dict(c).get('valid_ed25519'),
                            'matching_signature': _dict(c).get('matching_signature')}
                           for key_id, c in sorted(_dict(checks.get('ed25519_checks')).items())],
        'tls': ' '.join(str(tls[k]) for k in ('version', 'cipher') if tls.get(k)) or None,
        'tls_name': conn.get('tls_name'),
        'host_header': conn.get('host_header'),
        'certificate_error': conn.get('certificate_error'),
        'certificates': [_certificate(c) for c in _list(conn.get('certificates'))],
        'keys_server_name': keys.get('server_name'),
        'keys': [{'key_id': key_id, 'key': value if isinstance(value, str) else _dict(value).get('key')}
                 for key_id, value in sorted(verify_keys.items())],
        'old_keys': [{'key_id': key_id, 'expired': utc_from_ms(_dict(value).get('expired_ts'))}
                     for key_id, value in sorted(old_keys.items())],
        'valid_until': utc_from_ms(conn.get('valid_until_ts')),
        'version': ' '.join(str(version[k]) for k in ('name', 'version') if version.get(k)) or (
            'error: %s' % version['error'] if version.get('error') else None),
        'media': _dict(conn.get('media')) or None,
        'errors': errors,
        'warnings': _findings(conn.get('warnings'), catalogue),
    }


def _unreachable(key, error, catalogue):
    finding = catalogue_entry(catalogue, error)
    return {'address': key, 'reachable': False, 'ok': False, 'verdict': 'unreachable: %s' % finding['code'],
            'checks': [], 'failing_checks': [], 'ed25519_checks': [], 'tls': None, 'tls_name': None,
            'host_header': None, 'certificate_error': None, 'certificates': [], 'keys_server_name': None, 'keys': [],
            'old_keys': [], 'valid_until': None, 'version': None, 'media': None, 'errors': [finding], 'warnings': []}


def _keys_list(answer):
    answer = _dict(answer)
    if not answer:
        return None
    return {'verify_keys': [str(k) for k in _list(answer.get('verify_keys'))],
            'valid_until': answer.get('valid_until') or utc_from_ms(answer.get('valid_until_ts')),
            'old_verify_keys': sorted(str(k) for k in _dict(answer.get('old_verify_keys')))}


def _notaries(report, catalogue):
    notaries = []
    for name, entry in _dict(report.get('notaries')).items():
        entry = _dict(entry)
        notaries.append({
            'name': name,
            'reachable': entry.get('reachable'),
            'skipped': entry.get('skipped'),
            'address': entry.get('address'),
            'notary_key_verified': entry.get('notary_key_verified'),
            'notary_keys': [str(k) for k in _list(entry.get('notary_keys'))],
            'cached': _keys_list(entry.get('cached')),
            'queried': _keys_list(entry.get('queried')),
            'current_key_present': entry.get('current_key_present'),
            'old_keys': [{'key_id': key_id, 'listed': _dict(o).get('listed'), 'expired': _dict(o).get('expired')}
                         for key_id, o in sorted(_dict(entry.get('old_keys')).items())],
            'errors': _findings(entry.get('errors'), catalogue),
            'warnings': _findings(entry.get('federation_warnings'), catalogue),
        })
    return notaries


def outline_report(report, catalogue=None, index=1):
    """One report as what a person reads; ``anchor`` (``server-<index>``) names its section."""
    report = _dict(report)
    addresses = [_address(key, _dict(conn), catalogue)
                 for key, conn in sorted(_dict(report.get('connection_reports')).items())]
    addresses.extend(_unreachable(key, err, catalogue)
                     for key, err in sorted(_dict(report.get('connection_errors')).items()))
    errors = _findings(report.get('errors'), catalogue)
    warnings = _findings(report.get('federation_warnings'), catalogue)
    version = _dict(report.get('version'))
    return {
        'anchor': 'server-%d' % index,
        'server_name': report.get('server_name', '?'),
        'ok': report.get('federation_ok') is True,
        'verdict': 'federates' if report.get('federation_ok') is True else 'FAILS',
        'error_count': len(errors),
        'warning_count': len(warnings),
        'error_codes': sorted(set(str(e['code']) for e in errors)),
        'resolution': _resolution(report),
        'addresses': addresses,
        'families': [{'family': family, 'ok': _dict(verdict).get('ok') is True, 'reason': _dict(verdict).get('reason')}
                     for family, verdict in sorted(_dict(report.get('families')).items())],
        'version': ' '.join(str(version[k]) for k in ('name', 'version') if version.get(k)) or (
            'error: %s' % version['error'] if version.get('error') else None),
        'notaries': _notaries(report, catalogue),
        'has_notaries': 'notaries' in report,
        'errors': errors,
        'warnings': warnings,
        'duration_ms': report.get('duration_ms'),
    }


def outline_reports(value, catalogue=None):
    """Every report of ``value`` (see ``report_list``) outlined, in order."""
    return [outline_report(report, catalogue, index) for index, report in enumerate(report_list(value), 1)]
