# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render federation reports as JUnit XML, Prometheus textfile format and text, the federation matrix as text (pure).

The HTML page and the Markdown summary are in ``render_html`` and ``render_markdown``.

Reports carry text the tested peer chose (version strings, names, messages
quoting its answers), so every string is made safe here: XML gets only the
characters XML 1.0 allows, Prometheus label values only escaped UTF-8.
"""

import re
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.matrix.federation.plugins.module_utils._federation.federation_matrix import check_matrix
from ansible_collections.matrix.federation.plugins.module_utils._federation.render_outline import (
    GO_CHECK_NAMES,
    NO_ENTRY,
    catalogue_entry,
    duration_text,
    outline_reports,
    report_list,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import CHECK_NAMES, GO_CHECKS


# Everything outside XML 1.0's Char production: C0 controls but tab, newline and carriage return; lone
# surrogates; U+FFFE and U+FFFF.
_NOT_XML_CHAR = re.compile(r'[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
# Prometheus label values are UTF-8 with three escapes; other controls (a carriage return would end the
# line for some readers) and lone surrogates (not encodable as UTF-8) are replaced.
_NOT_LABEL_CHAR = re.compile(r'[\x00-\x09\x0b-\x1f\x7f\ud800-\udfff]')
REPLACEMENT = '\ufffd'


def _xml_text(value):
    """Element content: forbidden characters replaced, markup escaped, CR kept as a reference (not normalised)."""
    return escape(_NOT_XML_CHAR.sub(REPLACEMENT, str(value)), {'\r': '&#13;'})


def _xml_attr(value):
    """A quoted attribute value: forbidden characters replaced; tab, newline and CR kept as references."""
    return quoteattr(_NOT_XML_CHAR.sub(REPLACEMENT, str(value)), {'\r': '&#13;'})


def _as_list(reports):
    return report_list(reports)


def render_junit(reports):
    """JUnit XML: one testsuite per server, one testcase per check and address, plus resolution and version."""
    suites = []
    total_tests = total_failures = 0
    for report in _as_list(reports):
        name = report.get('server_name', '?')
        cases = []
        resolution = report.get('resolution') or {}
        resolution_errors = [e for e in report.get('errors', [])
                             if not e['code'].startswith(('KEYS_', 'CERT_', 'VERSION_', 'CONNECTION_', 'TLS_'))]
        cases.append(('resolution', 'method=%s' % resolution.get('method'), resolution_errors))
        for key in sorted(report.get('connection_errors') or {}):
            err = report['connection_errors'][key]
            cases.append(('connection %s' % key, '', [err]))
        for key in sorted(report.get('connection_reports') or {}):
            conn = report['connection_reports'][key]
            for check in CHECK_NAMES:
                ok = (conn.get('checks') or {}).get(check)
                failures = [] if ok else [{'code': check.upper(), 'message': '; '.join(
                    e['message'] for e in conn.get('errors', [])) or '%s failed' % check}]
                cases.append(('%s %s' % (key, check), '', failures))
        version = report.get('version') or {}
        cases.append(('version', '%s %s' % (version.get('name'), version.get('version')),
                      [e for e in report.get('errors', []) if e['code'].startswith('VERSION_')]))
        failures = sum(1 for case in cases if case[2])
        total_tests += len(cases)
        total_failures += failures
        lines = ['  <testsuite name=%s tests="%d" failures="%d" time="%.3f">'
                 % (_xml_attr(name), len(cases), failures, (report.get('duration_ms') or 0) / 1000.0)]
        for case_name, output, errors in cases:
            lines.append('    <testcase classname=%s name=%s>' % (_xml_attr('federation.' + name), _xml_attr(case_name)))
            for err in errors:
                lines.append('      <failure type=%s message=%s/>' % (_xml_attr(err['code']), _xml_attr(err['message'])))
            if output:
                lines.append('      <system-out>%s</system-out>' % _xml_text(output))
            lines.append('    </testcase>')
        for warning in report.get('federation_warnings', []):
            lines.append('    <system-err>%s</system-err>' % _xml_text('%s: %s' % (warning['code'], warning['message'])))
        lines.append('  </testsuite>')
        suites.append('\n'.join(lines))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="matrix federation" tests="%d" failures="%d">\n%s\n'
            '</testsuites>\n' % (total_tests, total_failures, '\n'.join(suites)))


def _label(value):
    text = _NOT_LABEL_CHAR.sub(REPLACEMENT, str(value))
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def _number(value):
    """A sample value: a float as the format writes it (``NaN`` for anything that is not a number)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 'NaN'
    return {float('inf'): '+Inf', float('-inf'): '-Inf'}.get(number, repr(number))


