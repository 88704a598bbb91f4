# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The N x N federation matrix: who reaches whom, seen from each homeserver (pure).

Federation breaks one-sidedly: example.org reaches example.net while
example.net's resolver, CA store or outbound firewall keeps it from reaching
example.org. check.yml runs the federation test from the controller and from
every homeserver; this turns those runs, and optionally each homeserver's
health (room versions, destinations it backs off from), into plain data that
``render.render_matrix_text`` prints.
"""

CONTROLLER = 'controller'
# check.yml's vantage when a checkers group tests the servers in the controller's stead (``checkers.py``).
CHECKERS = 'checkers'
ROOM_VERSION_UNSUPPORTED = 'ROOM_VERSION_UNSUPPORTED'
VANTAGE_TEST_FAILED = 'VANTAGE_TEST_FAILED'
SIGNED_REQUEST_NOT_RUN = 'SIGNED_REQUEST_NOT_RUN'


class MatrixInputError(ValueError):
    """The input is not in a shape the matrix is built from; the message says what was expected."""


def _type(value):
    return type(value).__name__


def _is_report(value):
    return isinstance(value, dict) and 'server_name' in value and 'federation_ok' in value


def _did_not_run(value):
    """A task result that tested nothing: skipped (switched off, nothing to test) or null."""
    return value is None or (isinstance(value, dict) and bool(value.get('skipped')))


def _run_failure(value):
    """The module's own failure (missing library, bad nameservers), registered with failed_when: false."""
    if isinstance(value, dict) and 'reports' not in value and not _is_report(value) and 'msg' in value:
        return str(value['msg'])
    return None


def _reports_of(vantage, value):
    """The list of reports one vantage point produced."""
    if isinstance(value, dict) and 'reports' in value:
        value = value['reports']
        if not isinstance(value, dict):
            raise MatrixInputError('vantage %r: reports must be a dict {server_name: report}, got %s' % (vantage, _type(value)))
        return list(value.values())
    if _is_report(value):
        return [value]
    if isinstance(value, dict) and value and all(_is_report(v) for v in value.values()):
        return list(value.values())
    if isinstance(value, list):
        return value
    raise MatrixInputError('vantage %r: expected a matrix_federation_test result (with reports), a report or a list of '
                           'reports, got %s' % (vantage, _type(value) if not isinstance(value, dict)
                                                else 'a dict with keys %s' % ', '.join(sorted(map(str, value))[:8])))


def _cell(vantage, index, report):
    if not isinstance(report, dict) or not isinstance(report.get('server_name'), str) or not report['server_name']:
        raise MatrixInputError('vantage %r: report %d is not a matrix_federation_test report (a dict with a server_name)'
                               % (vantage, index))
    errors = report.get('errors') or []
    if not isinstance(errors, list) or not all(isinstance(e, dict) and isinstance(e.get('code'), str) for e in errors):
        raise MatrixInputError('vantage %r: the errors of %s must be a list of {code, message}'
                               % (vantage, report['server_name']))
    codes = []
    for error in errors:
        if error['code'] not in codes:
            codes.append(error['code'])
    ok = bool(report.get('federation_ok'))
    message = str(errors[0].get('message', '')) if errors else ('' if ok else 'not federation_ok, no error given')
    return {'ok': ok, 'codes': codes, 'message': message}


def _named_cell(vantage, index, report):
    cell = _cell(vantage, index, report)
    return report['server_name'], cell


def _names(names):
    """'the controller, a.test and b.test'."""
    names = ['the %s' % n if n in (CONTROLLER, CHECKERS) else n for n in names]
    return names[0] if len(names) == 1 else '%s and %s' % (', '.join(names[:-1]), names[-1])


def _one_way(targets, vantages, cells):
    found = []
    for target in targets:
        tested = [(v, cells[v][target]) for v in vantages
                  if target in cells[v] and VANTAGE_TEST_FAILED not in cells[v][target]['codes']]
        ok_from = [v for v, cell in tested if cell['ok']]
        failing_from = [v for v, cell in tested if not cell['ok']]
        if ok_from and failing_from:
            found.append({'target': target, 'ok_from': ok_from, 'failing_from': failing_from,
                          'message': '%s is reached from %s but not from %s' % (target, _names(ok_from), _names(failing_from))})
    return found


def _asymmetric(vantages, cells):
    """Pairs of homeservers where one reaches the other and not the other way round ("we reach them, they
    cannot reach us"), named from the side that works. Vantages whose test could not run are not counted."""
    found = []
    for first in vantages:
        for second in vantages:
            there, back = cells[first].get(second), cells[second].get(first)
            if {first, second} & {CONTROLLER, CHECKERS} or there is None or back is None:
                continue
            if there['ok'] and not back['ok'] and VANTAGE_TEST_FAILED not in back['codes']:
                found.append({'reaches': first, 'not_reached_from': second, 'codes': back['codes'],
                              'message': '%s reaches %s, but %s cannot reach %s (%s)'
                                         % (first, second, second, first, ', '.join(back['codes']) or 'no code')})
    return found


