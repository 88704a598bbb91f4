# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plan and apply a run on the key file: what changes, writing it, locking, and what the module returns.

The plan/apply split keeps check mode honest: :func:`plan` decides everything
from the current file and the options without writing; :func:`apply` writes
exactly what the plan says. Plans and results never carry seeds outside of
``KeyPlan.new_keys`` (needed to write the file), and :func:`public_result`
builds the only data a module may return.
"""

import os
import stat

from ansible_collections.matrix.federation.plugins.module_utils._federation.durations import key_age_seconds
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.fileutil import (
    backup_file,
    check_writable,
    commit,
    commit_new,
    discard,
    lock_directories,
    read_own_file,
    stage,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.keyformat import (
    ALGORITHM,
    check_format,
    generate_key,
    key_from_seed,
    parse_key_file,
    serialize_keys,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.oldkeys import (
    merge_old_keys,
    read_old_keys,
    rotate,
    serialize_old_keys,
)


class KeyPlan:
    """What a run will do. ``new_keys`` holds seeds: never return it."""

    def __init__(self):
        self.current_keys = []
        self.new_keys = []
        self.key_changed = False
        self.action = 'none'  # none | create | restore | rotate
        self.generated = False
        self.key_age = None
        self.old_signing_keys = {}
        self.old_keys_before = {}
        self.old_keys_after = {}
        self.old_keys_changed = False
        self.warnings = []
        self.explicit_version = False
        # Whether plan() found a key file (maybe empty): a missing one is created only if still missing.
        self.file_existed = False


# fileutil.read_regular_file's generic codes, as the key file reports them.
_KEYFILE_CODES = {'FILE_SYMLINK': 'KEYFILE_SYMLINK', 'FILE_IS_DIRECTORY': 'KEYFILE_IS_DIRECTORY',
                  'FILE_NOT_REGULAR': 'KEYFILE_NOT_REGULAR'}


def load_key_file(path, key_format='synapse'):
    """Keys currently in ``path`` (``[]`` when missing or empty); strict, see :func:`parse_key_file`.

    ``path`` must be a regular file, not a symbolic link (``KEYFILE_SYMLINK``),
    a directory (``KEYFILE_IS_DIRECTORY``) or another special file
    (``KEYFILE_NOT_REGULAR``).
    """
    data = read_own_file(path, 'path', 'a signing key file', _KEYFILE_CODES)
    return parse_key_file(data, source=path, key_format=key_format)


def locked(path, old_keys_path=None, timeout=60.0):
    """Context manager serializing runs on the key file ``path`` (and ``old_keys_path``).

    Holds an exclusive ``flock`` on the directories of both files (see
    :func:`fileutil.lock_directories`) so that a run plans and writes from
    what the previous run left: concurrent rotations each retire the key
    the one before made, and none is lost. No lock file is created. Its
    ``warnings`` are ``(code, message)`` pairs for the module to report.
    """
    return lock_directories([path, old_keys_path], timeout)


def plan(path, state='present', rotate_now=False, max_age=None, version=None, private_key=None,
         content=None, expired_ts=None, old_keys_path=None, now=None, key_format='synapse'):
    """Decide what to do with the key file at ``path``; writes nothing.

    ``key_format`` (``synapse`` or ``dendrite``) applies to the file and to
    ``content``. A Dendrite file holds one key, so ``content`` with several
    keys is refused for it.

    * ``present``: keep a valid existing key; create one when the file is
      missing or empty; with ``private_key``/``content``, make the file hold
      exactly that key (restore).
    * ``rotated``: when ``rotate_now`` or the key is older than ``max_age``
      seconds, a new key (generated, or from ``private_key``/``content``)
      replaces the current ones, which become ``old_signing_keys`` entries.
    """
    check_format(key_format)
    result = KeyPlan()
    result.explicit_version = version is not None
    result.current_keys = load_key_file(path, key_format)
    result.file_existed = os.path.lexists(path)
    result.key_age = key_age_seconds(path, now) if result.current_keys else None
    if old_keys_path:
        result.old_keys_before = read_old_keys(old_keys_path)
    result.old_keys_after = dict(result.old_keys_before)

    supplied = None
    if content is not None:
        supplied = parse_key_file(content, source='content', key_format=key_format)
        if not supplied:
            raise FederationError('KEYFILE_EMPTY_CONTENT', 'content holds no signing key')
    elif private_key is not None:
        supplied = [key_from_seed(private_key, version)]

    taken = set(result.old_keys_before) | {key.key_id for key in result.current_keys}

    def new_keys():
        if supplied is not None:
            return supplied
        result.generated = True
        return [generate_key(version, taken)]

    if state == 'present':
        if not result.current_keys:
            result.new_keys = new_keys()
            result.action = 'restore' if supplied is not None else 'create'
        elif supplied is not None and supplied != result.current_keys:
            result.new_keys = supplied
            result.action = 'restore'
        else:
            result.new_keys = result.current_keys
    elif state == 'rotated':
        due = bool(rotate_now)
        if not due and max_age is not None and result.key_age is not None:
            due = result.key_age >= max_age
        if not result.current_keys:
            result.new_keys = new_keys()
            result.action = 'create'
            result.warnings.append(
                ('KEY_CREATED_NOT_ROTATED', 'no signing key at %s to rotate: created a new key' % path))
        elif supplied is not None and supplied == result.current_keys:
            result.new_keys = result.current_keys
        elif due:
            result.new_keys, result.old_signing_keys = rotate(
                result.current_keys, new_keys(), expired_ts, result.old_keys_before)
            result.action = 'rotate'
        else:
            result.new_keys = result.current_keys
    else:
        raise FederationError('BAD_OPTIONS', 'state must be present or rotated, not %r' % (state,))

    result.key_changed = result.action != 'none'
    if result.key_changed:
        # Refuse now (also in check mode) what could not be written.
        serialize_keys(result.new_keys, key_format)
    if result.old_signing_keys:
        result.old_keys_after = merge_old_keys(result.old_keys_before, result.old_signing_keys,
                                               old_keys_path or 'old_keys_path')
        result.old_keys_changed = bool(old_keys_path) and result.old_keys_after != result.old_keys_before
    # A read-only mount is refused here, so check mode predicts it and nothing is half written.
    if result.key_changed:
        check_writable(path)
    if result.old_keys_changed:
        check_writable(old_keys_path)
    return result


def apply(path, key_plan, old_keys_path=None, backup=False, key_format='synapse'):
    """Write what ``key_plan`` says, in ``key_format``. Returns the backup file name or ``None``.

    Every file is first written in full to a temp file next to it (so a full
    disk fails before anything changed), then the backup is made, then the
    old keys fragment takes its name, then the key file: a retired key is
    on record before it stops being the signing key.

    A new key file is created only if there still is none (``link()``): when
    another process (a second run, or Synapse generating its key) created
    one meanwhile, that key is kept and ``key_plan`` is updated to report it
    as an existing key, ``action`` ``none``. Restores and rotations replace
    the file by ``rename()``.

    A replaced file keeps its owner, group and mode, set on the temp file
    before it takes the name, so the homeserver never finds its key with
    other attributes, not even for a moment. A new file is ``0600``, owned
    by the user running this. The caller applies requested attributes.
    """
    backup_name = None
    old_tmp = key_tmp = None
    try:
        if key_plan.old_keys_changed:
            previous_old = _stat_or_none(old_keys_path)
            old_tmp = stage(old_keys_path, serialize_old_keys(key_plan.old_keys_after).encode('ascii'),
                            _mode_of(previous_old), _owner_of(previous_old))
        previous = _stat_or_none(path)
        if key_plan.key_changed:
            key_tmp = stage(path, serialize_keys(key_plan.new_keys, key_format).encode('ascii'),
                            _mode_of(previous), _owner_of(previous))
            if backup and previous is not None:
                backup_name = backup_file(path)
        if old_tmp:
            tmp, old_tmp = old_tmp, None
            commit(tmp, old_keys_path)
        if key_tmp:
            tmp, key_tmp = key_tmp, None
            if not key_plan.file_existed and key_plan.action == 'create':
                if not commit_new(tmp, path):
                    _keep_concurrent_key(path, key_plan, key_format)
            else:
                commit(tmp, path)
    finally:
        for tmp in (old_tmp, key_tmp):
            if tmp:
                discard(tmp)
    return backup_name


def _keep_concurrent_key(path, key_plan, key_format):
    # Another process created the key file after plan() found none: that key is the server's now.
    keys = load_key_file(path, key_format)
    if not keys:
        raise FederationError(
            'KEYFILE_CREATED_CONCURRENTLY',
            '%s was created by another process while this run was creating it, and holds no key yet '
            '(it may still be writing it); run again' % path)
    key_plan.current_keys = keys
    key_plan.new_keys = keys
    key_plan.action = 'none'
    key_plan.key_changed = False
    key_plan.generated = False
    key_plan.key_age = key_age_seconds(path)
    key_plan.warnings = [warning for warning in key_plan.warnings if warning[0] != 'KEY_CREATED_NOT_ROTATED']


def _stat_or_none(path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _owner_of(previous):
    return (previous.st_uid, previous.st_gid) if previous is not None else None


def _mode_of(previous):
    # Only a regular file's mode is worth keeping; anything new starts private.
    if previous is None or not stat.S_ISREG(previous.st_mode):
        return 0o600
    return stat.S_IMODE(previous.st_mode)


def verify_keys_map(keys):
    """``{key_id: public}`` for the module's ``verify_keys`` return value."""
    return {key.key_id: key.public_key for key in keys}


