# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How a module changes a file: content and backups through fileutil, owner/group/mode through AnsibleModule.

Both file-writing modules (``matrix_wellknown``, ``matrix_signing_keys``)
go through here. The bytes are written by :mod:`fileutil` (a temp file that
has its final mode before any data is in it, fsynced, renamed), not by
``AnsibleModule.atomic_move``, which gives a new file the umask's mode until
the caller fixes it and so would show a new signing key to other users for
a moment; owner, group and mode are then applied the Ansible way, with
``set_fs_attributes_if_different`` (check mode and diff included).
"""

import os

from ansible_collections.matrix.federation.plugins.module_utils._federation import fileutil
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError


def write_file(path, data, mode, backup=False):
    """Replace ``path`` with ``data`` (bytes; ``None`` removes it); return the backup's name or ``None``.

    With ``backup`` an existing file is first copied to ``path.<pid>.<time>~``
    (mode ``0600``). The caller decides about check mode.
    """
    backup_name = fileutil.backup_file(path) if backup and os.path.exists(path) else None
    if data is None:
        try:
            os.unlink(path)
        except OSError as exc:
            raise FederationError('FILE_REMOVE_FAILED', 'cannot remove %s: %s' % (path, exc.strerror or exc))
    else:
        fileutil.atomic_write(path, data, mode)
    return backup_name


def apply_attributes(module, file_args, targets, changed, diffs=None):
    """Give each existing file of ``targets`` the owner, group and mode of ``file_args``; return ``changed``.

    A target that does not exist (yet, in check mode) is skipped: its
    creation is already the change. With ``diffs`` (a list) each file whose
    attributes change adds its ``{before, after}`` diff.
    """
    for target in targets:
        if not target or not os.path.exists(target):
            continue
        attr_diff = {} if diffs is not None else None
        changed = module.set_fs_attributes_if_different(dict(file_args, path=target), changed, attr_diff, expand=False)
        if attr_diff and (attr_diff.get('before') or attr_diff.get('after')):
            attr_diff['before_header'] = attr_diff['after_header'] = target
            diffs.append(attr_diff)
    return changed


def refuse_attributes_on_read_only(module, file_args, targets):
    """Fail with FILE_READ_ONLY before changing anything when requested owner/group/mode need a read-only mount.

    Without this, chmod/chown on a read-only mount would fail halfway with a traceback in the result.
    """
    for target in targets:
        if not target or not os.path.lexists(target) or not fileutil.is_read_only(target):
            continue
        saved = module.check_mode
        # In check mode set_fs_attributes_if_different only says whether something would change.
        module.check_mode = True
        try:
            needed = module.set_fs_attributes_if_different(dict(file_args, path=target), False, None, expand=False)
        finally:
            module.check_mode = saved
        if needed:
            raise FederationError(
                'FILE_READ_ONLY', 'cannot set owner, group or mode of %s: the file system holding it is mounted '
                'read-only' % target)
