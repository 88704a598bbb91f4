# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewall role's rule set (matrix_firewall_ssh_rules, matrix_firewall_rules)
and the services its default deny would cut (matrix_firewall_cut)."""


import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.filter.matrix_firewall import (
    FilterModule, matrix_firewall_cut, matrix_firewall_rules, matrix_firewall_source_errors, matrix_firewall_ssh_rules,
    matrix_firewalld_open_zones)

# The role's defaults: federation on 8448, HTTPS, ACME http-01.
DEFAULTS = {'federation_port': 8448, 'https_port': 443, 'http_acme_port': 80, 'sources': []}


def keys(rules):
    return [rule['key'] for rule in rules]


def listener(port, proto='tcp', address='0.0.0.0', processes=(), users=()):
    return {'port': port, 'proto': proto, 'address': address, 'processes': list(processes), 'users': list(users)}


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {'matrix_firewall_ssh_rules', 'matrix_firewall_rules', 'matrix_firewall_cut',
                                             'matrix_firewall_source_errors', 'matrix_firewalld_open_zones'}


def test_ssh_rules():
    assert matrix_firewall_ssh_rules([22, 2222]) == [
        {'port': 22, 'proto': 'tcp', 'source': 'any', 'purpose': 'ssh', 'key': '22/tcp/any'},
        {'port': 2222, 'proto': 'tcp', 'source': 'any', 'purpose': 'ssh', 'key': '2222/tcp/any'},
    ]
    assert matrix_firewall_ssh_rules([]) == []


def test_defaults():
    rules = matrix_firewall_rules([], [22], **DEFAULTS)
    assert rules == [
        {'port': 8448, 'proto': 'tcp', 'source': 'any', 'purpose': 'federation', 'key': '8448/tcp/any'},
        {'port': 443, 'proto': 'tcp', 'source': 'any', 'purpose': 'https', 'key': '443/tcp/any'},
        {'port': 80, 'proto': 'tcp', 'source': 'any', 'purpose': 'acme-http', 'key': '80/tcp/any'},
    ]


def test_federation_delegated_to_443_and_nothing_else():
    assert keys(matrix_firewall_rules([], [22], federation_port=None, https_port=443, http_acme_port=None)) == ['443/tcp/any']
    assert matrix_firewall_rules([], [22]) == []


def test_sources_and_extra_ports():
    extra = [{'port': 3478, 'proto': 'udp'}, {'port': 9000, 'sources': ['192.0.2.10'], 'comment': 'metrics'}]
    rules = matrix_firewall_rules(extra, [22], federation_port=None, https_port=443, http_acme_port=80,
                                  sources=['10.20.0.0/16', 'fd00:20::/48'])
    assert keys(rules) == ['443/tcp/10.20.0.0/16', '443/tcp/fd00:20::/48', '80/tcp/10.20.0.0/16', '80/tcp/fd00:20::/48',
                           '3478/udp/10.20.0.0/16', '3478/udp/fd00:20::/48', '9000/tcp/192.0.2.10']
    assert [rule['purpose'] for rule in rules][-3:] == ['extra', 'extra', 'metrics']


def test_odd_but_legal_entries():
    extra = [
        {'port': 22},                                   # SSH's port again: the SSH rule opens it
        {'port': 22, 'proto': 'udp'},                   # not SSH: kept
        {'port': 443},                                  # HTTPS again: one rule
        {'port': 9000, 'sources': []},                  # own empty sources: anywhere, not firewall_sources
        {'port': 9001, 'proto': 'udp', 'comment': 'odd; "comment" {x}', 'sources': ['192.0.2.0/24', '192.0.2.0/24']},
    ]
    rules = matrix_firewall_rules(extra, [2222, 22], federation_port=8443, https_port=8443, http_acme_port=80)
    assert keys(rules) == ['8443/tcp/any', '80/tcp/any', '22/udp/any', '443/tcp/any', '9000/tcp/any', '9001/udp/192.0.2.0/24']
    # The first of two equal rules names the purpose.
    assert rules[0]['purpose'] == 'federation'
    assert rules[-1]['purpose'] == 'odd; "comment" {x}'


def test_ssh_port_is_skipped_only_for_tcp_from_anywhere():
    rules = matrix_firewall_rules([{'port': 443, 'proto': 'udp', 'comment': 'quic'}], [443], https_port=443)
    assert keys(rules) == ['443/udp/any']
    rules = matrix_firewall_rules([], [443], https_port=443, sources=['10.0.0.0/8'])
    assert keys(rules) == ['443/tcp/10.0.0.0/8']


def test_comment_null_and_proto_given():
    # A key that is there, even null, is used as given (as the role's Jinja did).
    rules = matrix_firewall_rules([{'port': 9000, 'comment': None, 'proto': 'udp'}], [22])
    assert rules == [{'port': 9000, 'proto': 'udp', 'source': 'any', 'purpose': None, 'key': '9000/udp/any'}]


@pytest.mark.parametrize('extra, ssh', [('9000', [22]), ([9000], [22]), ([], 22)])
def test_rules_refuse_wrong_input(extra, ssh):
    with pytest.raises(AnsibleFilterError):
        matrix_firewall_rules(extra, ssh)


ALL_RULES = matrix_firewall_ssh_rules([22]) + matrix_firewall_rules([], [22], **DEFAULTS)


def test_nothing_cut_when_every_listener_is_open():
    listeners = [listener(22, processes=['sshd']), listener(443, processes=['nginx']), listener(8448, address='::')]
    assert matrix_firewall_cut(listeners, ALL_RULES) == []


def test_cut_listeners_grouped_sorted_and_named():
    listeners = [
        listener(9999, processes=['python3']),
        listener(9999, address='::', processes=['python3'], users=['python3', 'www']),
        listener(10000),
        listener(5432, address='127.0.0.2', processes=['postgres']),
    ]
    cut = matrix_firewall_cut(listeners, ALL_RULES)
    # Ordered as text: "10000/tcp" before "5432/tcp" before "9999/tcp".
    assert [entry['key'] for entry in cut] == ['10000/tcp', '5432/tcp', '9999/tcp']
    assert cut[2] == {'key': '9999/tcp', 'port': 9999, 'proto': 'tcp', 'owners': ['python3', 'www'],
                      'addresses': ['0.0.0.0', '::'], 'text': '9999/tcp (python3, www on 0.0.0.0 ::)'}
    assert cut[0]['text'] == '10000/tcp (unknown program on 0.0.0.0)'


def test_http3_on_the_https_and_federation_ports_is_not_cut():
    listeners = [listener(443, 'udp', processes=['caddy']), listener(8448, 'udp', processes=['caddy']),
                 listener(80, 'udp', processes=['caddy'])]
    # UDP on the ACME port is no HTTP/3 of the role's: named.
    assert [entry['key'] for entry in matrix_firewall_cut(listeners, ALL_RULES)] == ['80/udp']


def test_accept_closing_and_client_ports():
    listeners = [listener(5432, processes=['postgres']), listener(5353, 'udp'), listener(5353, 'tcp'),
                 listener(3478, 'udp'), listener(3478, 'tcp'), listener(68, 'udp', processes=['dhclient'])]
    cut = matrix_firewall_cut(listeners, ALL_RULES, accept_closing=['5432/tcp', 5353, '3478/udp'],
                              client_ports=['68/udp', '546/udp'])
    assert [entry['key'] for entry in cut] == ['3478/tcp']
    assert [entry['key'] for entry in matrix_firewall_cut(listeners, ALL_RULES)] == [
        '3478/tcp', '3478/udp', '5353/tcp', '5353/udp', '5432/tcp', '68/udp']


def test_cut_refuses_wrong_input():
    with pytest.raises(AnsibleFilterError):
        matrix_firewall_cut({'listeners': []}, ALL_RULES)


def test_source_errors_none_for_networks_and_addresses():
    extra = [{'port': 9000, 'sources': ['192.0.2.10', 'fd00:20::/48']}, {'port': 9001}]
    assert matrix_firewall_source_errors(['10.20.0.0/16', '2001:db8::1'], extra) == []
    assert matrix_firewall_source_errors([], []) == []


def test_source_errors_name_the_variable_and_the_value():
    errors = matrix_firewall_source_errors(['any', '1.2.3.4; drop', '10.0.0.1/8'], [])
    assert len(errors) == 3
    assert errors[0].startswith("firewall_sources: 'any' is not an IP range in CIDR notation")
    assert '10.0.0.1/8 has host bits set' in errors[2]


def test_source_errors_of_extra_ports():
    extra = [{'port': 1}, {'port': 9000, 'sources': '10.0.0.0/8'}, {'port': 2},
             {'port': 9001, 'sources': ['10.0.0.1/8']}, {'port': 9004, 'sources': None}]
    # Numbered among the entries that have sources, as the role always numbered them; the port says which.
    assert matrix_firewall_source_errors([], extra) == [
        'firewall_extra_ports[0] (port 9000) sources must be a list, got "10.0.0.0/8"',
        "firewall_extra_ports[1] (port 9001) sources: '10.0.0.1/8' is not an IP range in CIDR notation "
        "(10.0.0.1/8 has host bits set); examples: 10.0.0.0/8, fd00::/8",
        'firewall_extra_ports[2] (port 9004) sources must be a list, got null',
    ]


def test_source_errors_of_a_string_instead_of_a_list():
    # The argument spec turns "10.0.0.0/8" into a list for its own check only; the role sees the string.
    assert matrix_firewall_source_errors('10.0.0.0/8', []) == []
    assert matrix_firewall_source_errors('any', [])[0].startswith("firewall_sources: 'any'")


# What firewall-cmd --list-all-zones prints (firewalld 1.3, Debian 12), shortened.
ZONES = "\n".join([
    'public (active)',
    '  target: default',
    '  icmp-block-inversion: no',
    '  interfaces: eth0',
    '  sources: ',
    '  services: dhcpv6-client ssh',
    '',
    'trusted (active)',
    '  target: ACCEPT',
    '  icmp-block-inversion: no',
    '  interfaces: eth1 eth2',
    '  sources: ',
    '',
    'home',
    '  target: ACCEPT',
    '  interfaces: ',
    '  sources: 10.0.0.0/8 fd00::/8',
    '',
    'drop',
    '  target: DROP',
    '  interfaces: eth3',
    '',
    'internal',
    '  target: ACCEPT',
    '  interfaces: ',
    '  sources: ',
    '',
    'nolines',
    '',
    '',
])
PERMANENT = "public\n  target: ACCEPT\n  interfaces: \n  sources: \n\ntrusted\n  target: ACCEPT\n  interfaces: \n  sources: \n"


def listing(item, stdout):
    return {'item': item, 'stdout': stdout, 'changed': False}


RUNTIME_LISTING = listing(['firewall-cmd', '--list-all-zones'], ZONES)
PERMANENT_LISTING = listing(['firewall-cmd', '--permanent', '--list-all-zones'], PERMANENT)


def test_firewalld_open_zones_runtime_and_permanent():
    zones = matrix_firewalld_open_zones([RUNTIME_LISTING, PERMANENT_LISTING], 'public')
    assert zones == [
        {'zone': 'trusted', 'where': 'runtime', 'interfaces': ['eth1', 'eth2'], 'sources': []},
        {'zone': 'home', 'where': 'runtime', 'interfaces': [], 'sources': ['10.0.0.0/8', 'fd00::/8']},
        # The default zone in the permanent configuration: it takes effect at the next reload.
        {'zone': 'public', 'where': 'permanent', 'interfaces': [], 'sources': []},
    ]


def test_firewalld_open_zones_the_rules_zone_counts():
    zones = matrix_firewalld_open_zones([RUNTIME_LISTING], 'public', 'internal')
    assert [zone['zone'] for zone in zones] == ['trusted', 'home', 'internal']
    # Empty or null: the default zone.
    assert matrix_firewalld_open_zones([RUNTIME_LISTING], 'public', '') == \
        matrix_firewalld_open_zones([RUNTIME_LISTING], 'public', None)


def test_firewalld_open_zones_offline_is_permanent():
    zones = matrix_firewalld_open_zones([listing(['firewall-offline-cmd', '--list-all-zones'], ZONES)], 'drop')
    assert [(zone['zone'], zone['where']) for zone in zones] == [('trusted', 'permanent'), ('home', 'permanent')]


def test_firewalld_open_zones_empty_output():
    assert matrix_firewalld_open_zones([listing(['firewall-cmd', '--list-all-zones'], ''),
                                        listing(['firewall-cmd', '--permanent', '--list-all-zones'], '\n\n\n')], 'public') == []
    with pytest.raises(AnsibleFilterError):
        matrix_firewalld_open_zones({'results': []}, 'public')
