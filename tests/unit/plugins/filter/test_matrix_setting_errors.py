# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_setting_errors: values rendered into nginx, Caddy, shell, systemd and
environment files are refused when they could add configuration of their own."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.filter.matrix_server_name import matrix_setting_errors


def only_error(value, kind, name='some_variable'):
    errors = matrix_setting_errors({name: value}, kind)
    assert len(errors) == 1, errors
    return errors[0]


# What an attacker-controlled (or mistyped) name would do to each file.
INJECTIONS = [
    'matrix.example.com;\n    return 200 "pwned"',   # nginx: a new directive
    'matrix.example.com {\n\trespond "pwned"\n}',     # Caddy: a site block
    'matrix.example.com$(reboot)',                    # shell
    'matrix.example.com"',                            # quotes
    "matrix.example.com'",
    'matrix example.com',                             # nginx: a second server_name
    'matrix.example.com\\',                           # a backslash
    '{$HOME}',                                        # Caddy environment placeholder
    'matrix.example.com#',
]


@pytest.mark.parametrize('kind', ['server_name', 'host', 'dns_name'])
@pytest.mark.parametrize('value', INJECTIONS)
def test_names_refuse_what_would_inject(kind, value):
    message = only_error(value, kind, 'reverse_proxy_matrix_host')
    # The variable, the value (escaped, one line) and what is allowed.
    assert message.startswith('reverse_proxy_matrix_host "'), message
    assert '\n' not in message
    assert 'letters, digits, "-" and "."' in message


@pytest.mark.parametrize('kind, value', [
    ('server_name', 'example.com'), ('server_name', 'example.com:8448'), ('server_name', '[2001:db8::1]:8448'),
    ('host', 'matrix.example.com'), ('host', '192.0.2.7'), ('host', 'localhost'),
    ('dns_name', 'matrix.example.com'),
])
def test_valid_names(kind, value):
    assert matrix_setting_errors({'name': value}, kind) == []


@pytest.mark.parametrize('kind, value, reason', [
    ('host', 'matrix.example.com:443', 'it has a port'),
    ('host', '[2001:db8::1]', 'IPv6 literal'),
    ('dns_name', '192.0.2.7', 'it is an IP address'),
    ('dns_name', '', 'it is empty'),
])
def test_names_say_why(kind, value, reason):
    assert reason in only_error(value, kind)


def test_message_shows_newlines_escaped():
    message = only_error('a.example;\nb', 'host', 'reverse_proxy_server_name')
    assert message.startswith('reverse_proxy_server_name "a.example;\\nb" is refused: it contains whitespace.')


@pytest.mark.parametrize('value', ['http://127.0.0.1:8008', 'https://synapse.internal:8448', 'http://[::1]:8008'])
def test_valid_upstreams(value):
    assert matrix_setting_errors({'reverse_proxy_upstream': value}, 'upstream') == []


@pytest.mark.parametrize('value, reason', [
    ('http://127.0.0.1:8008;', "invalid port '8008;'"),
    ('http://127.0.0.1:8008/_matrix', 'it has a path'),
    ('http://127.0.0.1:8008?x=1', 'it has a path'),
    ('http://127.0.0.1:8008 ', 'contains whitespace'),
    ('http://local host:8008', 'contains whitespace'),
    ('http://{$UPSTREAM}', 'hostname'),
    ('unix:/run/synapse.sock', 'http:// or https://'),
    ('ftp://127.0.0.1:21', 'http:// or https://'),
])
def test_upstreams_say_why(value, reason):
    assert reason in only_error(value, 'upstream')


def test_config_paths():
    assert matrix_setting_errors({'root': '/var/www/matrix-federation/example.com', 'tls': '/etc/ssl/a_b+c@d'}, 'path') == []
    assert 'contains " ", "$", ";", "{"' in only_error('/var/www/a b;{$x', 'path')
    assert 'not an absolute path' in only_error('var/www', 'path')
    assert 'contains "\\n"' in only_error('/var/www/a\nb', 'path')


def test_shell_paths_allow_what_quoting_handles_and_refuse_newlines():
    assert matrix_setting_errors({'tls_deploy_dir': "/etc/matrix federation/it's $HOME"}, 'path_shell') == []
    assert 'newline' in only_error('/etc/tls\nrm -rf /', 'path_shell')
    assert 'not an absolute path' in only_error('tls', 'path_shell')


