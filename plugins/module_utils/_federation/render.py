# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render federation reports as JUnit XML and Prometheus textfile format (pure).

Reports carry text the tested peer chose (version strings, names, messages
quoting its answers), so every string is made safe here: XML gets only the
characters XML 1.0 allows, Prometheus label values only escaped UTF-8.
"""

import re
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import CHECK_NAMES


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
    if isinstance(reports, dict) and 'federation_ok' in reports:
        return [reports]
    if isinstance(reports, dict):
        return list(reports.values())
    return list(reports or [])


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
    """Prometheus textfile-collector format: federation_ok, each check, cert expiry days, counts, duration."""
    metrics = {
        'matrix_federation_ok': ('gauge', '1 when federation with the server works', []),
        'matrix_federation_check': ('gauge', '1 when the check passed on the address', []),
        'matrix_federation_cert_expiry_days': ('gauge', 'days until the leaf certificate expires', []),
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