def render_prometheus(reports):
    """Prometheus textfile-collector format: federation_ok, each check, cert expiry days, each IP family, counts, duration."""
    metrics = {
        'matrix_federation_ok': ('gauge', '1 when federation with the server works', []),
        'matrix_federation_check': ('gauge', '1 when the check passed on the address', []),
        'matrix_federation_cert_expiry_days': ('gauge', 'days until the leaf certificate expires', []),
        'matrix_federation_family_ok': ('gauge', '1 when a peer of that IP family alone federates with the server', []),
        'matrix_federation_errors': ('gauge', 'number of errors in the report', []),
        'matrix_federation_warnings': ('gauge', 'number of warnings in the report', []),
        'matrix_federation_duration_seconds': ('gauge', 'duration of the test', []),
    }
    for report in _as_list(reports):
        server = _label(report.get('server_name', '?'))
        metrics['matrix_federation_ok'][2].append('{server_name=%s} %d' % (server, 1 if report.get('federation_ok') else 0))
        for key in sorted(report.get('connection_reports') or {}):
            conn = report['connection_reports'][key]
            for check in CHECK_NAMES:
                metrics['matrix_federation_check'][2].append('{server_name=%s,address=%s,check=%s} %d' % (
                    server, _label(key), _label(check), 1 if (conn.get('checks') or {}).get(check) else 0))
            certs = conn.get('certificates') or []
            if certs:
                metrics['matrix_federation_cert_expiry_days'][2].append('{server_name=%s,address=%s} %s' % (
                    server, _label(key), _number(certs[0].get('days_until_expiry'))))
        for family, verdict in sorted((report.get('families') or {}).items()):
            metrics['matrix_federation_family_ok'][2].append('{server_name=%s,family=%s} %d' % (
                server, _label(family), 1 if (verdict or {}).get('ok') else 0))
        metrics['matrix_federation_errors'][2].append('{server_name=%s} %d' % (server, len(report.get('errors', []))))
        metrics['matrix_federation_warnings'][2].append('{server_name=%s} %d' % (
            server, len(report.get('federation_warnings', []))))
        metrics['matrix_federation_duration_seconds'][2].append('{server_name=%s} %.3f' % (
            server, (report.get('duration_ms') or 0) / 1000.0))
    out = []
    for name, (kind, help_text, samples) in metrics.items():
        out.append('# HELP %s %s' % (name, help_text))
        out.append('# TYPE %s %s' % (name, kind))
        out.extend(name + sample for sample in samples)
    return '\n'.join(out) + '\n'


# Text lines for a terminal: control characters (a newline would break the table) and lone surrogates replaced.
_NOT_PLAIN_CHAR = re.compile(r'[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]')


def _plain(value):
    return _NOT_PLAIN_CHAR.sub(REPLACEMENT, str(value))


