# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""homeserver_health.py: the pure parsing and choices, then the client against a loopback Synapse / Dendrite."""

import os
import re
import socket
import threading
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import homeserver_health as hh
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.modules import matrix_homeserver_health
from ansible_collections.matrix.federation.tests.unit.servers.homeserver_api import ADMIN_TOKEN, USER_TOKEN
from ansible_collections.matrix.federation.tests.unit.servers import lab

NOW = 1764680000000


def backing_off(interval=600000, last=NOW - 1000, failure=NOW - 3600000):
    return {'retry_last_ts': last, 'retry_interval': interval, 'failure_ts': failure}


# --------------------------------------------------------------------------- pure functions

def test_destination_record_backing_off_gives_the_next_retry_in_ms_and_iso():
    record = hh.destination_record({'destination': 'a.example', 'retry_last_ts': NOW, 'retry_interval': 600000,
                                    'failure_ts': NOW - 1000, 'last_successful_stream_ordering': 7}, NOW)
    assert record == {'destination': 'a.example', 'backing_off': True, 'retry_interval_ms': 600000,
                      'retry_last_ts': NOW, 'failure_ts': NOW - 1000, 'failure_time': '2025-12-02T12:53:19Z',
                      'next_retry_ts': NOW + 600000, 'next_retry_time': '2025-12-02T13:03:20Z', 'retry_due': False,
                      'last_successful_stream_ordering': 7}
    assert hh.destination_record({'destination': 'a', 'retry_last_ts': NOW - 10, 'retry_interval': 5}, NOW)['retry_due']


def test_destination_record_healthy_has_no_next_retry():
    record = hh.destination_record({'destination': 'ok.example', 'retry_last_ts': 0, 'retry_interval': 0,
                                    'failure_ts': None, 'last_successful_stream_ordering': None}, NOW)
    assert record['backing_off'] is False and record['next_retry_ts'] is None and record['retry_due'] is None
    assert record['retry_last_ts'] is None and record['failure_time'] is None


def test_times_no_calendar_holds_have_no_iso_form():
    record = hh.destination_record({'destination': 'a', 'retry_last_ts': 10 ** 20, 'retry_interval': 1,
                                    'failure_ts': -10 ** 20}, NOW)
    assert record['next_retry_ts'] == 10 ** 20 + 1 and record['next_retry_time'] is None
    assert record['failure_time'] is None and hh.iso_time(0) == '1970-01-01T00:00:00Z'


@pytest.mark.parametrize('entry', [None, {}, {'destination': 5}, {'destination': 'a', 'retry_interval': '60'},
                                   {'destination': 'a', 'retry_interval': True}])
def test_destination_record_refuses_wrong_shapes(entry):
    with pytest.raises(FederationError) as info:
        hh.destination_record(entry, NOW)
    assert info.value.code == 'HEALTH_INVALID_JSON'


@pytest.mark.parametrize('document', [{}, {'destinations': [], 'total': '1'}, {'destinations': {}, 'total': 0},
                                      {'destinations': [], 'total': 2, 'next_token': 'x'}])
def test_destinations_page_refuses_wrong_shapes(document):
    with pytest.raises(FederationError) as info:
        hh.parse_destinations_page(document)
    assert info.value.code == 'HEALTH_INVALID_JSON'


def test_room_versions_parsed_and_wrong_shapes_refused():
    document = {'capabilities': {'m.room_versions': {'default': '12', 'available': {'12': 'stable'}}}}
    assert hh.parse_room_versions(document) == {'default': '12', 'available': {'12': 'stable'}}
    for bad in ({}, {'capabilities': []}, {'capabilities': {'m.room_versions': {'default': 12, 'available': {}}}},
                {'capabilities': {'m.room_versions': {'default': '1', 'available': {'1': 1}}}}):
        with pytest.raises(FederationError) as info:
            hh.parse_room_versions(bad)
        assert info.value.code == 'HEALTH_INVALID_JSON'


