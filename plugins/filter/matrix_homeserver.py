# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The homeserver role's settings that take a program to build (the retired
signing keys to publish, Dendrite's managed ``dendrite.yaml`` values) and its
checks of the signing keys given in the inventory."""

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.filter.core import to_bool
from jinja2.filters import do_int

# Synapse's duration syntax (synapse.config._base.Config.parse_duration): no unit is milliseconds.
_DURATION_RE = re.compile(r'^([0-9]+)(ms|s|m|h|d|w|y)?$')
# A key id, and an ed25519 public key (32 bytes) in unpadded base64. Matched
# as the role's Jinja matched them (re.match: "$" also matches before a final newline).
_KEY_ID_RE = re.compile(r'^ed25519:[A-Za-z0-9_]+$')
_PUBLIC_KEY_RE = re.compile(r'^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$')
_DURATION_MS = {'ms': 1, 's': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000, 'w': 604800000, 'y': 31536000000}


def _mapping(value, what, name):
    if not isinstance(value, dict):
        raise AnsibleFilterError('%s expects %s to be a dict, got %s' % (name, what, type(value).__name__))
    return value


def _sorted_items(mapping):
    """Items ordered by key as Jinja's dictsort orders them (ignoring case)."""
    return sorted(mapping.items(), key=lambda item: item[0].lower() if isinstance(item[0], str) else item[0])


def matrix_old_signing_keys(configured, inventory, signing_key=None):
    """The retired keys to publish: ``{key id: {key, expired_ts}}``.

    The ones the homeserver's configuration already publishes (``configured``),
    then the inventory's, then the record of retired keys that
    matrix_signing_keys keeps (``signing_key.old_verify_keys``), later ones
    winning for the same key id; never a key that signs now
    (``signing_key.verify_keys``: after a restore, the record still lists the
    restored key as retired).
    """
    name = 'matrix_old_signing_keys'
    signing_key = _mapping({} if signing_key is None else signing_key, 'the signing key result', name)
    merged = dict(_mapping(configured, 'the configured old keys', name))
    merged.update(_mapping(inventory, 'homeserver_old_signing_keys', name))
    merged.update(_mapping(signing_key.get('old_verify_keys', {}), 'old_verify_keys', name))
    current = signing_key.get('verify_keys', {})
    return dict((key_id, entry) for key_id, entry in merged.items() if key_id not in current)


def _go_duration(interval):
    """A Synapse duration as the Go duration Dendrite reads (1d -> 24h0m0s, 1500 -> 1500ms)."""
    match = _DURATION_RE.match(str(interval))
    if not match:
        raise AnsibleFilterError('matrix_dendrite_settings: key_refresh_interval %r is not a duration such as 1d, '
                                 '12h or 3600s' % (interval,))
    milliseconds = int(match.group(1)) * _DURATION_MS[match.group(2) or 'ms']
    if milliseconds % 1000:
        return '%dms' % milliseconds
    seconds = milliseconds // 1000
    return '%dh%dm%ds' % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)


def matrix_dendrite_settings(server_name, federation_enabled=True, verify_certificates=True, signing_key_path='',
                             key_refresh_interval=None, old_signing_keys=None, old_private_key_files=None,
                             presence=None, trusted_key_servers=None, prefer_direct_fetch=None, send_max_retries=None):
    """The ``dendrite.yaml`` values the role manages: ``{global: {...}, federation_api: {...}}``.

    Settings left at null are not in the result, so the admin's value (or
    Dendrite's default) stays. Retired keys given as key files in
    ``dendrite.yaml`` (``old_private_key_files``) are kept after the public
    ones.
    """
    old_signing_keys = _mapping(old_signing_keys or {}, 'old_signing_keys', 'matrix_dendrite_settings')
    old_private_key_files = old_private_key_files or []
    settings_global = {'server_name': server_name, 'disable_federation': not to_bool(federation_enabled)}
    federation_api = {'disable_tls_validation': not to_bool(verify_certificates)}
    if len(signing_key_path) > 0:
        settings_global['private_key'] = signing_key_path
    if key_refresh_interval is not None:
        settings_global['key_validity_period'] = _go_duration(key_refresh_interval)
    if old_signing_keys or old_private_key_files:
        old = [{'key_id': key_id, 'public_key': entry['key'], 'expired_at': entry['expired_ts']}
               for key_id, entry in _sorted_items(old_signing_keys)]
        old.extend({'private_key': entry['path'], 'expired_at': entry['expired_at']} for entry in old_private_key_files)
        settings_global['old_private_keys'] = old
    if presence is not None:
        settings_global['presence'] = {'enable_inbound': to_bool(presence), 'enable_outbound': to_bool(presence)}
    if trusted_key_servers is not None:
        federation_api['key_perspectives'] = [
            {'server_name': server['server_name'],
             'keys': [{'key_id': key_id, 'public_key': public}
                      for key_id, public in _sorted_items(server.get('verify_keys', {}))]}
            for server in trusted_key_servers]
    if prefer_direct_fetch is not None:
        federation_api['prefer_direct_fetch'] = to_bool(prefer_direct_fetch)
    if send_max_retries is not None:
        federation_api['send_max_retries'] = do_int(send_max_retries)
    return {'global': settings_global, 'federation_api': federation_api}


