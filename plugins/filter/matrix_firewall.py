# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall role's rule set and its check for services a default-deny policy would cut.

A rule is ``{port, proto, source, purpose, key}``; ``key`` ("port/proto/source")
is what the role's state file records and what tells two rules apart. These
are pure functions of the role's variables and of what the host reported, so
the role's tasks only pass them along.
"""

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.plugins.filter.core import to_json
from jinja2.filters import do_int

from ansible_collections.matrix.federation.plugins.filter.matrix_server_name import matrix_cidr_errors


def _ports(value, name):
    if not is_sequence(value):
        raise AnsibleFilterError('%s expects a list of SSH ports, got %s' % (name, type(value).__name__))
    return list(value)


def matrix_firewall_ssh_rules(ssh_ports):
    """One rule per SSH port: TCP from anywhere (SSH is never restricted to sources)."""
    return [{'port': port, 'proto': 'tcp', 'source': 'any', 'purpose': 'ssh', 'key': '%s/tcp/any' % (port,)}
            for port in _ports(ssh_ports, 'matrix_firewall_ssh_rules')]


def matrix_firewall_rules(extra_ports, ssh_ports, federation_port=None, https_port=None, http_acme_port=None,
                          sources=None):
    """The rules for federation, HTTPS, ACME http-01 and ``extra_ports``, one per port, protocol and source.

    ``sources`` (the role's ``firewall_sources``) applies to every entry without
    its own ``sources``; no sources means one rule from ``any``. A rule that
    repeats an earlier key is left out, and so is a TCP rule from anywhere on
    an SSH port (the SSH rules already open it).
    """
    if not is_sequence(extra_ports):
        raise AnsibleFilterError('matrix_firewall_rules expects the list of extra ports as input, got %s'
                                 % type(extra_ports).__name__)
    ssh_ports = _ports(ssh_ports, 'matrix_firewall_rules')
    sources = [] if sources is None else sources
    entries = []
    for port, purpose in ((federation_port, 'federation'), (https_port, 'https'), (http_acme_port, 'acme-http')):
        if port is not None:
            entries.append({'port': port, 'purpose': purpose})
    for extra in extra_ports:
        if not isinstance(extra, dict):
            raise AnsibleFilterError('matrix_firewall_rules: every extra port is a dict, got %r' % (extra,))
        entry = dict(extra)
        entry['purpose'] = extra['comment'] if 'comment' in extra else 'extra'
        entries.append(entry)
    rules, seen = [], set()
    for entry in entries:
        proto = entry['proto'] if 'proto' in entry else 'tcp'
        port = do_int(entry['port'])
        entry_sources = entry['sources'] if 'sources' in entry else sources
        for source in (entry_sources if len(entry_sources) > 0 else ['any']):
            key = '%s/%s/%s' % (port, proto, source)
            if key in seen or (proto == 'tcp' and source == 'any' and port in ssh_ports):
                continue
            seen.add(key)
            rules.append({'port': port, 'proto': proto, 'source': source, 'purpose': entry['purpose'], 'key': key})
    return rules


def matrix_firewall_cut(listeners, rules, accept_closing=None, client_ports=None):
    """The services listening on the network that a default-deny policy would cut, by "port/proto".

    A listener is left alone when a rule opens its port and protocol, when it
    is in ``accept_closing`` ("PORT/PROTO", or a port for TCP and UDP), when it
    is a DHCP client port (``client_ports``), or when it is UDP on a port the
    rules open for federation or HTTPS (the web server's HTTP/3). Each entry
    says who listens where, and ``text`` puts that in words for a message.
    """
    for value, name in ((listeners, 'listeners'), (rules, 'rules')):
        if not is_sequence(value):
            raise AnsibleFilterError('matrix_firewall_cut expects a list of %s, got %s' % (name, type(value).__name__))
    kept = ['%s/%s' % (rule['port'], rule['proto']) for rule in rules]
    accepted = ['%s/udp' % (rule['port'],) for rule in rules if rule['purpose'] in ('federation', 'https')]
    for entry in accept_closing or []:
        entry = _string(entry)
        accepted.extend([entry] if '/' in entry else [entry + '/tcp', entry + '/udp'])
    open_keys = kept + accepted + list(client_ports or [])
    cut = {}
    for listener in listeners:
        key = '%s/%s' % (listener['port'], listener['proto'])
        if key in open_keys:
            continue
        entry = cut.setdefault(key, {'key': key, 'port': listener['port'], 'proto': listener['proto'],
                                     'owners': [], 'addresses': []})
        for owner in list(listener['processes']) + list(listener['users']):
            if owner not in entry['owners']:
                entry['owners'].append(owner)
        entry['addresses'].append(listener['address'])
    found = []
    # Ordered as text, ignoring case, the way Jinja's sort filter orders them.
    for key in sorted(cut, key=lambda item: item.lower()):
        entry = cut[key]
        entry['text'] = '%s (%s on %s)' % (key, ', '.join(entry['owners']) or 'unknown program',
                                           ' '.join(entry['addresses']))
        found.append(entry)
    return found


def matrix_firewall_source_errors(sources, extra_ports):
    """Messages for every source that is not an IPv4/IPv6 address or network, naming the variable.

    ``sources`` is ``firewall_sources``; ``extra_ports`` the entries of
    ``firewall_extra_ports``, whose own ``sources`` must be a list. An extra
    port is named by its position among the entries that have ``sources``
    (as the role always named it) and by its port.
    """
    if not is_sequence(extra_ports):
        raise AnsibleFilterError('matrix_firewall_source_errors expects the list of extra ports, got %s'
                                 % type(extra_ports).__name__)
    errors = ['firewall_sources: %s' % error for error in matrix_cidr_errors(sources)]
    with_sources = [extra for extra in extra_ports if isinstance(extra, dict) and 'sources' in extra]
    for index, extra in enumerate(with_sources):
        where = 'firewall_extra_ports[%d] (port %s) sources' % (index, extra['port'])
        if isinstance(extra['sources'], str) or not is_sequence(extra['sources']):
            errors.append('%s must be a list, got %s' % (where, to_json(extra['sources'])))
            continue
        errors.extend('%s: %s' % (where, error) for error in matrix_cidr_errors(extra['sources']))
    return errors


# firewall-cmd --list-all-zones: one block per zone, separated by a blank line,
# the zone name first, then "  key: values" lines.
_ZONE_TARGET_RE = re.compile(r'(?m)^\s*target:\s*(\S+)')
_ZONE_INTERFACES_RE = re.compile(r'(?m)^\s*interfaces:(.*)$')
_ZONE_SOURCES_RE = re.compile(r'(?m)^\s*sources:(.*)$')
_RUNTIME_LISTING = ['firewall-cmd', '--list-all-zones']


def _zone_field(pattern, block, default):
    match = pattern.search(block)
    return match.group(1) if match else default


def matrix_firewalld_open_zones(listings, default_zone, rules_zone=None):
    """The firewalld zones with target ACCEPT that would take the host's traffic.

    ``listings`` are the registered results of ``firewall-cmd --list-all-zones``
    (runtime) and of ``firewall-cmd --permanent --list-all-zones`` or
    ``firewall-offline-cmd --list-all-zones`` (permanent), each with the
    command as ``item``. A zone with target ACCEPT counts when it is the zone
    of the rules (``rules_zone``, else the default zone), the default zone, or
    when it holds an interface or a source.
    """
    if not is_sequence(listings):
        raise AnsibleFilterError('matrix_firewalld_open_zones expects a list of command results, got %s'
                                 % type(listings).__name__)
    watched = [rules_zone or default_zone, default_zone]
    found = []
    for result in listings:
        where = 'runtime' if list(result['item']) == _RUNTIME_LISTING else 'permanent'
        for block in result['stdout'].split('\n\n'):
            if not block.strip():
                continue
            name = block.strip().split()[0]
            target = _zone_field(_ZONE_TARGET_RE, block, 'default')
            interfaces = _zone_field(_ZONE_INTERFACES_RE, block, '').split()
            sources = _zone_field(_ZONE_SOURCES_RE, block, '').split()
            if target == 'ACCEPT' and (name in watched or interfaces or sources):
                found.append({'zone': name, 'where': where, 'interfaces': interfaces, 'sources': sources})
    return found


def _string(value):
    """The value as Jinja's string filter writes it (True, None, 5353)."""
    return value if isinstance(value, str) else str(value)


class FilterModule:
    """The firewall role's rule set."""

    def filters(self):
        return {
            'matrix_firewall_ssh_rules': matrix_firewall_ssh_rules,
            'matrix_firewall_rules': matrix_firewall_rules,
            'matrix_firewall_cut': matrix_firewall_cut,
            'matrix_firewall_source_errors': matrix_firewall_source_errors,
            'matrix_firewalld_open_zones': matrix_firewalld_open_zones,
        }