def test_select_resets_keeps_only_backing_off_and_warns_about_unknown_names():
    records = [hh.destination_record(dict(backing_off(), destination=name), NOW) for name in ('a', 'b')]
    records.append(hh.destination_record({'destination': 'ok', 'retry_interval': 0}, NOW))
    assert hh.select_resets(records, None) == (['a', 'b'], [])
    names, warnings = hh.select_resets(records, ['b', 'ok', 'nowhere.example'])
    assert names == ['b']
    assert [w['code'] for w in warnings] == ['HEALTH_DESTINATION_UNKNOWN'] and 'nowhere.example' in warnings[0]['message']


@pytest.mark.parametrize('url', ['ftp://127.0.0.1', 'http://', '127.0.0.1:8008', 'http://h:99999', 'http://h/?x=1'])
def test_base_url_must_be_http_or_https(url):
    with pytest.raises(FederationError) as info:
        hh.AdminClient(url, ADMIN_TOKEN)
    assert info.value.code == 'HEALTH_INVALID_BASE_URL'


@pytest.mark.parametrize('token', ['', 'abc def', 'abc\r\nX-Injected: 1', 'jeton\u00e9'])
def test_token_a_header_cannot_carry_is_refused_without_quoting_it(token):
    with pytest.raises(FederationError) as info:
        hh.AdminClient('http://127.0.0.1:8008', token)
    assert info.value.code == 'HEALTH_INVALID_TOKEN'
    assert not token or token not in info.value.message


# --------------------------------------------------------------------------- against a loopback server

def run(server, token=ADMIN_TOKEN, **kwargs):
    return hh.homeserver_health(hh.AdminClient(server.base_url, token, timeout=5), NOW, **kwargs)


def test_synapse_report_reads_every_page(fake_homeserver, monkeypatch):
    monkeypatch.setattr(hh, 'DESTINATIONS_PAGE', 3)
    destinations = {'d%02d.example' % i: {} for i in range(8)}
    destinations['d05.example'] = backing_off()
    server = fake_homeserver('synapse', destinations)
    result = run(server, server_name='hs.example')
    assert result['implementation'] == 'synapse' and result['server_version'] == '1.163.0'
    assert result['admin_api'] == {'name': 'synapse', 'server_version': '1.163.0'}
    assert result['room_versions']['default'] == '12'
    assert result['destinations']['total'] == 8 and result['destinations']['read'] == 8
    assert [d['destination'] for d in result['destinations']['backing_off']] == ['d05.example']
    pages = [path for method, path in server.requests if '/destinations?' in path]
    assert len(pages) == 3 and 'from=6' in pages[-1]
    assert [w['code'] for w in result['federation_warnings']] == ['HEALTH_BACKING_OFF']
    assert 'hs.example' in result['federation_warnings'][0]['message']


def test_destinations_over_the_cap_are_cut_with_a_warning(fake_homeserver, monkeypatch):
    monkeypatch.setattr(hh, 'DESTINATIONS_PAGE', 2)
    monkeypatch.setattr(hh, 'MAX_DESTINATIONS', 5)
    server = fake_homeserver('synapse', {'d%d' % i: {} for i in range(9)})
    client = hh.AdminClient(server.base_url, ADMIN_TOKEN)
    records, total, truncated = hh.read_destinations(client, NOW, max_destinations=5, page=2)
    assert (len(records), total, truncated) == (5, 9, True)
    assert [path for method, path in server.requests][-1].endswith('from=4&limit=1')
    result = run(server)
    assert result['destinations']['truncated'] is True
    assert 'HEALTH_DESTINATIONS_CUT' in [w['code'] for w in result['federation_warnings']]


def test_next_token_that_does_not_move_is_refused_not_looped(fake_homeserver):
    server = fake_homeserver('synapse')
    server.overrides[hh.DESTINATIONS_PATH] = (200, {'destinations': [{'destination': 'a'}], 'total': 5, 'next_token': '0'})
    with pytest.raises(FederationError) as info:
        run(server)
    assert info.value.code == 'HEALTH_INVALID_JSON'


def test_reset_then_again_changes_nothing(fake_homeserver):
    server = fake_homeserver('synapse', {'a.example': backing_off(), 'b.example': backing_off(), 'ok.example': {}})
    first = run(server, reset_backoff=True)
    assert first['reset'] == ['a.example', 'b.example'] and server.resets() == ['a.example', 'b.example']
    assert set(server.bodies) == {b'{}'}
    assert [w['code'] for w in first['federation_warnings']] == []
    second = run(server, reset_backoff=True)
    assert second['reset'] == [] and server.resets() == ['a.example', 'b.example']


