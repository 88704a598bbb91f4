# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report: one server's test as plain data (errors, warnings, connections, version) and batch summaries.

Pure: built from the discovery record and the connection reports of
``checks``; rendered by ``render``.
"""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import VERSION_PATH, format_host_port, ip_family

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
    global_errors = list(discovery['errors']) + [e for e in errors if e['code'] in ('VERSION_FAILED', 'NO_TARGETS')]
    verdicts = family_verdicts(discovery, reports, conn_errors, global_errors)
    families = dict((family, {'ok': ok, 'reason': reason}) for family, (ok, reason, dummy) in verdicts.items())
    working = [family for family, (ok, dummy, dummy2) in verdicts.items() if ok]
    failing = [family for family, (ok, dummy, has_failures) in verdicts.items() if not ok and has_failures]
    if len(working) == 1 and failing:
        warnings.append(finding('IP_FAMILY_PARTIAL', 'only %s works for %s: %s'
                                % (working[0], server_name, families[failing[0]]['reason'])))
    return {
        'server_name': server_name,
        'federation_ok': not errors and bool(reports),
        'resolution': discovery['resolution'],
        'well_known_result': discovery['well_known_result'],
        'dns_result': discovery['dns_result'],
        'connection_reports': reports,
        'connection_errors': conn_errors,
        'version': version,
        'families': families,
        'errors': errors,
        'federation_warnings': warnings,
        'duration_ms': duration_ms,
    }


_FAMILIES = ('IPv4', 'IPv6')
_RECORD = {'IPv4': 'A', 'IPv6': 'AAAA'}


def _no_address_reason(family, host, answer):
    """Why ``host`` has no address of ``family``: its lookup failed, or there is no such record."""
    for error in (answer or {}).get('family_errors') or []:
        if ('%s lookup' % _RECORD[family]) in error.get('message', ''):
            return 'the %s lookup for %s failed (%s)' % (_RECORD[family], host, error['code'])
    return 'no %s record for %s' % (_RECORD[family], host)


def _well_known_stage(family, discovery):
    """``(m_server or None, problem, has_failures)`` an ``family``-only peer gets from the well-known.

    ``None`` when the well-known was not fetched from each address (not fetched at all, or its host did not resolve).
    """
    well_known = discovery.get('well_known_result')
    by_address = (well_known or {}).get('by_address') or {}
    if not by_address:
        return None
    host = ((well_known.get('dns') or {}).get('host')) or discovery['resolution']['server_name']
    mine = [(ip, outcome) for ip, outcome in by_address.items() if ip_family(ip) == family]
    if not mine:
        return None, '%s, so %s-only peers cannot fetch the well-known' % (_no_address_reason(
            family, host, {'family_errors': (well_known.get('dns') or {}).get('errors')}), family), False
    for ip, outcome in mine:
        if (outcome['error'] or '')[len('WELLKNOWN_'):] not in _UNREACHABLE:
            return outcome['m_server'], '%s answers the well-known with %s' % (
                ip, outcome['m_server'] or 'no delegation (%s)' % outcome['error']), True
    return None, 'no %s address of %s serves the well-known (%s)' % (
        family, host, ', '.join('%s: %s' % (ip, outcome['error']) for ip, outcome in mine)), True


def family_verdicts(discovery, reports, conn_errors, global_errors):
    """What an IPv4-only and an IPv6-only peer would get: ``{family: (ok, reason, has_failures)}`` (pure).

    A peer of one family fetches the well-known over that family's
    addresses (a different delegation than the others get is a failure:
    it is not what was tested), then connects to the targets' addresses of
    that family; it federates when one of them passes every check and the
    report has no error outside the connections. ``has_failures`` is true
    when the family has addresses that fail (not when it has none).
    """
    resolution = discovery['resolution']
    verdicts = {}
    for family in _FAMILIES:
        if resolution.get('method') is None:
            first = global_errors[0]['code'] if global_errors else 'no method'
            verdicts[family] = (False, 'the server name does not resolve (%s)' % first, False)
            continue
        well_known = discovery.get('well_known_result') or {}
        main = (well_known.get('json') or {}).get('m.server') if str(resolution['method']).startswith('well_known') else None
        stage = _well_known_stage(family, discovery)
        got, problem, failures = stage if stage is not None else (main, None, False)
        if got != main:
            if main is not None:
                reason = '%s: %s-only peers get no delegation to %s and fall back to SRV or port 8448 of %s' % (
                    problem, family, main, resolution['server_name'])
            else:
                reason = '%s: %s-only peers are delegated to %s, unlike the others' % (problem, family, got)
            verdicts[family] = (False, reason, failures or got is not None)
            continue
        addresses = [(target, address) for target in resolution.get('targets') or [] for address in target['addresses']
                     if ip_family(address) == family]
        if not addresses:
            if resolution['method'] in ('ip_literal', 'well_known_ip'):
                what = 'the server name' if resolution['method'] == 'ip_literal' else 'm.server'
                other = 'IPv6' if family == 'IPv4' else 'IPv4'
                reason = '%s is an %s address: %s-only peers cannot reach it' % (what, other, family)
            elif resolution.get('targets'):
                hosts = discovery.get('dns_result', {}).get('hosts') or {}
                reason = '; '.join(_no_address_reason(family, target['host'], hosts.get(target['host']))
                                   for target in resolution.get('targets'))
            else:
                reason = 'no target to connect to (%s)' % ', '.join(e['code'] for e in global_errors) if global_errors \
                    else 'no target to connect to'
            verdicts[family] = (False, reason, False)
            continue
        keys = []
        for target, address in addresses:
            key = format_host_port(address, target['port'])
            if key not in keys:
                keys.append(key)
        working = [key for key in keys if key in reports and not reports[key]['errors']]
        broken = ['%s: %s' % (key, conn_errors[key]['code'] if key in conn_errors else
                              ', '.join(sorted(set(e['code'] for e in reports[key]['errors']))))
                  for key in keys if key not in working and (key in conn_errors or key in reports)]
        if working and not global_errors:
            verdicts[family] = (True, '%s answer%s and pass%s every check%s' % (
                ', '.join(working), 's' if len(working) == 1 else '', 'es' if len(working) == 1 else '',
                ' (failing: %s)' % '; '.join(broken) if broken else ''), bool(broken))
        elif working:
            verdicts[family] = (False, '%s work, but %s' % (', '.join(working), '; '.join(
                '%s: %s' % (e['code'], e['message']) for e in global_errors)), False)
        else:
            verdicts[family] = (False, 'every %s address fails (%s)' % (family, '; '.join(broken) or 'not tested'),
                                True)
    return verdicts


def untested_report(server_name, error, reason, duration_ms=0):
    """The report of a server whose test did not happen or ended unexpectedly: ``error`` ({code, message}) says why,
    ``reason`` is what each address family says."""
    return {
        'server_name': server_name, 'federation_ok': False,
        'resolution': {'server_name': server_name, 'method': None, 'delegated_hostname': None, 'host_header': None,
                       'sni': None, 'targets': []},
        'well_known_result': None, 'dns_result': {'srv': {}, 'hosts': {}, 'cname_targets': []},
        'connection_reports': {}, 'connection_errors': {}, 'version': None,
        'families': dict((family, {'ok': False, 'reason': reason}) for family in _FAMILIES),
        'errors': [error], 'federation_warnings': [], 'duration_ms': duration_ms,
    }


def internal_error_report(server_name, exc, duration_ms=0):
    """The report of a run that failed unexpectedly: the failure is contained to that server."""
    return untested_report(server_name, finding('INTERNAL_ERROR', 'the test of %s failed unexpectedly: %s: %s'
                                                % (server_name, type(exc).__name__, exc)),
                           'the test failed unexpectedly', duration_ms)


def lost_report(server_name, reason):
    """The report of a server whose test never reported back (its process ended first): ``reason`` says how."""
    return untested_report(server_name, finding('INTERNAL_ERROR', 'the test of %s did not finish: %s'
                                                % (server_name, reason)), 'the test failed unexpectedly')


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