def matrix_synapse_shadowed_settings(config_files, settings):
    """The configuration files Synapse reads after the role's own that set keys of ``settings``.

    ``config_files`` are Synapse's files in the order it reads them
    (``config_files`` of matrix.federation.homeserver_config_info: ``path``,
    ``keys``, ``managed``). Synapse keeps the last value of a top-level key,
    so the role's value for such a key would be ignored.
    """
    if not isinstance(config_files, list):
        raise AnsibleFilterError('matrix_synapse_shadowed_settings expects the list of configuration files, got %s'
                                 % type(config_files).__name__)
    shadowed, seen_managed = [], False
    for config_file in config_files:
        if seen_managed:
            keys = [key for key in config_file['keys'] if key in settings]
            if keys:
                shadowed.append({'path': config_file['path'], 'keys': keys})
        if config_file['managed']:
            seen_managed = True
    return shadowed


def matrix_settings_in_use(unset, values):
    """The names of ``unset`` whose value in ``values`` differs from the one that means "not used".

    ``unset`` maps variable names to their "not used" value; ``values`` are
    the variables' values in the same order (``query('ansible.builtin.vars', *unset)``).
    """
    if not isinstance(unset, dict) or not isinstance(values, list):
        raise AnsibleFilterError('matrix_settings_in_use expects a dict of settings and the list of their values')
    if len(values) != len(unset):
        raise AnsibleFilterError('matrix_settings_in_use expects one value per setting: %d settings, %d values'
                                 % (len(unset), len(values)))
    return [name for (name, not_used), value in zip(unset.items(), values) if value != not_used]


def _matches(pattern, value):
    """Ansible's match test: the value as text, matched from its start."""
    return bool(pattern.match(to_text(value, errors='surrogate_or_strict')))


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def matrix_old_signing_key_errors(old_signing_keys):
    """The key ids of ``homeserver_old_signing_keys`` that are not ``{key: <public key>, expired_ts: <ms>}``.

    ``["(not a dict)"]`` when the value is no dict at all. A private key pasted
    from a signing key file has the wrong length, so it is named here too.
    """
    if not isinstance(old_signing_keys, dict):
        return ['(not a dict)']
    bad = []
    for key_id, entry in old_signing_keys.items():
        if not _matches(_KEY_ID_RE, key_id) or not isinstance(entry, dict) \
                or not _matches(_PUBLIC_KEY_RE, _string(entry.get('key', ''))) \
                or not _is_integer(entry.get('expired_ts', '')):
            bad.append(key_id)
    return bad


def matrix_trusted_key_server_errors(trusted_key_servers):
    """The ``homeserver_trusted_key_servers`` entries whose pinned keys are wrong, by server name.

    An entry that is no dict is named as text; one whose ``verify_keys`` is no
    dict, or holds a key id or a public key of the wrong form, by its
    ``server_name`` (``?`` without one). Entries without ``verify_keys`` pass.
    """
    bad = []
    for server in trusted_key_servers or []:
        if not isinstance(server, dict):
            bad.append(_string(server))
        elif 'verify_keys' in server:
            pins = server['verify_keys']
            if not isinstance(pins, dict) or not all(_matches(_KEY_ID_RE, key_id) for key_id in pins) \
                    or not all(_matches(_PUBLIC_KEY_RE, _string(public)) for public in pins.values()):
                bad.append(server.get('server_name', '?'))
    return bad


def _string(value):
    """The value as Jinja's string filter writes it."""
    return value if isinstance(value, str) else str(value)


class FilterModule:
    """Settings of the homeserver role."""

    def filters(self):
        return {
            'matrix_old_signing_keys': matrix_old_signing_keys,
            'matrix_dendrite_settings': matrix_dendrite_settings,
            'matrix_old_signing_key_errors': matrix_old_signing_key_errors,
            'matrix_trusted_key_server_errors': matrix_trusted_key_server_errors,
            'matrix_synapse_shadowed_settings': matrix_synapse_shadowed_settings,
            'matrix_settings_in_use': matrix_settings_in_use,
        }