def test_check_mode_reports_and_posts_nothing(fake_homeserver):
    server = fake_homeserver('synapse', {'a.example': backing_off(), 'ok.example': {}})
    result = run(server, reset_backoff=True, check_mode=True)
    assert result['reset'] == ['a.example'] and server.resets() == []


def test_reset_race_synapse_400_is_a_warning(fake_homeserver):
    server = fake_homeserver('synapse', {'a.example': backing_off(), 'b.example': backing_off()})
    real_route = server.route

    def route(method, path, authorization):
        if method == 'POST' and 'a.example' in path:
            server.destinations['a.example'] = {}  # a send succeeded meanwhile
        return real_route(method, path, authorization)
    server.route = route
    result = run(server, reset_backoff=True)
    assert result['reset'] == ['b.example']
    assert [w['code'] for w in result['federation_warnings']] == ['HEALTH_RESET_NOT_NEEDED']


def test_reset_failure_says_what_was_reset_before(fake_homeserver):
    server = fake_homeserver('synapse', {'a.example': backing_off(), 'b.example': backing_off()})
    server.overrides[hh.DESTINATIONS_PATH + '/b.example/reset_connection'] = (500, {'errcode': 'M_UNKNOWN', 'error': 'db'})
    with pytest.raises(FederationError) as info:
        run(server, reset_backoff=True)
    assert info.value.code == 'HEALTH_RESET_FAILED' and info.value.reset == ['a.example']
    assert 'a.example' in info.value.message


def test_unknown_token_and_non_admin_are_coded(fake_homeserver):
    server = fake_homeserver('synapse', {'a.example': backing_off()})
    with pytest.raises(FederationError) as info:
        run(server, token='syt_nobody_0000')
    assert info.value.code == 'HEALTH_TOKEN_REJECTED' and 'M_UNKNOWN_TOKEN' in info.value.message
    with pytest.raises(FederationError) as info:
        run(server, token=USER_TOKEN)
    assert info.value.code == 'HEALTH_NOT_ADMIN' and 'not a server admin' in info.value.message


def test_dendrite_has_no_destinations_and_refuses_reset(fake_homeserver):
    server = fake_homeserver('dendrite')
    result = run(server)
    assert result['implementation'] == 'dendrite' and result['server_version'] == '0.13.8'
    assert result['destinations'] is None and result['admin_api'] is None and result['reset'] == []
    assert result['room_versions']['default'] == '10'
    assert [w['code'] for w in result['federation_warnings']] == ['HEALTH_NO_DESTINATIONS_API']
    with pytest.raises(FederationError) as info:
        run(server, reset_backoff=True)
    assert info.value.code == 'HEALTH_RESET_UNSUPPORTED'
    assert not [path for method, path in server.requests if method == 'POST']


def test_forced_implementations(fake_homeserver):
    dendrite = fake_homeserver('dendrite')
    with pytest.raises(FederationError) as info:
        run(dendrite, implementation='synapse')
    assert info.value.code == 'HEALTH_NO_ADMIN_API'
    synapse = fake_homeserver('synapse')
    result = run(synapse, implementation='dendrite')
    assert result['destinations'] is None and result['implementation'] == 'dendrite'
    assert not [path for method, path in synapse.requests if path.startswith('/_synapse/')]


@pytest.mark.parametrize('body', [b'{"capabilities": {"m.room_versions": {"default": "1', b'<html>502</html>', b'',
                                  b'[' * 100 + b']' * 100, b'"just a string"'])
def test_garbage_capabilities_are_coded(fake_homeserver, body):
    server = fake_homeserver('synapse')
    server.overrides[hh.CAPABILITIES_PATH] = (200, body)
    with pytest.raises(FederationError) as info:
        run(server)
    assert info.value.code == 'HEALTH_INVALID_JSON'


def test_body_over_the_cap_is_coded(fake_homeserver):
    server = fake_homeserver('synapse')
    server.overrides[hh.CAPABILITIES_PATH] = (200, b' ' * (hh.SMALL_MAX_BYTES + 1))
    with pytest.raises(FederationError) as info:
        run(server)
    assert info.value.code == 'HEALTH_RESPONSE_TOO_LARGE'


