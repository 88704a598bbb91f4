# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters that explain why server names, IP ranges and settings are invalid.

Each returns a list of messages (empty when every value is valid), so a role's
``assert`` can print exactly what to fix instead of a bare "false".

``matrix_setting_errors`` is the one place the roles check values that end up
inside a configuration file they render (nginx site, Caddyfile, certbot deploy
hook and service drop-in, Eltrix environment file): each kind of value has a
grammar that leaves no room for the characters those files give a meaning
(``;``, braces, quotes, ``$``, whitespace, newlines), so a value can never add
directives of its own.
"""

import ipaddress
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import parse_server_name


def _as_list(value, filter_name):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise AnsibleFilterError('%s expects a string or a list, got %s' % (filter_name, type(value).__name__))


def matrix_server_name_errors(value, allow_port=True):
    """Messages for every value that is not a Matrix server name."""
    errors = []
    for item in _as_list(value, 'matrix_server_name_errors'):
        if not isinstance(item, str):
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
        if not isinstance(item, str):
            errors.append('%r is not a string; an IP range looks like 10.0.0.0/8 or fd00::/8' % (item,))
            continue
        try:
            ipaddress.ip_network(item, strict=True)
        except ValueError as exc:
            errors.append('%r is not an IP range in CIDR notation (%s); examples: 10.0.0.0/8, fd00::/8' % (item, exc))
    return errors


# Names and paths checked character by character: (first character, the
# others, longest). Paths are written unquoted into nginx and Caddy
# configuration, so they hold none of the characters either gives a meaning
# (whitespace, ; { } quotes $ # backslash ...).
_CHARSETS = {
    'path': ('/', 'A-Za-z0-9._+@/-', None),
    'file_name': ('A-Za-z0-9', 'A-Za-z0-9._-', 255),
    # systemd unit names (systemd.unit(5)); the first character is no option dash.
    'unit_name': ('A-Za-z0-9', 'A-Za-z0-9:_.@-', 255),
    # POSIX portable user/group names (useradd's NAME_REGEX, any case).
    'group_name': ('A-Za-z_', 'A-Za-z0-9_.-', 32),
}
_UPSTREAM_RE = re.compile(r'^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)$', re.DOTALL)
_CONTROL_RE = re.compile(r'[\x00-\x1f\x7f]')
# Characters an environment file value may not hold unquoted: systemd's
# EnvironmentFile= strips whitespace and reads backslashes as escapes (a
# trailing one joins the next line), compose's env_file: expands $ and cuts
# " #" comments, and a shell sourcing the file (set -a; . file) runs ` $( ;
# & | < > and expands ~.
_ENV_FORBIDDEN = (
    ('a newline', re.compile(r'[\r\n]')),
    ('whitespace', re.compile(r'[ \t\v\f]')),
    ('a double quote', re.compile(r'"')),
    ('a single quote', re.compile(r"'")),
    ('a backquote', re.compile(r'`')),
    ('"$"', re.compile(r'\$')),
    ('a backslash', re.compile(r'\\')),
    ('shell syntax (; & | < > ( ) ~)', re.compile(r'[;&|<>()~]')),
    ('control characters', re.compile(r'[\x00-\x08\x0e-\x1f\x7f]')),
)

_ALLOWED = {
    'server_name': 'a Matrix server name: a DNS name (letters, digits, "-" and "."), an IPv4 address or a '
                   'bracketed IPv6 address, with an optional :port',
    'host': 'a host name without a port: a DNS name (letters, digits, "-" and ".", e.g. matrix.example.com) '
            'or an IPv4 address',
    'dns_name': 'a DNS name without a port (letters, digits, "-" and ".", e.g. matrix.example.com)',
    'upstream': 'http:// or https:// followed by host:port and nothing else (e.g. http://127.0.0.1:8008)',
    'path': 'an absolute path of letters, digits, ".", "_", "-", "+", "@" and "/" (it is written unquoted into '
            'the nginx or Caddy configuration)',
    'path_shell': 'an absolute path without newlines or other control characters',
    'path_systemd': 'an absolute path without control characters, double quotes, backslashes or "%" (it is '
                    'written into a systemd unit drop-in)',
    'file_name': 'a file name of letters, digits, ".", "_" and "-" that starts with a letter or digit',
    'unit_name': 'a systemd unit name: letters, digits, ":", "_", ".", "@" and "-", starting with a letter or digit',
    'group_name': 'a group name: letters, digits, "_", "." and "-", starting with a letter or "_", at most 32 characters',
    'env_value': 'a non-empty single-line value without whitespace, quotes, backquotes, "$", backslashes, control '
                 'characters or shell syntax (; & | < > ( ) ~), which systemd\'s EnvironmentFile=, compose\'s env_file: '
                 'and a shell sourcing the file would each read differently',
    'block': 'configuration whose braces nest: every "}" closes a "{" opened in the same value',
}


def _server_name_problem(value, port, ip, subject='it'):
    """Why value is not a server name with the given port/IP policy, or None."""
    try:
        parsed = parse_server_name(value)
    except FederationError as exc:
        # The setting's message shows the value already.
        message, prefix = exc.message, 'server name %r' % (value,)
        if message.startswith(prefix + ': '):
            return message[len(prefix) + 2:]
        return subject + message[len(prefix):] if message.startswith(prefix) else message
    if port is False and parsed.port is not None:
        return 'it has a port'
    if ip == 'none' and parsed.ip is not None:
        return 'it is an IP address'
    if ip == 'v4' and parsed.ip is not None and parsed.ip.version == 6:
        return 'it is an IPv6 literal, which is not supported here'
    return None


def _upstream_problem(value):
    match = _UPSTREAM_RE.match(value)
    if not match or match.group('scheme') not in ('http', 'https'):
        return 'it does not start with http:// or https://'
    if match.group('rest'):
        return 'it has a path, query or fragment after host:port (the proxy would rewrite request URIs, which breaks ' \
               'federation signatures)'
    return _server_name_problem(match.group('authority'), True, 'any', 'its host:port')


def _charset_problem(value, kind):
    first, others, longest = _CHARSETS[kind]
    if value == '':
        return 'it is empty'
    bad = sorted(set(char for char in value if not re.match('[%s]' % others, char)))
    if bad:
        return 'it contains %s' % ', '.join(_show(char) for char in bad)
    if not re.match('[%s]' % first, value[0]):
        return 'it starts with %s' % _show(value[0])
    if longest and len(value) > longest:
        return 'it is longer than %d characters' % longest
    return None


def _path_problem(value, kind):
    if not value.startswith('/'):
        return 'it is not an absolute path'
    if kind == 'path':
        return _charset_problem(value, kind)
    if _CONTROL_RE.search(value):
        return 'it has a newline or another control character'
    if kind == 'path_systemd' and re.search(r'["\\%]', value):
        return 'it has a double quote, a backslash or "%"'
    return None


def _block_problem(value):
    depth = 0
    for char in value:
        if char == '{':
            depth += 1
        elif char == '}':
            depth -= 1
            if depth < 0:
                return 'it closes a block it did not open'
    return 'it leaves a block open' if depth else None


def _env_problem(value):
    if value == '':
        return 'it is empty (use null to leave the variable out)'
    found = [what for what, pattern in _ENV_FORBIDDEN if pattern.search(value)]
    return ('it contains ' + ', '.join(found)) if found else None


def _problem(value, kind):
    if value == '' and kind != 'env_value':
        return 'it is empty'
    if kind == 'server_name':
        return _server_name_problem(value, True, 'any')
    if kind == 'host':
        return _server_name_problem(value, False, 'v4')
    if kind == 'dns_name':
        return _server_name_problem(value, False, 'none')
    if kind == 'upstream':
        return _upstream_problem(value)
    if kind in ('path', 'path_shell', 'path_systemd'):
        return _path_problem(value, kind)
    if kind == 'block':
        return _block_problem(value)
    if kind == 'env_value':
        return _env_problem(value)
    return _charset_problem(value, kind)


def matrix_setting_errors(settings, kind, allow_empty=False):
    """Messages for every setting whose value is not a valid ``kind``.

    ``settings`` maps variable names to values; a list value is checked item by
    item (``name[0]``, ``name[1]``, ...). Messages name the variable, show the
    value (except for ``env_value``, which may be a secret) and say what is
    allowed. ``allow_empty``: skip empty strings and nulls (optional settings).
    """
    if kind not in _ALLOWED:
        raise AnsibleFilterError('matrix_setting_errors: unknown kind %r; known kinds: %s'
                                 % (kind, ', '.join(sorted(_ALLOWED))))
    if not isinstance(settings, dict):
        raise AnsibleFilterError('matrix_setting_errors expects a dict of variable names and values, got %s'
                                 % type(settings).__name__)
    errors = []
    for name in sorted(settings):
        value = settings[name]
        # An environment variable holds text: a list there is an error, not a list of values.
        items = [('%s[%d]' % (name, index), item) for index, item in enumerate(value)] \
            if isinstance(value, (list, tuple)) and kind != 'env_value' else [(name, value)]
        for label, item in items:
            if allow_empty and (item is None or item == ''):
                continue
            if kind == 'env_value' and isinstance(item, (bool, int, float)):
                # Written as the template writes them: true/false, digits.
                item = str(item).lower() if isinstance(item, bool) else str(item)
            shown = '' if kind == 'env_value' else ' %s' % _show(item)
            if not isinstance(item, str):
                errors.append('%s%s is refused: it is not a string. Expected %s.' % (label, shown, _ALLOWED[kind]))
                continue
            problem = _problem(item, kind)
            if problem:
                errors.append('%s%s is refused: %s. Expected %s.' % (label, shown, problem, _ALLOWED[kind]))
    return errors


def _show(value):
    """The value as the message shows it: quoted, newlines and other control characters escaped."""
    if isinstance(value, str):
        return '"%s"' % value.encode('unicode_escape').decode('ascii').replace('"', '\\"')
    return repr(value)


class FilterModule:
    """Validation filters for Matrix federation settings."""

    def filters(self):
        return {
            'matrix_server_name_errors': matrix_server_name_errors,
            'matrix_cidr_errors': matrix_cidr_errors,
            'matrix_setting_errors': matrix_setting_errors,
        }