def _version_key(version):
    return (0, int(version), '') if version.isdigit() else (1, 0, version)


def version_ranges(versions):
    """Room versions as ranges: ['1', '2', '3', '5', 'org.x'] -> '1-3, 5, org.x'."""
    ordered = sorted(set(versions), key=_version_key)
    numbers = [int(v) for v in ordered if v.isdigit()]
    parts, start = [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            parts.append(str(start) if start == number else '%d-%d' % (start, number))
            start = None
    return ', '.join(parts + [v for v in ordered if not v.isdigit()]) or 'no room version'


def _health_of(server, value):
    """{default, available, backing_off} of one homeserver's matrix_homeserver_health result."""
    versions = value.get('room_versions')
    if not isinstance(versions, dict) or not isinstance(versions.get('available'), dict):
        raise MatrixInputError('health of %r: room_versions must be {default, available: {version: stability}}, got %s'
                               % (server, _type(versions)))
    default = versions.get('default')
    if default is not None and not isinstance(default, (str, int)):
        raise MatrixInputError('health of %r: room_versions.default must be a version string, got %s' % (server, _type(default)))
    destinations = value.get('destinations')
    backing_off = destinations.get('backing_off') if isinstance(destinations, dict) else None
    if destinations is not None and not (isinstance(backing_off, list) and all(isinstance(d, dict) for d in backing_off)):
        raise MatrixInputError('health of %r: destinations must be null or {backing_off: [destinations]} as '
                               'matrix_homeserver_health returns it, got %s' % (server, _type(destinations)))
    for entry in backing_off or []:
        interval = entry.get('retry_interval_ms')
        if interval is not None and (isinstance(interval, bool) or not isinstance(interval, (int, float))):
            raise MatrixInputError('health of %r: retry_interval_ms of destination %r must be a number, got %s'
                                   % (server, entry.get('destination'), _type(interval)))
    return {'default': None if default is None else str(default),
            'available': dict((str(k), str(v)) for k, v in versions['available'].items()),
            'backing_off': backing_off or []}


def _common_stable(first, second):
    common = [v for v in first['available'] if first['available'][v] == 'stable' and second['available'].get(v) == 'stable']
    return max(common, key=_version_key) if common else None


def _room_version_conflicts(health):
    conflicts = []
    for creator, created in health.items():
        for joiner, joining in health.items():
            version = created['default']
            if creator == joiner or version is None or version in joining['available']:
                continue
            shared = _common_stable(created, joining)
            fix = ('create shared rooms with room_version %s or set default_room_version to %s on %s'
                   % (shared, shared, creator) if shared else 'they share no stable room version: upgrade %s' % joiner)
            conflicts.append({
                'code': ROOM_VERSION_UNSUPPORTED, 'creator': creator, 'joiner': joiner, 'version': version,
                'message': 'rooms created on %s use version %s by default; %s supports %s: %s'
                           % (creator, version, joiner, version_ranges(joining['available']), fix)})
    return conflicts


def _health(health):
    if health is None:
        return {}, {}
    if not isinstance(health, dict):
        raise MatrixInputError('health must be a dict {server_name: matrix_homeserver_health result}, got %s' % _type(health))
    parsed, failures = {}, {}
    for server, value in health.items():
        if _did_not_run(value):
            continue
        if not isinstance(value, dict):
            raise MatrixInputError('health of %r: expected a matrix_homeserver_health result, got %s' % (server, _type(value)))
        failure = _run_failure(value) if 'room_versions' not in value else None
        if failure is not None:
            failures[str(server)] = failure
        else:
            parsed[str(server)] = _health_of(server, value)
    return parsed, failures


def _signed_cell(origin, peer, value):
    if not isinstance(value, dict) or not isinstance(value.get('accepted'), bool):
        raise MatrixInputError('signed requests of %r: peer %r must be {accepted, errors} as matrix_signed_request '
                               'returns it, got %s' % (origin, peer, _type(value)))
    errors = value.get('errors') or []
    if not isinstance(errors, list) or not all(isinstance(e, dict) and isinstance(e.get('code'), str) for e in errors):
        raise MatrixInputError('signed requests of %r: the errors of %r must be a list of {code, message}' % (origin, peer))
    codes = []
    for error in errors:
        if error['code'] not in codes:
            codes.append(error['code'])
    message = str(errors[0].get('message', '')) if errors else ('' if value['accepted'] else 'not accepted, no error given')
    return {'ok': value['accepted'], 'codes': codes, 'message': message}


def _signed(signed):
    """``{origin: {peer: cell}}`` and the failures of runs that did not happen, from matrix_signed_request results."""
    if signed is None:
        return {}, {}
    if not isinstance(signed, dict):
        raise MatrixInputError('signed must be a dict {server_name: matrix_signed_request result}, got %s' % _type(signed))
    cells, failures = {}, {}
    for origin, value in signed.items():
        if _did_not_run(value):
            continue
        if not isinstance(value, dict):
            raise MatrixInputError('signed requests of %r: expected a matrix_signed_request result, got %s'
                                   % (origin, _type(value)))
        if not isinstance(value.get('peers'), dict):
            failures[str(origin)] = _run_failure(value) or 'no peers in the result'
            continue
        cells[str(origin)] = dict((str(peer), _signed_cell(origin, peer, cell)) for peer, cell in value['peers'].items())
    return cells, failures


def build_federation_matrix(results, health=None, signed=None):
    """The matrix from ``{vantage: batch result | report | [reports]}`` and optional ``{server: health result}``.

    Vantage ``controller`` comes first, the others in the order given; a
    server is never a target of its own vantage point. Skipped results (a
    vantage that did not test) are left out; a vantage whose test could not
    run fails every cell with ``VANTAGE_TEST_FAILED``. ``ok`` is true when no
    direction fails (room-version conflicts and back-off do not change it)
    and, with ``signed`` (``{server: matrix_signed_request result}``), every
    peer accepted each homeserver's signed request. Raises
    ``MatrixInputError`` for input in any other shape.
    """
    if not isinstance(results, dict):
        raise MatrixInputError('expected a dict {vantage: matrix_federation_test result}, got %s' % _type(results))
    reports, failures = {}, {}
    for vantage, value in results.items():
        if not isinstance(vantage, str) or not vantage:
            raise MatrixInputError('vantage names must be non-empty strings, got %r' % (vantage,))
        if _did_not_run(value):
            continue
        failure = _run_failure(value)
        if failure is not None:
            failures[vantage] = failure
            continue
        reports[vantage] = [_named_cell(vantage, index, report) for index, report in enumerate(_reports_of(vantage, value))]
    vantages = ([CONTROLLER] if CONTROLLER in reports or CONTROLLER in failures else []) + [
        v for v in results if v != CONTROLLER and (v in reports or v in failures)]
    seen = [name for v in vantages for name, _unused in reports.get(v, ())]
    targets = [v for v in vantages if v in seen] + [t for i, t in enumerate(seen) if t not in vantages and t not in seen[:i]]
    cells = {}
    for vantage in vantages:
        row = cells[vantage] = {}
        row.update((name, cell) for name, cell in reports.get(vantage, ()) if name != vantage)
        if vantage in failures:
            message = 'matrix_federation_test could not run on %s: %s' % (vantage, failures[vantage])
            row.update((t, {'ok': False, 'codes': [VANTAGE_TEST_FAILED], 'message': message}) for t in targets if t != vantage)
    failing = [{'from': v, 'to': t, 'codes': cells[v][t]['codes'], 'message': cells[v][t]['message']}
               for v in vantages for t in targets if t in cells[v] and not cells[v][t]['ok']]
    parsed, health_errors = _health(health)
    signed_cells, signed_errors = _signed(signed)
    signed_failing = [{'from': origin, 'to': peer, 'codes': cell['codes'], 'message': cell['message']}
                      for origin, row in signed_cells.items() for peer, cell in row.items() if not cell['ok']]
    signed_failing.extend({'from': origin, 'to': None, 'codes': [SIGNED_REQUEST_NOT_RUN],
                           'message': 'matrix_signed_request could not run on %s: %s' % (origin, message)}
                          for origin, message in signed_errors.items())
    return {
        'ok': not failing and not signed_failing, 'vantages': vantages, 'targets': targets, 'cells': cells, 'failing': failing,
        'one_way': _one_way(targets, vantages, cells),
        'asymmetric': _asymmetric(vantages, cells),
        'room_versions': dict((s, {'default': h['default'], 'available': h['available']}) for s, h in parsed.items()),
        'room_version_conflicts': _room_version_conflicts(parsed),
        'backing_off': dict((s, h['backing_off']) for s, h in parsed.items() if h['backing_off']),
        'health_errors': health_errors,
        'signed': signed_cells,
        'signed_failing': signed_failing,
    }


_MATRIX_KEYS = ('vantages', 'targets', 'cells', 'failing')


def check_matrix(matrix):
    """Raise ``MatrixInputError`` unless ``matrix`` is what ``build_federation_matrix`` returns."""
    if not isinstance(matrix, dict) or not all(key in matrix for key in _MATRIX_KEYS):
        raise MatrixInputError('expected the output of matrix.federation.federation_matrix (a dict with %s), got %s'
                               % (', '.join(_MATRIX_KEYS), _type(matrix)))
    if not isinstance(matrix['cells'], dict) or not all(isinstance(row, dict) for row in matrix['cells'].values()):
        raise MatrixInputError('cells must be {vantage: {target: {ok, codes, message}}}')
