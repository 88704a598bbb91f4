# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Atomic file writes and backups for files that must never be lost or half written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError


def read_file(path):
    """Return the bytes of ``path`` or ``None`` when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FederationError('FILE_READ_FAILED', 'cannot read %s: %s' % (path, exc.strerror or exc))


def atomic_write(path, data, mode=0o600):
    """Write ``data`` (bytes) to ``path`` through a temp file in the same directory.

    The temp file is created with ``mode`` already set, fsynced and renamed
    over ``path``, so a crash leaves either the old or the new content, never
    an empty or partial file, and the content is never world-readable.
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FederationError('DIRECTORY_MISSING', 'directory %s does not exist' % directory)
    fd, tmp_path = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp_path, path)
    except OSError as exc:
        try:
            os.unlink(tmp_path)
        except OSError:
            pass
        raise FederationError('FILE_WRITE_FAILED', 'cannot write %s: %s' % (path, exc.strerror or exc))
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def backup_file(path, mode=0o600):
    """Copy ``path`` to ``path.<timestamp>~`` with ``mode`` and return the new name.

    Returns ``None`` when there is nothing to back up.
    """
    if not os.path.exists(path):
        return None
    stamp = time.strftime('%Y-%m-%d@%H:%M:%S')
    backup = '%s.%d.%s~' % (path, os.getpid(), stamp)
    try:
        with open(path, 'rb') as src:
            data = src.read()
        atomic_write(backup, data, mode)
        shutil.copystat(path, backup)
        os.chmod(backup, mode)
    except OSError as exc:
        raise FederationError('BACKUP_FAILED', 'cannot back up %s: %s' % (path, exc.strerror or exc))
    return backup
