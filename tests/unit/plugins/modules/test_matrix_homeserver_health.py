# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_homeserver_health run as Ansible runs it, against a loopback Synapse and Dendrite."""

import json
import time

import pytest

from ansible_collections.matrix.federation.tests.unit.servers.homeserver_api import ADMIN_TOKEN, USER_TOKEN
from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module

DISTINCTIVE = 'syt_ZGlzdGluY3RpdmU_Zx9Qw7Lr3KpVn2Tb8Hs4'


def backing_off():
    now = int(time.time() * 1000)
    return {'retry_last_ts': now - 1000, 'retry_interval': 600000, 'failure_ts': now - 3600000}


def health(server, tmp_path, token=ADMIN_TOKEN, check_mode=False, **args):
    args = dict(args, base_url=server.base_url, access_token=token)
    if check_mode:
        args['_ansible_check_mode'] = True
    return run_module('matrix_homeserver_health', args, tmp_path)


def test_check_mode_then_reset_then_idempotent(fake_homeserver, tmp_path):
    server = fake_homeserver('synapse', {'a.example': backing_off(), 'b.example': backing_off(), 'ok.example': {}})
    steps = []
    for check_mode in (True, False, True, False):
        result, rc, dummy = health(server, tmp_path, check_mode=check_mode, reset_backoff=True)
        assert rc == 0, result
        steps.append((result['changed'], result['reset']))
    assert steps == [(True, ['a.example', 'b.example']), (True, ['a.example', 'b.example']), (False, []), (False, [])]
    assert server.resets() == ['a.example', 'b.example']


def test_report_without_reset_changes_nothing(fake_homeserver, tmp_path):
    server = fake_homeserver('synapse', {'a.example': backing_off(), 'ok.example': {}})
    result, rc, dummy = health(server, tmp_path, server_name='hs.example')
    assert rc == 0 and result['changed'] is False and result['reset'] == []
    assert result['implementation'] == 'synapse' and result['room_versions']['available']['12'] == 'stable'
    entry = result['destinations']['backing_off'][0]
    assert entry['destination'] == 'a.example' and entry['next_retry_time'].endswith('Z') and entry['retry_due'] is False
    assert [w['code'] for w in result['federation_warnings']] == ['HEALTH_BACKING_OFF']
    assert 'warnings' not in result and server.resets() == []


def test_reset_only_the_named_destinations(fake_homeserver, tmp_path):
    server = fake_homeserver('synapse', {'a.example': backing_off(), 'b.example': backing_off()})
    result, rc, dummy = health(server, tmp_path, reset_backoff=True, destinations=['b.example', 'gone.example'])
    assert rc == 0 and result['reset'] == ['b.example'] and server.resets() == ['b.example']
    assert sorted(w['code'] for w in result['federation_warnings']) == ['HEALTH_BACKING_OFF', 'HEALTH_DESTINATION_UNKNOWN']


def test_dendrite_warns_and_refuses_to_pretend_a_reset(fake_homeserver, tmp_path):
    server = fake_homeserver('dendrite')
    result, rc, dummy = health(server, tmp_path)
    assert rc == 0 and result['destinations'] is None and result['admin_api'] is None
    assert result['implementation'] == 'dendrite'
    assert [w['code'] for w in result['federation_warnings']] == ['HEALTH_NO_DESTINATIONS_API']
    result, rc, dummy = health(server, tmp_path, reset_backoff=True)
    assert rc == 1 and result['code'] == 'HEALTH_RESET_UNSUPPORTED' and result['changed'] is False


@pytest.mark.parametrize('token, code', [('syt_unknown_token_000', 'HEALTH_TOKEN_REJECTED'), (USER_TOKEN, 'HEALTH_NOT_ADMIN')])
def test_rejected_tokens_fail_with_a_code(fake_homeserver, tmp_path, token, code):
    server = fake_homeserver('synapse', {'a.example': backing_off()})
    result, rc, dummy = health(server, tmp_path, token=token)
    assert rc == 1 and result['code'] == code


@pytest.mark.parametrize('body', [b'{"destinations": [{"destination": "a"', b'\xff\xfe garbage', b'null'])
def test_garbage_destinations_fail_with_a_code(fake_homeserver, tmp_path, body):
    server = fake_homeserver('synapse')
    server.overrides['/_synapse/admin/v1/federation/destinations'] = (200, body)
    result, rc, dummy = health(server, tmp_path)
    assert rc == 1 and result['code'] == 'HEALTH_INVALID_JSON'


@pytest.mark.parametrize('token', [DISTINCTIVE, USER_TOKEN, 'syt_unknown_' + DISTINCTIVE])
def test_token_never_in_the_result_even_when_the_server_echoes_it(fake_homeserver, tmp_path, token):
    server = fake_homeserver('synapse', {'a.example': backing_off()})
    server.echo_token = True
    server.overrides['/_synapse/admin/v1/federation/destinations/a.example/reset_connection'] = lambda handler: (
        500, {'errcode': 'M_UNKNOWN', 'error': handler.headers.get('Authorization')})
    result, rc, stderr = health(server, tmp_path, token=token, reset_backoff=True, timeout=5)
    assert rc == 1 and result['code'].startswith('HEALTH_')
    assert token not in json.dumps(result) + stderr
    assert DISTINCTIVE not in json.dumps(result) + stderr


def test_unreachable_server_fails_with_a_code(tmp_path):
    result, rc, dummy = run_module('matrix_homeserver_health', {
        'base_url': 'http://127.0.0.1:9', 'access_token': ADMIN_TOKEN, 'timeout': 2}, tmp_path)
    assert rc == 1 and result['code'] == 'HEALTH_UNREACHABLE'