def _interval(milliseconds):
    seconds = int(milliseconds) // 1000
    if seconds < 120:
        return '%d s' % seconds
    return '%d min' % (seconds // 60) if seconds < 7200 else '%.1f h' % (seconds / 3600.0)


def _cache_line(well_known):
    """How long a change of the well-known takes to reach peers (Synapse's cache), or ``None``."""
    cache = well_known.get('cache')
    if not cache:
        return None
    lifetime = duration_text(cache['lifetime_s'])
    if cache['source'] == 'error':
        return ('well-known cache: no delegation, peers remember that for %s: a new or repaired well-known reaches '
                'them within %s' % (lifetime, lifetime))
    why = {'max-age': 'Cache-Control max-age', 'expires': 'Expires', 'no-store': 'Cache-Control no-store',
           'default': 'no cache headers: the default'}.get(cache['source'], _plain(cache['source']))
    line = 'well-known cache: peers keep the delegation %s (%s%s): a change of m.server reaches them within %s' % (
        lifetime, why, ', kept within 5 min..48 h from %s' % duration_text(max(0, cache['requested_s'] or 0))
        if cache.get('capped') else '', lifetime)
    return line


def render_report_text(report, catalogue=None):
    """One server's report as lines for a terminal: the verdict, each IP family, the well-known, the connections.

    Says what an IPv4-only and an IPv6-only peer get (``families``), what
    every address of the well-known host answers, how long peers keep the
    well-known answer, the targets connected to, each connection's checks
    (the failing ones by their Go tester name) and media route, then the
    errors and warnings. With ``catalogue`` (``catalogue.load_catalogue()``)
    each error is followed by its cause and fix, each warning by its fix (a
    code the catalogue lacks: "no catalogue entry").
    """
    resolution = report.get('resolution') or {}
    lines = ['%s: federation %s (resolution: %s%s)' % (
        _plain(report.get('server_name', '?')), 'ok' if report.get('federation_ok') else 'FAILS',
        _plain(resolution.get('method')), ', delegated to %s' % _plain(resolution['delegated_hostname'])
        if resolution.get('delegated_hostname') else '')]
    for family in ('IPv4', 'IPv6'):
        verdict = (report.get('families') or {}).get(family)
        if verdict:
            lines.append('  %s-only peers: %s: %s' % (family, 'ok' if verdict['ok'] else 'FAIL', _plain(verdict['reason'])))
    well_known = report.get('well_known_result') or {}
    for ip, outcome in sorted((well_known.get('by_address') or {}).items()):
        lines.append('  well-known from %s: %s' % (_plain(ip), _plain(
            'm.server %s' % outcome['m_server'] if outcome.get('m_server') else 'no delegation (%s%s)' % (
                outcome.get('error'), ', HTTP %s' % outcome['status'] if outcome.get('status') else ''))))
    cache = _cache_line(well_known)
    if cache:
        lines.append('  ' + cache)
    for target in resolution.get('targets') or []:
        srv = ' (SRV priority %s, weight %s)' % (target.get('priority'), target.get('weight')) \
            if target.get('priority') is not None else ''
        lines.append('  target %s%s: %s' % (_plain(format_target(target)), srv, _plain(
            ', '.join(str(a) for a in target.get('addresses') or []) or 'no address')))
    for key in sorted(report.get('connection_reports') or {}):
        conn = report['connection_reports'][key]
        media = conn.get('media') or {}
        checks = conn.get('checks') or {}
        lines.append('  %s: %s, media route: %s' % (
            _plain(key), 'all checks ok' if checks.get('all_checks_ok') else 'checks FAIL',
            _plain(media.get('verdict', 'not asked'))))
        failing = [GO_CHECK_NAMES[check] for check in GO_CHECKS if checks.get(check) is not True]
        if not checks.get('all_checks_ok') and failing:
            lines.append('    failing checks: %s' % ', '.join(failing))
    for key in sorted(report.get('connection_errors') or {}):
        lines.append('  %s: %s' % (_plain(key), _plain(report['connection_errors'][key]['code'])))
    for error in report.get('errors') or []:
        lines.append('  error %s: %s' % (_plain(error['code']), _plain(error['message'])))
        lines.extend(_catalogue_lines(catalogue, error, ('cause', 'fix')))
    for warning in report.get('federation_warnings') or []:
        lines.append('  warning %s: %s' % (_plain(warning['code']), _plain(warning['message'])))
        lines.extend(_catalogue_lines(catalogue, warning, ('fix',)))
    return lines


def format_target(target):
    """``host:port`` of a resolution target (IPv6 hosts in brackets)."""
    host = str(target.get('host'))
    return '%s:%s' % ('[%s]' % host if ':' in host else host, target.get('port'))


def _catalogue_lines(catalogue, finding, parts):
    if catalogue is None:
        return []
    entry = catalogue_entry(catalogue, finding)
    if not entry['known']:
        return ['    ' + NO_ENTRY]
    return ['    %s: %s' % (part, _plain(entry[part])) for part in parts if entry[part]]


def render_reports_text(reports, catalogue=None):
    """One report or several as text (a string): for several, one line per server first, then each server.

    Each server is ``render_report_text`` with the catalogue's causes and fixes.
    """
    outlines = outline_reports(reports, catalogue)
    lines = []
    if len(outlines) > 1:
        failing = sum(1 for o in outlines if not o['ok'])
        lines.append('%d servers: %d federate, %d fail' % (len(outlines), len(outlines) - failing, failing))
        width = max(len(_plain(o['server_name'])) for o in outlines)
        for o in outlines:
            lines.append('  %s  %-9s %d error(s), %d warning(s)%s' % (
                _plain(o['server_name']).ljust(width), o['verdict'], o['error_count'], o['warning_count'],
                ': ' + _plain(', '.join(o['error_codes'])) if o['error_codes'] else ''))
        lines.append('')
    for index, report in enumerate(report_list(reports)):
        if index:
            lines.append('')
        lines.extend(render_report_text(report, catalogue if catalogue is not None else {}))
    return '\n'.join(lines) + '\n' if lines else 'no report\n'


def render_matrix_text(matrix):
    """The federation matrix as lines: a table (rows: from, columns: to), then failing directions, one-way
    failures, room-version conflicts, back-off and health checks that failed.

    ``matrix`` is what ``federation_matrix.build_federation_matrix`` returns.
    """
    check_matrix(matrix)
    vantages = [_plain(v) for v in matrix['vantages']]
    targets = [_plain(t) for t in matrix['targets']]
    failing = matrix.get('failing') or []
    lines = ['federation matrix: %d vantage point(s), %d server(s), %s' % (
        len(vantages), len(targets), '%d failing direction(s)' % len(failing) if failing else 'every direction ok')]
    corner = 'from / to'
    first = max([len(corner)] + [len(v) for v in vantages])
    widths = [max(len(t), 4) for t in targets]
    lines.append('  '.join([corner.ljust(first)] + [t.ljust(w) for t, w in zip(targets, widths)]).rstrip())
    for vantage, row in zip(matrix['vantages'], vantages):
        cells = matrix['cells'].get(vantage) or {}
        marks = []
        for target, width in zip(matrix['targets'], widths):
            cell = cells.get(target)
            marks.append(('-' if not isinstance(cell, dict) else 'ok' if cell.get('ok') else 'FAIL').ljust(width))
        lines.append('  '.join([row.ljust(first)] + marks).rstrip())
    for entry in failing:
        codes = ', '.join(_plain(c) for c in entry.get('codes') or []) or 'no code'
        lines.append('FAIL %s -> %s: %s: %s' % (_plain(entry['from']), _plain(entry['to']), codes,
                                                _plain(entry.get('message') or 'no message')))
    lines.extend('one-way: %s' % _plain(entry['message']) for entry in matrix.get('one_way') or [])
    lines.extend('asymmetric: %s' % _plain(entry['message']) for entry in matrix.get('asymmetric') or [])
    lines.extend('%s: %s' % (_plain(entry['code']), _plain(entry['message'])) for entry in matrix.get('room_version_conflicts') or [])
    for server, destinations in sorted((matrix.get('backing_off') or {}).items()):
        lines.append('%s backs off from %s' % (_plain(server), ', '.join(
            '%s (retry interval %s)' % (_plain(d.get('destination')), _interval(d.get('retry_interval_ms') or 0))
            for d in destinations)))
    lines.extend('health check failed on %s: %s' % (_plain(server), _plain(message))
                 for server, message in sorted((matrix.get('health_errors') or {}).items()))
    for origin, row in sorted((matrix.get('signed') or {}).items()):
        lines.append('signed requests from %s: %s' % (_plain(origin), ', '.join(
            '%s %s' % (_plain(peer), 'accepted' if cell.get('ok') else 'REJECTED') for peer, cell in sorted(row.items()))))
    for entry in matrix.get('signed_failing') or []:
        codes = ', '.join(_plain(c) for c in entry.get('codes') or []) or 'no code'
        lines.append('SIGNED %s -> %s: %s: %s' % (_plain(entry['from']), _plain(entry['to'] or 'its peers'), codes,
                                                  _plain(entry.get('message') or 'no message')))
    return lines
