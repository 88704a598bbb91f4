# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A homeserver's configuration read the way the homeserver reads it, without its secrets.

Synapse reads every ``--config-path`` of its command line in order (a
directory contributes its ``*.yaml`` files, sorted) and merges them shallowly:
a later file replaces a whole top-level key. The matrix.org Debian package
keeps ``server_name`` in ``conf.d/server_name.yaml``, so reading
``homeserver.yaml`` alone gets the identity wrong. Dendrite reads one
``dendrite.yaml`` and resolves relative paths against its working directory.

Only the facts the collection needs leave this module: the server name, the
signing key path, the retired keys (public halves), the service's user and
the names (never the values) of the keys each file sets. Secrets such as
``macaroon_secret_key`` are read by the YAML parser and dropped here.
"""

import os
import shlex

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.fileutil import read_file

try:
    import yaml
    HAS_YAML = True
    YAML_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - PyYAML ships with Ansible
    HAS_YAML = False
    YAML_IMPORT_ERROR = _exc


def parse_systemd_exec(value):
    """argv of every command in a ``systemctl show -p ExecStart...`` value.

    systemd prints each command as ``{ path=... ; argv[]=a b c ; ignore_errors=no ; ... }``.
    """
    commands = []
    for part in value.split('argv[]=')[1:]:
        argv_text = part.split(' ; ', 1)[0]
        try:
            commands.append(shlex.split(argv_text))
        except ValueError:
            commands.append(argv_text.split())
    return commands


def synapse_command_options(argv):
    """``(config_paths, keys_directory, generate_keys)`` from a Synapse command line.

    Mirrors Synapse's argparse: ``-c``/``--config-path`` (repeatable, in order),
    ``--keys-directory``/``--config-directory``, ``--generate-keys``.
    """
    paths, keys_directory, generate_keys = [], None, False
    index = 0
    while index < len(argv):
        arg = argv[index]
        value = None
        for flag in ('--config-path', '--keys-directory', '--config-directory'):
            if arg == flag and index + 1 < len(argv):
                value, index = (flag, argv[index + 1]), index + 1
            elif arg.startswith(flag + '='):
                value = (flag, arg[len(flag) + 1:])
        if arg == '-c' and index + 1 < len(argv):
            value, index = ('--config-path', argv[index + 1]), index + 1
        elif arg.startswith('-c') and not arg.startswith('--') and len(arg) > 2:
            value = ('--config-path', arg[2:])
        if arg == '--generate-keys':
            generate_keys = True
        if value:
            if value[0] == '--config-path':
                paths.append(value[1])
            else:
                keys_directory = value[1]
        index += 1
    return paths, keys_directory, generate_keys


def find_synapse_config_files(search_paths, managed_file=None):
    """The files Synapse reads for these ``--config-path`` values, in its order.

    ``managed_file`` (a ``*.yaml`` file in one of the searched directories) is
    put where Synapse would read it even when it does not exist yet.
    """
    files = []
    for path in search_paths:
        if os.path.isdir(path):
            entries = set(os.path.join(path, entry) for entry in os.listdir(path)
                          if entry.endswith('.yaml') and os.path.isfile(os.path.join(path, entry)))
            if managed_file and os.path.dirname(os.path.normpath(managed_file)) == os.path.normpath(path):
                entries.add(os.path.join(path, os.path.basename(managed_file)))
            files.extend(sorted(entries))
        else:
            files.append(path)
    return files


def _load_yaml_mapping(path):
    if not HAS_YAML:
        raise FederationError('MISSING_LIBRARY', 'the Python library "PyYAML" is required: %s' % YAML_IMPORT_ERROR)
    data = read_file(path)
    if data is None:
        raise FederationError('CONFIG_MISSING', '%s does not exist; the homeserver reads it' % path)
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        # The position only: a YAML error's excerpt could quote a secret.
        mark = getattr(exc, 'problem_mark', None)
        where = ' at line %d' % (mark.line + 1) if mark is not None else ''
        raise FederationError('CONFIG_INVALID_YAML', '%s is not valid YAML%s' % (path, where))
    return loaded if isinstance(loaded, dict) else None


def _abs(path, base):
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base, path))


def _public_old_keys(entries, source):
    """Synapse ``old_signing_keys`` entries, checked to be public data only."""
    if entries is None:
        return {}
    if not isinstance(entries, dict):
        raise FederationError('CONFIG_OLD_KEYS_INVALID', '%s: old_signing_keys is not a mapping of key ids' % source)
    result = {}
    for key_id, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(entry.get('key'), str) or not isinstance(
                entry.get('expired_ts'), int):
            raise FederationError('CONFIG_OLD_KEYS_INVALID',
                                  '%s: old_signing_keys entry %s must be {key: <public key>, expired_ts: <ms>}'
                                  % (source, key_id))
        result[str(key_id)] = {'key': entry['key'], 'expired_ts': entry['expired_ts']}
    return result


def read_synapse_config(search_paths, working_directory='/', keys_directory=None, managed_file=None):
    """Facts of Synapse's effective configuration; no secret values.

    ``managed_file`` (the collection's own file) is left out of the effective
    values, so that what the admin set can be told apart from it; it is listed
    in ``config_files`` (with ``managed: true``) where Synapse reads it, also
    before it exists.
    """
    files = find_synapse_config_files(search_paths, managed_file)
    if not files:
        raise FederationError('CONFIG_MISSING', 'Synapse reads no configuration file from %s' % ', '.join(search_paths))
    merged, sources, listing = {}, {}, []
    managed = os.path.normpath(managed_file) if managed_file else None
    for path in files:
        is_managed = os.path.normpath(path) == managed
        loaded = None if is_managed and not os.path.exists(path) else _load_yaml_mapping(path)
        listing.append({'path': path, 'keys': sorted(str(key) for key in (loaded or {})), 'managed': is_managed})
        if loaded is None or is_managed:
            continue
        merged.update(loaded)
        for key in loaded:
            sources[key] = path
    server_name = merged.get('server_name')
    config_dir = os.path.abspath(keys_directory or os.path.dirname(files[-1]))
    key_path = merged.get('signing_key_path')
    if key_path is None and server_name is not None:
        key_path = os.path.join(config_dir, '%s.signing.key' % server_name)
    return {
        'config_files': listing,
        'server_name': None if server_name is None else str(server_name),
        'server_name_source': sources.get('server_name'),
        'signing_key_path': None if key_path is None else _abs(str(key_path), working_directory),
        'signing_key_path_source': sources.get('signing_key_path'),
        'signing_key_format': 'synapse',
        'old_signing_keys': _public_old_keys(merged.get('old_signing_keys'), sources.get('old_signing_keys')),
        'old_signing_keys_source': sources.get('old_signing_keys'),
        'federation_domain_whitelist': _name_list(merged.get('federation_domain_whitelist')),
        'federation_domain_whitelist_source': sources.get('federation_domain_whitelist'),
        # Synapse asks matrix.org when trusted_key_servers is not set.
        'trusted_key_servers': (['matrix.org'] if 'trusted_key_servers' not in merged
                                else _server_names(merged.get('trusted_key_servers'))),
    }


def _name_list(value):
    """A list setting's names as strings; ``None`` when it is not a list (unset: no allow list)."""
    return [str(item) for item in value] if isinstance(value, list) else None


def _server_names(entries):
    """The ``server_name`` of each trusted key server entry (Synapse and Dendrite shapes)."""
    if not isinstance(entries, list):
        return []
    return [str(entry['server_name']) for entry in entries if isinstance(entry, dict) and entry.get('server_name')]


def read_dendrite_config(config_file, working_directory=None):
    """Facts of a ``dendrite.yaml``; no secret values.

    ``global.old_private_keys`` entries given as ``{key_id, public_key, expired_at}``
    are returned in Synapse's ``old_signing_keys`` shape; entries that point to a
    private key file are listed by path (as written) and ``expired_at`` only
    (the file is not read).
    """
    loaded = _load_yaml_mapping(config_file)
    if loaded is None:
        raise FederationError('CONFIG_INVALID_YAML', '%s is empty or not a mapping' % config_file)
    base = working_directory or os.path.dirname(os.path.abspath(config_file))
    section = loaded.get('global') if isinstance(loaded.get('global'), dict) else {}
    old, old_files = {}, []
    entries = section.get('old_private_keys') or []
    if not isinstance(entries, list):
        raise FederationError('CONFIG_OLD_KEYS_INVALID', '%s: global.old_private_keys is not a list' % config_file)
    for entry in entries:
        if not isinstance(entry, dict):
            raise FederationError('CONFIG_OLD_KEYS_INVALID', '%s: an old_private_keys entry is not a mapping'
                                  % config_file)
        if entry.get('private_key'):
            old_files.append({'path': str(entry['private_key']), 'expired_at': int(entry.get('expired_at') or 0)})
        elif isinstance(entry.get('key_id'), str) and isinstance(entry.get('public_key'), str):
            old[entry['key_id']] = {'key': entry['public_key'], 'expired_ts': int(entry.get('expired_at') or 0)}
        else:
            raise FederationError('CONFIG_OLD_KEYS_INVALID',
                                  '%s: an old_private_keys entry needs key_id and public_key, or private_key'
                                  % config_file)
    key_path = section.get('private_key') or 'matrix_key.pem'
    server_name = section.get('server_name')
    return {
        'config_files': [{'path': config_file, 'keys': sorted(str(key) for key in loaded)}],
        'server_name': None if server_name is None else str(server_name),
        'server_name_source': config_file if server_name is not None else None,
        'signing_key_path': _abs(str(key_path), base),
        'signing_key_path_source': config_file if section.get('private_key') else None,
        'signing_key_format': 'dendrite',
        'old_signing_keys': old,
        'old_signing_keys_source': config_file if old else None,
        'old_private_key_files': old_files,
        # Dendrite has no allow list of servers.
        'federation_domain_whitelist': None,
        'federation_domain_whitelist_source': None,
        'trusted_key_servers': _server_names((loaded.get('federation_api') or {}).get('key_perspectives')
                                             if isinstance(loaded.get('federation_api'), dict) else None),
    }