def test_systemd_paths():
    assert matrix_setting_errors({'tls_acme_ca_bundle': '/etc/lab ca/ca.pem'}, 'path_systemd') == []
    for value in ('/etc/ca"\nEnvironment=X=1', '/etc/%h.pem', '/etc/ca\\.pem'):
        assert 'tls_acme_ca_bundle' in only_error(value, 'path_systemd', 'tls_acme_ca_bundle')


@pytest.mark.parametrize('kind, good, bad, reason', [
    ('file_name', 'example.com', 'example.com/../x', 'contains "/"'),
    ('file_name', 'example.com', '.hidden', 'starts with "."'),
    ('unit_name', 'caddy.service', 'nginx; reboot', 'contains " ", ";"'),
    ('unit_name', 'nginx', '--now', 'starts with "-"'),
    ('group_name', 'caddy', 'www data', 'contains " "'),
    ('group_name', '_matrix', 'x' * 33, 'longer than 32'),
])
def test_names_of_files_units_and_groups(kind, good, bad, reason):
    assert matrix_setting_errors({'name': good}, kind) == []
    assert reason in only_error(bad, kind)


@pytest.mark.parametrize('value', ['debug', 'matrix.org,example.org', '[2001:db8::1]:8448', 'https://idp.example/x?a=b',
                                   50, True, 'a=b', 'x#y', '100%'])
def test_env_values_every_reader_reads_alike(value):
    assert matrix_setting_errors({'ELTRIX_X': value}, 'env_value') == []


@pytest.mark.parametrize('value, reason', [
    ('debug\nELTRIX_FEDERATION_ENABLED=false', 'a newline'),
    ('pa$word', '"$"'),
    ('${HOME}', '"$"'),
    ('`id`', 'a backquote'),
    ('value\\', 'a backslash'),
    ('C:\\dir', 'a backslash'),
    ('two words', 'whitespace'),
    (' padded', 'whitespace'),
    ('"quoted"', 'a double quote'),
    ("it's", 'a single quote'),
    ('a;reboot', 'shell syntax'),
    ('~/dir', 'shell syntax'),
    ('bell\x07', 'control characters'),
    ('', 'empty'),
])
def test_env_values_say_why_without_showing_the_value(value, reason):
    message = only_error(value, 'env_value', 'ELTRIX_DATABASE_PASSWORD')
    assert message.startswith('ELTRIX_DATABASE_PASSWORD is refused: ') and reason in message, message
    # The value may be a secret: the message names the variable only.
    assert len(value) < 3 or value not in message, message


def test_env_values_that_are_not_text():
    assert 'not a string' in only_error({'nested': 1}, 'env_value')
    assert 'not a string' in only_error(['a', 'b'], 'env_value')


@pytest.mark.parametrize('value, reason', [
    ('}\nserver {\n    listen 9999;', 'closes a block it did not open'),
    ('} server {', 'closes a block it did not open'),
    ('location /x {', 'leaves a block open'),
])
def test_blocks_must_nest(value, reason):
    assert reason in only_error(value, 'block', 'reverse_proxy_extra_config')
    assert matrix_setting_errors({'reverse_proxy_extra_config': 'location /x {\n    return 204;\n}'}, 'block') == []


def test_lists_are_checked_item_by_item_and_named_by_index():
    errors = matrix_setting_errors({'tls_reload_services': ['nginx', 'caddy reload']}, 'unit_name')
    assert len(errors) == 1 and errors[0].startswith('tls_reload_services[1] "caddy reload" is refused')


def test_optional_settings():
    assert matrix_setting_errors({'reverse_proxy_tls_certificate': ''}, 'path', allow_empty=True) == []
    assert matrix_setting_errors({'reverse_proxy_tls_certificate': None}, 'path', allow_empty=True) == []
    assert 'it is empty' in only_error('', 'path')
    assert 'not a string' in only_error(None, 'path')


def test_every_variable_is_reported_in_name_order():
    errors = matrix_setting_errors({'b': 'x y', 'a': 'x;y', 'c': 'fine.example'}, 'host')
    assert [error.split(' ')[0] for error in errors] == ['a', 'b']


def test_bad_arguments_raise_filter_errors():
    with pytest.raises(AnsibleFilterError, match='unknown kind'):
        matrix_setting_errors({'a': 'b'}, 'hostname')
    with pytest.raises(AnsibleFilterError, match='dict'):
        matrix_setting_errors(['a'], 'host')
