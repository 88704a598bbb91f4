# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles' checks refuse values that would inject into the files they
render, before anything on the host changes: the preflight tasks of
reverse_proxy, tls, firewall and homeserver (Eltrix environment) run on the controller with ansible-playbook, one play per case."""

import json
import os
import re
import subprocess
import sys

import ansible_collections
import pytest

PROXY = {'reverse_proxy_server_name': 'example.test', 'reverse_proxy_matrix_host': 'matrix.example.test'}
TLS = {'tls_server_name': 'example.test', 'tls_delegated_host': 'matrix.example.test', 'tls_acme_agree_tos': True}
ELTRIX = {'homeserver_backend': 'eltrix', 'homeserver_server_name': 'example.com'}
FIREWALL = {}

ROLES = {
    'reverse_proxy': ('matrix.federation.reverse_proxy', 'preflight.yml', PROXY),
    'tls': ('matrix.federation.tls', 'preflight.yml', TLS),
    'homeserver': ('matrix.federation.homeserver', 'preflight.yml', ELTRIX),
    'firewall': ('matrix.federation.firewall', 'preflight.yml', FIREWALL),
}

# (role, variables over the role's base, fragments of the refusal or None: accepted)
CASES = [
    ('reverse_proxy', {}, None),
    ('reverse_proxy', {'reverse_proxy_matrix_host': 'matrix.example.test;\n    return 200 "pwned"'},
     ['Nothing was changed.', 'reverse_proxy_matrix_host "matrix.example.test;\\n    return 200 \\"pwned\\"" is refused',
      'a DNS name']),
    ('reverse_proxy', {'reverse_proxy_server_name': 'example.test {\n\trespond "pwned"\n}',
                       'reverse_proxy_matrix_host': 'matrix.example.test'},
     ['reverse_proxy_server_name "example.test {\\n\\trespond']),
    ('reverse_proxy', {'reverse_proxy_matrix_host': 'matrix.example.test$host'}, ['reverse_proxy_matrix_host "matrix.example.test$host"']),
    ('reverse_proxy', {'reverse_proxy_matrix_host': "matrix.example.test'"}, ['reverse_proxy_matrix_host']),
    ('reverse_proxy', {'reverse_proxy_upstream': 'http://127.0.0.1:8008;\n    return 200'}, ['reverse_proxy_upstream', 'http://']),
    ('reverse_proxy', {'reverse_proxy_wellknown_root': '/var/www/matrix {$HOME}'},
     ['reverse_proxy_wellknown_root "/var/www/matrix {$HOME}" is refused: it contains " ", "$", "{", "}"']),
    ('reverse_proxy', {'reverse_proxy_acme_webroot': '/var/lib/acme;'}, ['reverse_proxy_acme_webroot']),
    ('reverse_proxy', {'reverse_proxy_tls_dir': '/etc/matrix federation'}, ['reverse_proxy_tls_dir']),
    ('reverse_proxy', {'reverse_proxy_tls_certificate': '/etc/ssl/a b.pem'}, ['reverse_proxy_tls_certificate ']),
    ('reverse_proxy', {'reverse_proxy_tls_cert_name': '../elsewhere'}, ['reverse_proxy_tls_cert_name']),
    ('reverse_proxy', {'reverse_proxy_extra_config': '}\nserver {\n    listen 9999;'},
     ['reverse_proxy_extra_config', 'closes a block it did not open']),
    ('reverse_proxy', {'reverse_proxy_extra_config': 'location /x {\n    return 204;\n}'}, None),
    ('reverse_proxy', {'reverse_proxy_http_port': '80; listen 81'}, ['whole numbers']),
    # Caddy's own ACME: the directory, the email and the CA bundle are written into the site file.
    ('reverse_proxy', {'reverse_proxy_backend': 'caddy', 'reverse_proxy_acme_email': 'admin@example.test',
                       'reverse_proxy_acme_directory': 'https://acme.test:14000/dir',
                       'reverse_proxy_acme_ca_bundle': '/etc/ssl/acme-ca.pem'}, None),
    ('reverse_proxy', {'reverse_proxy_backend': 'caddy', 'tls_acme_email': 'admin@example.test {\n\tca https://evil.test/dir\n}'},
     ['Nothing was changed.', 'reverse_proxy_acme_email "admin@example.test {\\n\\tca https://evil.test/dir\\n}"',
      'they default to tls_acme_directory and tls_acme_email']),
    ('reverse_proxy', {'reverse_proxy_backend': 'caddy', 'reverse_proxy_acme_directory': 'https://acme.test/dir {\n}'},
     ['reverse_proxy_acme_directory "https://acme.test/dir {\\n}" must be https://host[:port]/path']),
    ('reverse_proxy', {'reverse_proxy_backend': 'caddy', 'reverse_proxy_acme_directory': 'http://acme.test/dir'},
     ['reverse_proxy_acme_directory "http://acme.test/dir"']),
    ('reverse_proxy', {'reverse_proxy_acme_ca_bundle': '/etc/ssl/ca bundle.pem'}, ['reverse_proxy_acme_ca_bundle "/etc/ssl/ca bundle.pem" is refused']),
    # certbot never writes them into a Caddyfile: the tls role checks its own.
    ('reverse_proxy', {'reverse_proxy_backend': 'caddy', 'reverse_proxy_acme_client': 'certbot',
                       'reverse_proxy_acme_email': 'Admin <admin@example.test>'}, None),
    ('reverse_proxy', {'reverse_proxy_acme_client': 'caddy'},
     ['Nothing was changed. reverse_proxy_acme_client: caddy is Caddy\'s own ACME and needs reverse_proxy_backend: caddy',
      'with nginx the certificate comes from certbot']),
    ('tls', {}, None),
    # Odd but legal: the hook quotes it.
    ('tls', {'tls_deploy_dir': "/etc/matrix federation/it's $HOME"}, None),
    ('tls', {'tls_deploy_dir': '/etc/tls\ntouch /tmp/pwned'}, ['Nothing was changed.', 'tls_deploy_dir', 'a newline']),
    ('tls', {'tls_deploy_group': 'root; reboot'}, ['tls_deploy_group "root; reboot" is refused']),
    ('tls', {'tls_reload_services': ['nginx', 'nginx; reboot']}, ['tls_reload_services[1] "nginx; reboot" is refused']),
    ('tls', {'tls_reload_validate_commands': {'ng inx': 'true'}}, ['tls_reload_validate_commands[0] "ng inx"']),
    ('tls', {'tls_acme_ca_bundle': '/etc/ca.pem"\nEnvironment=X=1'}, ['tls_acme_ca_bundle']),
    ('tls', {'tls_delegated_host': 'matrix.example.test:8448'}, ['tls_delegated_host', 'it has a port']),
    ('tls', {'tls_extra_names': ['extra.example.test', 'a.example.test;b']}, ['tls_extra_names[1]']),
    ('tls', {'tls_cert_name': 'x/../../y'}, ['tls_cert_name']),
    ('tls', {'tls_server_name': 'localhost', 'tls_delegated_host': ''}, ['a name without a dot']),
    ('firewall', {}, None),
    ('firewall', {'firewall_sources': ['10.20.0.0/16', 'fd00:20::/48'],
                  'firewall_extra_ports': [{'port': 3478, 'proto': 'udp'}, {'port': 9000, 'sources': ['192.0.2.10']}]}, None),
    ('firewall', {'firewall_sources': ['10.0.0.0/8', '1.2.3.4; drop']},
     ['Refusing to apply the firewall, nothing was changed: firewall_sources: \'1.2.3.4; drop\' is not an IP range']),
    ('firewall', {'firewall_extra_ports': [{'port': 1}, {'port': 9000, 'sources': '192.0.2.10'}]},
     ['firewall_extra_ports[0] (port 9000) sources must be a list, got "192.0.2.10"']),
    ('firewall', {'firewall_https': 70000}, ['ports must be integers 1-65535 or null']),
    ('firewall', {'firewall_accept_closing': ['5432/tcp', '5353/sctp']}, ['Invalid firewall_accept_closing', '5353/sctp']),
    ('homeserver', {}, None),
    ('homeserver', {'homeserver_backend': 'synapse', 'homeserver_old_signing_keys': {'ed25519:a': {'key': 'A' * 43, 'expired_ts': 1}}}, None),
    ('homeserver', {'homeserver_backend': 'synapse', 'homeserver_old_signing_keys': {'ed25519:a': {'key': 'A' * 43, 'expired_ts': '1'}}},
     ['never paste a signing key file line', 'Wrong entries: ed25519:a.']),
    ('homeserver', {'homeserver_config_override': {'ELTRIX_LOG_LEVEL': 'debug', 'ELTRIX_URL': 'https://a.example/x?y=1'}}, None),
    ('homeserver', {'homeserver_config_override': {'ELTRIX_DB_PASSWORD': 'pa$$word'}},
     ['ELTRIX_DB_PASSWORD is refused: it contains "$"']),
    ('homeserver', {'homeserver_config_override': {'ELTRIX_X': '`id`'}}, ['ELTRIX_X', 'a backquote']),
    ('homeserver', {'homeserver_config_override': {'ELTRIX_X': 'value\\'}}, ['ELTRIX_X', 'a backslash']),
    ('homeserver', {'homeserver_config_override': {'ELTRIX_LOG_LEVEL': 'debug\nELTRIX_FEDERATION_ENABLED=false'}},
     ['ELTRIX_LOG_LEVEL', 'a newline']),
    ('homeserver', {'homeserver_config_override': {'ELTRIX_X; rm -rf /': 'value'}}, ['The name ELTRIX_X; rm -rf / is refused.']),
]


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    """Run every case in one ansible-playbook run; the message (or 'accepted') per case."""
    tmp = tmp_path_factory.mktemp('preflight')
    plays = []
    for index, (role, variables, _expected) in enumerate(CASES):
        name, tasks_from, base = ROLES[role]
        play_vars = dict(base)
        play_vars.update(variables)
        plays.append({
            'name': 'case %d' % index,
            'hosts': 'localhost',
            'gather_facts': False,
            'vars': play_vars,
            'tasks': [
                {'block': [
                    {'ansible.builtin.include_role': {'name': name, 'tasks_from': tasks_from}},
                    {'ansible.builtin.set_fact': {'_case_result': 'accepted'}},
                ], 'rescue': [
                    {'ansible.builtin.set_fact': {'_case_result': '{{ ansible_failed_result.msg }}'}},
                ]},
                # debug runs on the controller without a module process: fast.
                {'ansible.builtin.debug': {'msg': "CASE %d {{ _case_result | to_json }}" % index}},
            ],
        })
    playbook = tmp / 'preflight.yml'
    playbook.write_text(json.dumps(plays))
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_INVENTORY_UNPARSED_WARNING'] = 'false'
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
               '-e', json.dumps({'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}),
               str(playbook)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)
    found = {}
    for match in re.finditer(r'^\s*"msg": ("CASE .*")$', proc.stdout, re.MULTILINE):
        index, result = json.loads(match.group(1)).split(' ', 2)[1:]
        found[int(index)] = json.loads(result)
    assert proc.returncode == 0 and len(found) == len(CASES), proc.stdout[-5000:] + proc.stderr[-3000:]
    return found


@pytest.mark.parametrize('index', range(len(CASES)),
                         ids=['%s-%s' % (case[0], '-'.join(sorted(case[1])) or 'defaults') for case in CASES])
def test_case(results, index):
    _role, variables, expected = CASES[index]
    message = results[index]
    if expected is None:
        assert message == 'accepted', message
        return
    assert message != 'accepted', '%r was accepted' % (variables,)
    for fragment in expected:
        assert fragment in message, message
    # A refused value never leaks a possible secret (the Eltrix environment).
    for value in (variables.get('homeserver_config_override') or {}).values():
        assert value not in message
