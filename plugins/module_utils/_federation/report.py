# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report: one server's test as plain data (errors, warnings, connections, version) and batch summaries.

Pure: built from the discovery record and the connection reports of
``checks``; rendered by ``render``.
"""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import VERSION_PATH

# TCP-level failures: another address may still serve (homeservers try the
# next one), so they degrade federation rather than break it.
_UNREACHABLE = ('CONNECTION_REFUSED', 'CONNECTION_FAILED', 'CONNECTION_TIMEOUT')


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