def test_server_echoing_the_token_never_gets_it_into_errors(fake_homeserver):
    server = fake_homeserver('synapse', {'a.example': backing_off()})
    server.echo_token = True
    server.overrides[hh.DESTINATIONS_PATH + '/a.example/reset_connection'] = lambda handler: (
        502, {'errcode': 'M_UNKNOWN', 'error': handler.headers.get('Authorization')})
    for token in ('syt_nobody_0000', USER_TOKEN, ADMIN_TOKEN):
        with pytest.raises(FederationError) as info:
            run(server, token=token, reset_backoff=True)
        assert token not in info.value.message and hh.REDACTED in info.value.message


def test_unreachable_and_silent_servers_are_coded_within_the_deadline():
    with socket.socket() as closed:
        closed.bind(('127.0.0.1', 0))
        port = closed.getsockname()[1]
    with pytest.raises(FederationError) as info:
        hh.homeserver_health(hh.AdminClient('http://127.0.0.1:%d' % port, ADMIN_TOKEN, timeout=2), NOW)
    assert info.value.code == 'HEALTH_UNREACHABLE'
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(4)
        url = 'http://127.0.0.1:%d' % silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(FederationError) as info:
            hh.homeserver_health(hh.AdminClient(url, ADMIN_TOKEN, timeout=0.6), NOW)
        assert info.value.code == 'HEALTH_TIMEOUT' and time.monotonic() - started < 2


def test_https_with_ca_path_and_a_wrong_ca(fake_homeserver, tmp_path):
    ca = lab.TestCA(str(tmp_path))
    server = fake_homeserver('synapse', tls=ca.issue(['127.0.0.1']))
    result = hh.homeserver_health(hh.AdminClient(server.base_url, ADMIN_TOKEN, ca_path=ca.path), NOW)
    assert result['implementation'] == 'synapse'
    with pytest.raises(FederationError) as info:
        hh.homeserver_health(hh.AdminClient(server.base_url, ADMIN_TOKEN, timeout=3), NOW)
    assert info.value.code == 'HEALTH_TLS_ERROR'
    unverified = hh.AdminClient(server.base_url, ADMIN_TOKEN, validate_certs=False)
    assert hh.homeserver_health(unverified, NOW)['implementation'] == 'synapse'


def test_invalid_http_is_coded_without_quoting_it():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(4)

    def serve():
        conn, dummy = listener.accept()
        conn.recv(65536)
        conn.sendall(b'NOT-HTTP ' + ADMIN_TOKEN.encode() + b'\r\n\r\n')
        conn.close()
    thread = threading.Thread(target=serve)
    thread.daemon = True
    thread.start()
    try:
        with pytest.raises(FederationError) as info:
            hh.homeserver_health(hh.AdminClient('http://127.0.0.1:%d' % listener.getsockname()[1], ADMIN_TOKEN,
                                                timeout=3), NOW)
    finally:
        listener.close()
    assert info.value.code == 'HEALTH_HTTP_ERROR' and ADMIN_TOKEN not in info.value.message


def test_the_documented_limits_are_the_ones_in_force():
    root = os.path.join(os.path.dirname(hh.__file__), '..', '..', '..')
    with open(os.path.join(root, 'docs', 'errors.md')) as handle:
        row = [line for line in handle.read().split('## Limits', 1)[1].split('\n## ', 1)[0].splitlines()
               if line.startswith('| `matrix_homeserver_health`')][0]
    assert '%d MiB a destinations page (%d destinations), %d KiB any other answer; %d destinations read' % (
        hh.PAGE_MAX_BYTES // (1024 * 1024), hh.DESTINATIONS_PAGE, hh.SMALL_MAX_BYTES // 1024, hh.MAX_DESTINATIONS) in row
    notes = re.sub(r'\s+', ' ', matrix_homeserver_health.DOCUMENTATION)
    assert '(%d MiB a destinations page, %d KiB other answers) and at most %d destinations' % (
        hh.PAGE_MAX_BYTES // (1024 * 1024), hh.SMALL_MAX_BYTES // 1024, hh.MAX_DESTINATIONS) in notes