def server_keys_export(keys, old_verify_keys=None, server_name=None):
    """The unsigned body of ``GET /_matrix/key/v2/server`` for these keys.

    ``verify_keys`` is ``{"ed25519:<ver>": {"key": <public>}}`` and
    ``old_verify_keys`` ``{id: {key, expired_ts}}``; the serving homeserver
    adds ``valid_until_ts`` and its signature.
    """
    export = {
        'verify_keys': {key.key_id: {'key': key.public_key} for key in keys},
        'old_verify_keys': {key_id: dict(entry) for key_id, entry in (old_verify_keys or {}).items()},
    }
    if server_name:
        export['server_name'] = server_name
    return export


def describe_keys(keys):
    """Diff text for ``keys``: key ids and public keys only."""
    return ''.join('%s %s\n' % (key.key_id, key.public_key) for key in keys)


def public_result(key_plan, server_name=None, check_mode=False):
    """The module's return values: key ids and public keys only, never a seed."""
    keys = key_plan.new_keys
    placeholder = check_mode and key_plan.generated
    if placeholder:
        # The real run generates a different random key: don't pretend to know it.
        versions = [key.version for key in keys] if keys and key_plan.explicit_version else []
        key_id = ('%s:%s' % (ALGORITHM, versions[0])) if versions else None
        public_key = None
        verify_keys = {}
    else:
        key_id = keys[0].key_id if keys else None
        public_key = keys[0].public_key if keys else None
        verify_keys = verify_keys_map(keys)
    old_verify_keys = merge_old_keys(key_plan.old_keys_before, key_plan.old_signing_keys)
    export = server_keys_export([] if placeholder else keys, old_verify_keys, server_name)
    return {
        'key_id': key_id,
        'public_key': public_key,
        'verify_keys': verify_keys,
        'old_verify_keys': old_verify_keys,
        'old_signing_keys': dict(key_plan.old_signing_keys),
        'server_keys_json': export,
        'key_age': key_plan.key_age,
        'action': key_plan.action,
    }


def diff_text(key_plan, check_mode=False):
    """``(before, after)`` diff texts with key ids and public keys only."""
    before = describe_keys(key_plan.current_keys)
    if check_mode and key_plan.generated:
        after = ''.join('%s <new key, generated when applied>\n' % key.key_id
                        if key_plan.explicit_version else '%s:<generated> <new key, generated when applied>\n'
                        % ALGORITHM for key in key_plan.new_keys)
    else:
        after = describe_keys(key_plan.new_keys)
    return before, after
