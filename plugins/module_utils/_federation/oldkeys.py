# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The retired-keys record: ``old_signing_keys`` entries, rotation, and the YAML fragment holding them.

Owns :func:`rotate` (which keys retire and their entries), reading, merging
and serializing the ``old_keys_path`` fragment for ``homeserver.yaml``. The
record holds public keys only, and entries are never dropped or overwritten.
"""

import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.durations import now_ms
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.fileutil import read_own_file
from ansible_collections.matrix.federation.plugins.module_utils._federation.keyformat import SEED_CHARS, SigningKey

try:
    import yaml
    HAS_YAML = True
    YAML_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised only without the library
    HAS_YAML = False
    YAML_IMPORT_ERROR = exc

OLD_KEYS_HEADER = (
    '# old_signing_keys for homeserver.yaml, managed by matrix.federation.matrix_signing_keys.\n'
    '# Public keys only. Entries are added on rotation and never removed by the module.\n'
)

# fileutil.read_regular_file's generic codes, as the old keys fragment reports them.
_OLD_KEYS_CODES = {'FILE_SYMLINK': 'OLD_KEYS_SYMLINK', 'FILE_IS_DIRECTORY': 'OLD_KEYS_IS_DIRECTORY',
                   'FILE_NOT_REGULAR': 'OLD_KEYS_NOT_REGULAR'}


def old_key_entry(key, expired_ts):
    """The ``old_signing_keys`` entry Synapse expects for a retired key (public key only)."""
    return {key.key_id: {'key': key.public_key, 'expired_ts': int(expired_ts)}}


def rotate(current_keys, new_keys, expired_ts=None, retired_before=None):
    """Retire ``current_keys`` in favour of ``new_keys`` (one :class:`SigningKey` or a list).

    Returns ``(new_keys, old_signing_keys)`` where ``old_signing_keys`` maps
    each retired key id to ``{key: <public>, expired_ts: <ms>}``. ``expired_ts``
    defaults to now (ms): signatures made before it stay valid for other
    servers. A current key that is also among ``new_keys`` (same id, same
    seed) stays active. A new key may not reuse the id of a different current
    key or of an entry in ``retired_before`` (``KEY_ID_REUSED``): other servers
    cache keys by id. A retired key itself may come back (a restore).
    """
    if isinstance(new_keys, SigningKey):
        new_keys = [new_keys]
    if expired_ts is None:
        expired_ts = now_ms()
    new_ids = {key.key_id: key for key in new_keys}
    for key in current_keys:
        if key.key_id in new_ids and new_ids[key.key_id] != key:
            raise FederationError(
                'KEY_ID_REUSED', 'the new key would reuse key id %s with a different seed; choose another version'
                % key.key_id)
    for key_id, key in new_ids.items():
        retired = (retired_before or {}).get(key_id)
        # The same key coming back (a restore of a backup) is fine; another key under its id is not.
        if retired is not None and retired.get('key') != key.public_key:
            raise FederationError(
                'KEY_ID_REUSED', 'key id %s is already a retired key; choose another version' % key_id)
    old = {}
    for key in current_keys:
        if key.key_id not in new_ids:
            old.update(old_key_entry(key, expired_ts))
    return list(new_keys), old


def _require_yaml():
    if not HAS_YAML:
        raise FederationError('MISSING_LIBRARY', 'the Python library "PyYAML" is required for old_keys_path: %s'
                              % YAML_IMPORT_ERROR)


# Key ids of the record are public, but a hand-edited or mistaken file may hold anything: an id is
# only quoted in an error when it has the shape of a key id (Synapse refuses any other id anyway).
_KEY_ID_RE = re.compile(r'^ed25519:[A-Za-z0-9_]+$')


def _entry_name(key_id, number):
    if isinstance(key_id, str) and _KEY_ID_RE.match(key_id):
        return 'entry %s' % key_id
    return 'entry %d (its key id is not "ed25519:<version>")' % number


def _yaml_error_text(exc):
    # PyYAML's str() quotes the offending line; only the position and the problem are kept.
    mark = getattr(exc, 'problem_mark', None)
    position = ' at line %d, column %d' % (mark.line + 1, mark.column + 1) if mark is not None else ''
    problem = getattr(exc, 'problem', None)
    return '%s%s' % (position, (': %s' % problem) if isinstance(problem, str) else '')


def read_old_keys(path):
    """Entries of the ``old_signing_keys`` fragment at ``path`` (``{}`` when missing or empty).

    Errors (``OLD_KEYS_MALFORMED``) give positions, never the file's text.
    ``path`` must be a regular file, not a symbolic link (``OLD_KEYS_SYMLINK``).
    """
    data = read_own_file(path, 'old_keys_path', 'a YAML file of retired keys', _OLD_KEYS_CODES)
    if data is None or not data.strip():
        return {}
    _require_yaml()
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise FederationError('OLD_KEYS_MALFORMED', '%s is not valid YAML%s' % (path, _yaml_error_text(exc)))
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or set(loaded) - {'old_signing_keys'}:
        raise FederationError('OLD_KEYS_MALFORMED', '%s must hold only a mapping "old_signing_keys"' % path)
    entries = loaded.get('old_signing_keys') or {}
    if not isinstance(entries, dict):
        raise FederationError('OLD_KEYS_MALFORMED', '%s: old_signing_keys must be a mapping of key ids' % path)
    for number, (key_id, entry) in enumerate(entries.items(), 1):
        if not isinstance(key_id, str) or not _KEY_ID_RE.match(key_id):
            raise FederationError(
                'OLD_KEYS_MALFORMED',
                '%s: %s; Synapse accepts only ed25519 keys in old_signing_keys' % (path, _entry_name(key_id, number)))
        if (not isinstance(key_id, str) or not isinstance(entry, dict) or not isinstance(entry.get('key'), str)
                or not isinstance(entry.get('expired_ts'), int) or isinstance(entry.get('expired_ts'), bool)):
            raise FederationError(
                'OLD_KEYS_MALFORMED',
                '%s: %s must be {key: <public base64>, expired_ts: <ms>}' % (path, _entry_name(key_id, number)))
        if len(entry['key'].rstrip('=')) > SEED_CHARS:
            raise FederationError('OLD_KEYS_MALFORMED', '%s: %s has a key that is not an ed25519 public key'
                                  % (path, _entry_name(key_id, number)))
    return entries


def merge_old_keys(existing, new_entries, path='old_keys_path'):
    """Merge ``new_entries`` into ``existing`` without dropping or altering earlier entries.

    Re-adding an identical public key keeps the earlier ``expired_ts``; the
    same key id with a different public key is a conflict
    (``OLD_KEYS_CONFLICT``), never an overwrite.
    """
    merged = {key_id: dict(entry) for key_id, entry in existing.items()}
    for key_id, entry in new_entries.items():
        if key_id in merged:
            if merged[key_id]['key'] != entry['key']:
                raise FederationError(
                    'OLD_KEYS_CONFLICT',
                    '%s already lists %s with public key %s, not %s; refusing to overwrite a retired key'
                    % (path, key_id, merged[key_id]['key'], entry['key']))
            continue
        merged[key_id] = dict(entry)
    return merged


def serialize_old_keys(entries):
    """YAML text of the fragment (deterministic; ids and public keys are plain ASCII)."""
    lines = [OLD_KEYS_HEADER, 'old_signing_keys:']
    if not entries:
        lines[-1] += ' {}'
    for key_id in sorted(entries):
        entry = entries[key_id]
        lines.append('  "%s":' % key_id)
        lines.append('    key: "%s"' % entry['key'])
        lines.append('    expired_ts: %d' % entry['expired_ts'])
    return '\n'.join(lines) + '\n'
