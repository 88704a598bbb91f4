# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters that explain why server names and IP ranges are invalid.

Both return a list of messages (empty when every value is valid), so a role's
``assert`` can print exactly what to fix instead of a bare "false".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import parse_server_name


def _as_list(value, filter_name):
    if value is None:
        return []
    if isinstance(value, string_types):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise AnsibleFilterError('%s expects a string or a list, got %s' % (filter_name, type(value).__name__))


def matrix_server_name_errors(value, allow_port=True):
    """Messages for every value that is not a Matrix server name."""
    errors = []
    for item in _as_list(value, 'matrix_server_name_errors'):
        if not isinstance(item, string_types):
            errors.append('%r is not a string; a server name looks like example.com or example.com:8448' % (item,))
            continue
        try:
            parsed = parse_server_name(item)
        except FederationError as exc:
            errors.append(exc.message)
            continue
        if not allow_port and parsed.port is not None:
            errors.append('%r has a port; a domain name without a port is expected here' % item)
    return errors


def matrix_cidr_errors(value):
    """Messages for every value that is not an IPv4/IPv6 address or network in CIDR notation."""
    errors = []
    for item in _as_list(value, 'matrix_cidr_errors'):
        if not isinstance(item, string_types):
            errors.append('%r is not a string; an IP range looks like 10.0.0.0/8 or fd00::/8' % (item,))
            continue
        try:
            ipaddress.ip_network(item, strict=True)
        except ValueError as exc:
            errors.append('%r is not an IP range in CIDR notation (%s); examples: 10.0.0.0/8, fd00::/8' % (item, exc))
    return errors


class FilterModule(object):
    """Validation filters for Matrix federation settings."""

    def filters(self):
        return {
            'matrix_server_name_errors': matrix_server_name_errors,
            'matrix_cidr_errors': matrix_cidr_errors,
        }
